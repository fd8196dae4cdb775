"""The SCIM 2.0 endpoints, /scim/v2/ (RFC 7644): Users, and the discovery documents.

Plain Django views, not DRF, and not django-scim2 (see the README's SCIM section for why):
each one authenticates the bearer token, reads only the token's organisation's users
(scim.selectors), and changes them only through scim.services. Every refusal is a SCIM error
body (scim.errors); an unexpected failure too, through config.views' handlers.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import wraps

import orjson
from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

import audit
from accounts.services.users import EmailTaken, InvalidTransition
from common.ratelimit import rate_bucket, window_hit
from scim.authentication import ScimPrincipal, scim_authenticate
from scim.errors import ScimError, error_response, scim_response
from scim.filters import users_filtered
from scim.patch import apply_operations
from scim.resources import (
    UserInput,
    etag,
    patched_full_name,
    project,
    read_user_input,
    user_document,
    user_resource,
)
from scim.schemas import (
    SEARCH_REQUEST,
    USER_SCHEMA,
    list_response,
    service_provider_config,
    user_resource_type,
    user_schema,
)
from scim.selectors import scim_user, scim_users, user_closed_in_organisation
from scim.services import UserChange, scim_user_create, scim_user_delete, scim_user_update

DEFAULT_COUNT = 100
MAX_START_INDEX = 2**31 - 1
SCIM_READ = "Account details, through SCIM provisioning"


def scim_endpoint(*methods: str):
    """Authenticate the token, refuse other methods (405), count the token's requests, and
    answer any ScimError in the SCIM error shape."""

    def decorator(view):
        @csrf_exempt  # a bearer token, never a cookie, authenticates these requests
        @wraps(view)
        def endpoint(request: HttpRequest, **kwargs) -> HttpResponse:
            try:
                principal = scim_authenticate(request)
                if request.method not in methods:
                    raise ScimError(
                        405,
                        f"{request.method} is not allowed here.",
                        headers={"Allow": ", ".join(methods)},
                    )
                _count_request(principal)
                return view(request, principal, **kwargs)
            except ScimError as error:
                return error_response(error)

        return endpoint

    return decorator


def _count_request(principal: ScimPrincipal) -> None:
    # One round trip: counted in a fixed window even when refused, which never lengthens the
    # wait (the window ends a minute after its first request).
    count, _ = window_hit(rate_bucket("scim", "token", principal.api_key.prefix), 60)
    if count > settings.SCIM_REQUESTS_PER_MINUTE:
        raise ScimError(
            429,
            "Too many requests with this token. Try again in a minute.",
            headers={"Retry-After": "60"},
        )


def _body(request: HttpRequest):
    try:
        raw = request.body
    except RequestDataTooBig:
        raise ScimError(413, "The request is too large.") from None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise ScimError(400, "The body is not valid JSON.", "invalidSyntax") from None


@contextmanager
def _service_errors(principal: ScimPrincipal, email: str = "") -> Iterator[None]:
    try:
        yield
    except EmailTaken:
        if user_closed_in_organisation(principal.organisation_id, email):
            detail = (
                "userName belongs to a closed account of your organisation: the address stays "
                "taken until that account's data is erased at the end of its retention period."
            )
        else:
            detail = "userName is already in use by another account."
        raise ScimError(409, detail, "uniqueness") from None
    except PermissionDenied as exc:
        raise ScimError(403, str(exc) or "You may not do that.") from None
    except InvalidTransition as exc:
        raise ScimError(409, " ".join(exc.messages)) from None
    except ValidationError as exc:
        raise ScimError(400, " ".join(exc.messages), "invalidValue") from None


def _base() -> str:
    return reverse("scim:root")


def _location(request: HttpRequest, user) -> str:
    return request.build_absolute_uri(reverse("scim:user", kwargs={"user_id": user.pk}))


def _resource_response(request, user, *, status: int = 200) -> HttpResponse:
    resource = user_resource(user, _location(request, user))
    headers = {"ETag": resource["meta"]["version"], "Location": resource["meta"]["location"]}
    shown = project(
        resource,
        attributes=request.GET.get("attributes"),
        excluded=request.GET.get("excludedAttributes"),
    )
    return scim_response(shown, status, headers)


# --- Listing and filtering --------------------------------------------------------------


def _whole_number(value, name: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value) < 20:
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ScimError(400, f"{name} must be a whole number.", "invalidValue")


def _listing(request, principal: ScimPrincipal, query: dict) -> HttpResponse:
    # RFC 7644 section 3.4.2.4: a startIndex below 1 is 1; a negative count is 0.
    start = min(max(_whole_number(query.get("startIndex"), "startIndex") or 1, 1), MAX_START_INDEX)
    count = _whole_number(query.get("count"), "count")
    count = DEFAULT_COUNT if count is None else min(max(count, 0), settings.SCIM_MAX_RESULTS)
    users = scim_users(principal.organisation_id)
    if (text := query.get("filter")) is not None:
        users = users_filtered(users, text)
    # Two queries whatever the page: the count, and the page with each user's SCIM identity.
    total = users.count()
    page = list(users[start - 1 : start - 1 + count]) if count else []
    resources = [
        project(
            user_resource(user, _location(request, user)),
            attributes=query.get("attributes"),
            excluded=query.get("excludedAttributes"),
        )
        for user in page
    ]
    return scim_response(list_response(resources, total=total, start_index=start))


def _as_text(value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ",".join(value)
    raise ScimError(400, "attributes are a list of names.", "invalidValue")


# --- Users --------------------------------------------------------------------------------


def _change(data: UserInput, *, full_name: str, active: bool | None) -> UserChange:
    return UserChange(
        email=data.user_name,
        full_name=full_name,
        job_title=data.title,
        external_id=data.external_id,
        given_name=data.given_name,
        family_name=data.family_name,
        active=active,
    )


@scim_endpoint("GET", "POST")
def users(request: HttpRequest, principal: ScimPrincipal) -> HttpResponse:
    if request.method == "GET":
        return _listing(request, principal, request.GET)
    data = read_user_input(_body(request))
    change = _change(
        data,
        full_name=data.full_name(fallback=data.user_name.partition("@")[0]),
        active=data.active is not False,
    )
    with _service_errors(principal, data.user_name):
        user = scim_user_create(organisation=principal.organisation, change=change, by=principal)
    created = scim_user(principal.organisation_id, str(user.pk))
    return _resource_response(request, created, status=201)


@scim_endpoint("POST")
def users_search(request: HttpRequest, principal: ScimPrincipal) -> HttpResponse:
    body = _body(request)
    schemas = body.get("schemas") if isinstance(body, dict) else None
    if not isinstance(schemas, list) or SEARCH_REQUEST not in schemas:
        raise ScimError(400, f"The body must be a {SEARCH_REQUEST}.", "invalidSyntax")
    query = {
        "filter": body.get("filter"),
        "startIndex": body.get("startIndex"),
        "count": body.get("count"),
        "attributes": _as_text(body.get("attributes")),
        "excludedAttributes": _as_text(body.get("excludedAttributes")),
    }
    return _listing(request, principal, query)


def _tags(header: str | None) -> set[str]:
    return {tag.strip() for tag in (header or "").split(",") if tag.strip()}


def _require_match(request: HttpRequest, current: str) -> None:
    """If-Match (RFC 7644 section 3.14): change only the version the client read."""
    wanted = request.META.get("HTTP_IF_MATCH")
    if wanted is None:
        return
    tags = _tags(wanted)
    if "*" not in tags and current not in tags:
        raise ScimError(412, "The user changed since you read it: read it again.")


@scim_endpoint("GET", "PUT", "PATCH", "DELETE")
def user(request: HttpRequest, principal: ScimPrincipal, user_id: str) -> HttpResponse:
    person = scim_user(principal.organisation_id, user_id)
    if person is None:
        raise ScimError(404, f"No user {user_id[:40]} in your organisation.")
    current = etag(user_resource(person, _location(request, person)))
    if request.method == "GET":
        if current in _tags(request.META.get("HTTP_IF_NONE_MATCH")):
            return HttpResponse(status=304, headers={"ETag": current})
        audit.record(principal, "user.view", target=person, details={"seen": SCIM_READ})
        return _resource_response(request, person)
    _require_match(request, current)
    if request.method == "DELETE":
        with _service_errors(principal):
            scim_user_delete(user=person, by=principal)
        return HttpResponse(status=204)
    body = _body(request)
    if request.method == "PUT":
        data = read_user_input(body)
        full_name = data.full_name(fallback=person.full_name)
        change = _change(data, full_name=full_name, active=data.active)
    else:
        before = user_document(person)
        data = read_user_input(apply_operations(before, body))
        full_name = patched_full_name(before, data, person.full_name)
        change = _change(data, full_name=full_name, active=data.active)
    with _service_errors(principal, data.user_name):
        scim_user_update(user=person, change=change, by=principal)
    return _resource_response(request, scim_user(principal.organisation_id, user_id))


# --- Discovery ----------------------------------------------------------------------------


@scim_endpoint("GET")
def service_provider_config_view(request: HttpRequest, principal: ScimPrincipal) -> HttpResponse:
    return scim_response(service_provider_config(request, _base()))


@scim_endpoint("GET")
def resource_types(request: HttpRequest, principal: ScimPrincipal, type_id: str = ""):
    document = user_resource_type(request, _base())
    if not type_id:
        return scim_response(list_response([document], total=1))
    if type_id != "User":
        raise ScimError(404, "The only resource type is User: Groups are not offered.")
    return scim_response(document)


@scim_endpoint("GET")
def schemas(request: HttpRequest, principal: ScimPrincipal, schema_id: str = "") -> HttpResponse:
    document = user_schema(request, _base())
    if not schema_id:
        return scim_response(list_response([document], total=1))
    if schema_id != USER_SCHEMA:
        raise ScimError(404, f"The only schema is {USER_SCHEMA}.")
    return scim_response(document)


NOT_OFFERED = {
    "groups": (404, "Groups are not offered: roles are managed in the console."),
    "bulk": (501, "Bulk operations are not supported."),
    "me": (501, "/Me is not supported: a token acts for the organisation, not a person."),
}


@scim_endpoint("GET", "POST", "PUT", "PATCH", "DELETE")
def not_found(request: HttpRequest, principal: ScimPrincipal, rest: str = "") -> HttpResponse:
    first = rest.strip("/").partition("/")[0].lower()
    status, detail = NOT_OFFERED.get(first, (404, "There is no such SCIM endpoint."))
    raise ScimError(status, detail)
