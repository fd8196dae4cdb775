"""The users API, /api/v1/users/: for client admins (session) and API keys with scope "users".

Rows come from ``users_visible_to``: a key or a client admin sees its own organisation only,
so an id of another organisation answers 404. Every change goes through accounts.services.
A key acts on members only: changing, inviting or promoting a client admin with one is a 403.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

import audit
from accounts.api_selectors import users_listed_by_api
from accounts.forms import UserFilterForm
from accounts.models import ApiScope, Organisation, Role, User
from accounts.permissions import HasScope
from accounts.selectors import user_administers, users_visible_to, users_with_pending_email
from accounts.serializers import (
    EmptyInput,
    UserCreateInput,
    UserSerializer,
    UserSuspendInput,
    UserUpdateInput,
    listed_users,
)
from accounts.services.email_changes import user_email_change_request
from accounts.services.invitations import user_invite
from accounts.services.users import (
    EmailTaken,
    InvalidTransition,
    user_change_role,
    user_reactivate,
    user_rectify,
    user_suspend,
    user_terminate,
)
from common.api import Conflict, ErrorSerializer, ListingPagination

EMAIL_TAKEN = "A user with this e-mail address already exists."
API_READ = "Account details, through the users API"


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


ERRORS = {
    400: _error("Invalid input: the fields say what is wrong."),
    401: _error("The API key is not valid."),
    403: _error("Not allowed: missing scope, wrong role, or MFA not verified."),
    429: _error("Too many failed API-key authentications from this address."),
}
NOT_FOUND = {404: _error("No such user in your organisation.")}
CONFLICT = {409: _error("The request conflicts with the user's state or another user.")}
# The writes: a key may not act on, create or promote a client admin (accounts.services).
WRITE_FORBIDDEN = {
    403: _error(
        "Not allowed: missing scope, wrong role, MFA not verified, or an API key acting on a "
        "client admin (keys act on members only; a client admin manages client admins in the "
        "console)."
    )
}


@contextmanager
def service_errors() -> Iterator[None]:
    """Answer the services' refusals in the REST error shape.

    InvalidTransition is a ValidationError, but the input was fine: the account's state is
    what conflicts, so it is a 409. PermissionDenied passes through to DRF (403).
    """
    try:
        yield
    except EmailTaken:
        raise Conflict(EMAIL_TAKEN) from None
    except InvalidTransition as exc:
        raise Conflict(" ".join(exc.messages)) from None
    except DjangoValidationError as exc:
        fields = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        raise serializers.ValidationError(fields) from None


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _organisation_for_invite(actor, slug: str | None) -> Organisation:
    """The organisation an invitation goes to: the caller's own unless staff name one."""
    if slug:
        organisation = Organisation.objects.filter(slug=slug).first()
        # Another organisation's slug reads exactly like one that does not exist.
        if organisation is None or not user_administers(actor, organisation.pk):
            raise serializers.ValidationError({"organisation": ["Unknown organisation."]})
        return organisation
    if actor.organisation_id is None:
        raise serializers.ValidationError({"organisation": ["This field is required."]})
    return actor.organisation


def _list_filters(request) -> dict:
    """The list's filters, checked by the console's filter form. Most calls (an integration
    reading every page) send none: they skip building the form."""
    if not request.query_params.keys() & UserFilterForm.base_fields.keys():
        return {}
    filters = UserFilterForm(request.query_params)
    if not filters.is_valid():
        raise serializers.ValidationError(
            {name: list(errors) for name, errors in filters.errors.items()}
        )
    return filters.cleaned_data


FILTER_PARAMETERS = [
    OpenApiParameter("search", OpenApiTypes.STR, description="Part of the name or e-mail."),
    OpenApiParameter("role", OpenApiTypes.STR, enum=Role.values),
    OpenApiParameter("status", OpenApiTypes.STR, enum=User.Status.values),
]


