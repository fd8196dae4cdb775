"""REST: filing a rights request (integrations with scope ``dsar``, or the public), and its
status for the requester, the privacy team or the filing integration."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts.models import ApiScope
from accounts.permissions import HasScope
from accounts.selectors import actor_is_api_key, actor_is_staff, users_of_organisation
from common.api import ErrorSerializer
from common.decorators import is_otp_verified
from common.throttles import ScopedRateThrottle
from dsar.models import Channel, RightsRequest
from dsar.selectors import requests_of_user
from dsar.serializers import RightsRequestCreatedOut, RightsRequestIn, RightsRequestStatusOut
from dsar.services.intake import (
    intake_allowed,
    rate_limited_message,
    requester_events,
    rights_request_intake,
)


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


class PublicOrDsarKey(HasScope):
    """Anyone may file (the e-mail check then applies); an API key must carry ``dsar``."""

    def has_permission(self, request, view) -> bool:
        if actor_is_api_key(request.user):
            return super().has_permission(request, view)
        return True


class PublicFilingThrottle(ScopedRateThrottle):
    """Filings without an API key, per client IP (the scope's rate, e.g. 10/hour).

    DRF's scoped throttle keys a signed-in caller by its pk, which a key's principal lacks; and
    integrations have their own per-key rate. So: POSTs without a key, by IP only.
    """

    def get_cache_key(self, request, view):
        if request.method != "POST" or actor_is_api_key(request.user):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def requests_visible_to(actor):
    """The rights requests ``actor`` may read through the API; anything else answers 404."""
    if actor_is_api_key(actor):
        return RightsRequest.objects.filter(
            channel=Channel.API, organisation_id=actor.organisation_id
        )
    if not (actor and actor.is_authenticated):
        return RightsRequest.objects.none()
    if actor_is_staff(actor) and is_otp_verified(actor):
        return RightsRequest.objects.all()
    return requests_of_user(actor)


class RightsRequestsView(APIView):
    permission_classes = [PublicOrDsarKey(ApiScope.DSAR)]
    throttle_classes = [*api_settings.DEFAULT_THROTTLE_CLASSES, PublicFilingThrottle]
    throttle_scope = "rights_public"

    @extend_schema(
        tags=["rights requests"],
        summary="File a rights request",
        description=(
            "With an API key carrying the `dsar` scope, an integration files on behalf of a "
            "data subject: the request is verified at once and the time limit runs; if the "
            "e-mail belongs to a user of the key's organisation, that account is matched. "
            "Without credentials, anyone may file: a one-time link goes to the e-mail address "
            "and the time limit starts when it is opened (`due_on` is null until then). "
            "Filings without a key are limited per IP and per e-mail address (429)."
        ),
        request=RightsRequestIn,
        responses={
            201: RightsRequestCreatedOut,
            400: _error("Invalid input, malformed JSON or an unknown field."),
            401: _error("The API key is not valid."),
            403: _error("The API key does not carry the `dsar` scope."),
            429: _error("Too many requests from this address or for this e-mail address."),
        },
        auth=[{"ApiKeyAuth": []}, {"cookieAuth": []}, {}],
    )
    def post(self, request):
        serializer = RightsRequestIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        fields = {
            "kind": data["kind"],
            "requester_name": data["requester_name"],
            "requester_email": data["requester_email"],
            "description": data.get("description", ""),
            "organisation_name": data.get("organisation_name", ""),
            "channel": Channel.API,
            "corrections": serializer.correction_items(),
            "objection_purposes": data["objection_purposes"],
        }
        principal = request.user
        if actor_is_api_key(principal):
            organisation = principal.organisation
            fields |= {
                "organisation": organisation,
                "filed_by": principal,
                "verified": True,
                "own_account": users_of_organisation(organisation)
                .filter(email__iexact=data["requester_email"])
                .first(),
            }
        elif not intake_allowed(email=data["requester_email"]):
            # Per IP, PublicFilingThrottle has already judged; this is the per-address limit.
            raise exceptions.Throttled(detail=rate_limited_message())
        rights_request = rights_request_intake(**fields)
        return Response(
            RightsRequestCreatedOut(rights_request).data, status=status.HTTP_201_CREATED
        )


class RightsRequestDetailView(APIView):
    permission_classes = [PublicOrDsarKey(ApiScope.DSAR)]

    @extend_schema(
        tags=["rights requests"],
        summary="The status of a rights request",
        description=(
            "For the requester (a session of the account that filed it from its account page, "
            "or of an account the request is matched to; never by e-mail address alone), the "
            "privacy team (session with MFA verified), or the organisation whose key filed it. "
            "Shows the status, the due date and the history the requester may see; never "
            "internal notes. Anyone else gets 404, whether or not the reference exists."
        ),
        parameters=[
            OpenApiParameter(
                "reference",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="For example RR-2026-000123.",
            )
        ],
        responses={
            200: RightsRequestStatusOut,
            401: _error("The API key is not valid."),
            403: _error("The API key does not carry the `dsar` scope."),
            404: _error("No such request, or not yours to see."),
        },
        auth=[{"ApiKeyAuth": []}, {"cookieAuth": []}, {}],
    )
    def get(self, request, reference: str):
        rights_request = requests_visible_to(request.user).filter(reference=reference).first()
        if rights_request is None:
            raise Http404
        rights_request.requester_events = list(requester_events(rights_request))
        return Response(RightsRequestStatusOut(rights_request).data)
