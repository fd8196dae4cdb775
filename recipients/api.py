"""The webhook endpoints API, /api/v1/webhooks/: client admins (session) and API keys with
scope "webhooks", each on their own organisation's endpoints only (another's answers 404)."""

import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ApiScope
from accounts.permissions import HasScope
from common.api import Conflict, ModelSerializer, StrictSerializer
from recipients.models import Event, WebhookEndpoint
from recipients.selectors import webhook_endpoints_of
from recipients.services import (
    AlreadyConfirmed,
    BadConfirmation,
    notice_confirm,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_update,
    webhook_secret_rotate,
)


class OfAnOrganisation(BasePermission):
    message = "Webhook endpoints belong to a client organisation: use a client admin or key."

    def has_permission(self, request, view) -> bool:
        return bool(getattr(request.user, "organisation_id", None))


class WebhookEndpointSerializer(ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "events", "active", "created_at", "updated_at"]


class WebhookEndpointWithSecret(WebhookEndpointSerializer):
    secret = serializers.CharField(help_text="The signing secret: shown this once only.")

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookEndpointInput(StrictSerializer):
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=Event.values), allow_empty=False, max_length=4
    )
    active = serializers.BooleanField(default=True)


class WebhookEndpointUpdateInput(StrictSerializer):
    url = serializers.URLField(max_length=500, required=False)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=Event.values),
        allow_empty=False,
        max_length=4,
        required=False,
    )
    active = serializers.BooleanField(required=False)


class RotateInput(StrictSerializer):
    overlap_hours = serializers.IntegerField(
        min_value=0,
        max_value=168,
        default=24,
        help_text="How long the old secret keeps signing alongside the new one.",
    )


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _save(write, **kwargs):
    try:
        return write(**kwargs)
    except DjangoValidationError as exc:
        fields = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        raise serializers.ValidationError(fields) from None


@extend_schema(tags=["webhooks"])
class WebhookEndpointViewSet(viewsets.GenericViewSet):
    """Where the caller's organisation is told that a person was erased, rectified or
    restricted (UK GDPR Article 19)."""

    permission_classes = [HasScope(ApiScope.WEBHOOKS), OfAnOrganisation]
    serializer_class = WebhookEndpointSerializer
    queryset = WebhookEndpoint.objects.none()  # the real one is get_queryset(), the caller's
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return webhook_endpoints_of(self.request.user.organisation_id)

    @extend_schema(summary="List webhook endpoints")
    def list(self, request):
        # Two queries: the count and the page.
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(WebhookEndpointSerializer(page, many=True).data)

    @extend_schema(
        summary="Add a webhook endpoint",
        description="The answer carries the signing secret (`whsec_…`): it is not shown again.",
        request=WebhookEndpointInput,
        responses={201: WebhookEndpointWithSecret},
    )
    def create(self, request):
        data = _valid(WebhookEndpointInput, request.data)
        endpoint, secret = _save(
            webhook_endpoint_create,
            organisation=request.user.organisation,
            by=request.user,
            **data,
        )
        body = {**WebhookEndpointSerializer(endpoint).data, "secret": secret}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Read a webhook endpoint")
    def retrieve(self, request, pk=None):
        return Response(WebhookEndpointSerializer(self.get_object()).data)

    @extend_schema(
        summary="Change a webhook endpoint",
        request=WebhookEndpointUpdateInput,
        responses={200: WebhookEndpointSerializer},
    )
    def partial_update(self, request, pk=None):
        endpoint = self.get_object()
        data = _valid(WebhookEndpointUpdateInput, request.data)
        endpoint = _save(webhook_endpoint_update, endpoint=endpoint, by=request.user, **data)
        return Response(WebhookEndpointSerializer(endpoint).data)

    @extend_schema(summary="Remove a webhook endpoint", responses={204: None})
    def destroy(self, request, pk=None):
        webhook_endpoint_delete(endpoint=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Rotate the signing secret",
        description=(
            "A new secret, shown this once. The old one keeps signing alongside it for "
            "`overlap_hours` (deliveries then carry two signatures)."
        ),
        request=RotateInput,
        responses={200: WebhookEndpointWithSecret},
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        endpoint = self.get_object()
        data = _valid(RotateInput, request.data)
        endpoint, secret = _save(
            webhook_secret_rotate,
            endpoint=endpoint,
            overlap=datetime.timedelta(hours=data["overlap_hours"]),
            by=request.user,
        )
        return Response({**WebhookEndpointSerializer(endpoint).data, "secret": secret})


class ConfirmationSerializer(serializers.Serializer):
    confirmed_at = serializers.DateTimeField()
    event = serializers.CharField()


@extend_schema(tags=["webhooks"])
class NoticeConfirmView(APIView):
    """The one-time link a recipient calls when it has acted on a notice. The signed token is
    the credential: no key, no session (so no CSRF either)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Confirm a notice was acted on",
        request=None,
        responses={200: ConfirmationSerializer},
    )
    def post(self, request, token: str):
        try:
            notice = notice_confirm(token=token)
        except BadConfirmation:
            raise serializers.ValidationError(
                {"token": ["This confirmation link is not valid: it may have been altered."]}
            ) from None
        except AlreadyConfirmed:
            raise Conflict("This notice was already confirmed: the link works once.") from None
        return Response({"confirmed_at": notice.confirmed_at, "event": notice.event})