@extend_schema(tags=["users"])
class UserViewSet(viewsets.GenericViewSet):
    """Users of the caller's organisation (every organisation for DPO and support staff)."""

    permission_classes = [HasScope(ApiScope.USERS)]
    serializer_class = UserSerializer
    pagination_class = ListingPagination
    queryset = User.objects.none()  # the real one is get_queryset(), scoped to the caller
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        users = users_visible_to(self.request.user).order_by("full_name", "email")
        return users_with_pending_email(users)

    @extend_schema(
        summary="List users",
        parameters=FILTER_PARAMETERS,
        responses={200: UserSerializer(many=True), **ERRORS},
    )
    def list(self, request):
        # One query whatever the page size: the page (organisation joined) and the count.
        users = users_listed_by_api(request.user, **_list_filters(request))
        return self.get_paginated_response(listed_users(self.paginate_queryset(users)))

    @extend_schema(
        summary="Invite a user",
        description="Creates an invited user and e-mails them a one-time link.",
        request=UserCreateInput,
        responses={201: UserSerializer, **ERRORS, **WRITE_FORBIDDEN, **CONFLICT},
    )
    def create(self, request):
        data = _valid(UserCreateInput, request.data)
        organisation = _organisation_for_invite(request.user, data.pop("organisation", None))
        with service_errors():
            user = user_invite(organisation=organisation, by=request.user, **data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Read a user", responses={200: UserSerializer, **ERRORS, **NOT_FOUND})
    def retrieve(self, request, pk=None):
        user = self.get_object()
        # Each read of one person is recorded, as the back office's and the console's views are.
        audit.record(request.user, "user.view", target=user, details={"seen": API_READ})
        return Response(UserSerializer(user).data)

    @extend_schema(
        summary="Rectify a user's details or change their role",
        description=(
            "`full_name`, `job_title` and `role` change at once (200). A new `email` does not: "
            "a confirmation link goes to the new address and the current address is told; the "
            "answer is 202 with the new address in `pending_email`, and `email` changes only "
            "when the link is followed. The answer is the same whether or not the new address "
            "belongs to another account."
        ),
        request=UserUpdateInput,
        responses={
            200: UserSerializer,
            202: OpenApiResponse(
                UserSerializer,
                description="Saved, and a confirmation link was sent to the new e-mail address.",
            ),
            **ERRORS,
            **WRITE_FORBIDDEN,
            **NOT_FOUND,
            **CONFLICT,
        },
    )
    def partial_update(self, request, pk=None):
        user = self.get_object()
        data = _valid(UserUpdateInput, request.data)
        role = data.pop("role", None)
        new_email = data.pop("email", None)
        # One request, one outcome: a refused role change undoes the rectification with it.
        with service_errors(), transaction.atomic():
            if data:
                user = user_rectify(user=user, by=request.user, **data)
            if role is not None:
                user = user_change_role(user=user, role=role, by=request.user)
            change = None
            if new_email is not None:
                change = user_email_change_request(user=user, new_email=new_email, by=request.user)
        user = self.get_queryset().get(pk=user.pk)
        answer = status.HTTP_202_ACCEPTED if change is not None else status.HTTP_200_OK
        return Response(UserSerializer(user).data, status=answer)

    @extend_schema(
        summary="Suspend a user",
        description="The account cannot log in and its open sessions end. A reason is required.",
        request=UserSuspendInput,
        responses={200: UserSerializer, **ERRORS, **WRITE_FORBIDDEN, **NOT_FOUND, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        user = self.get_object()
        data = _valid(UserSuspendInput, request.data)
        with service_errors():
            user = user_suspend(user=user, reason=data["reason"], by=request.user)
        return Response(UserSerializer(user).data)

    @extend_schema(
        summary="Reactivate a suspended user",
        request=None,
        responses={200: UserSerializer, **ERRORS, **WRITE_FORBIDDEN, **NOT_FOUND, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        user = self.get_object()
        _valid(EmptyInput, request.data)
        with service_errors():
            user = user_reactivate(user=user, by=request.user)
        return Response(UserSerializer(user).data)

    @extend_schema(
        summary="Terminate a user",
        description="Ends the account for good; the retention clock for its data starts.",
        request=None,
        responses={200: UserSerializer, **ERRORS, **WRITE_FORBIDDEN, **NOT_FOUND, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        user = self.get_object()
        _valid(EmptyInput, request.data)
        with service_errors():
            user = user_terminate(user=user, by=request.user)
        return Response(UserSerializer(user).data)
