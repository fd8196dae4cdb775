"""SCIM error answers (RFC 7644 section 3.12): every refusal of /scim/v2/ is this JSON body,
with the status as a string and a ``scimType`` where the RFC defines one."""

import orjson
from django.http import HttpResponse

SCIM_CONTENT_TYPE = "application/scim+json"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"


class ScimError(Exception):
    """A refusal to answer as a SCIM error. ``scim_type`` is one of the RFC's: invalidFilter,
    tooMany, uniqueness, mutability, invalidSyntax, invalidPath, noTarget, invalidValue,
    invalidVers, sensitive."""

    def __init__(
        self, status: int, detail: str, scim_type: str | None = None, headers: dict | None = None
    ):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.scim_type = scim_type
        self.headers = headers or {}


def scim_response(body: dict | None, status: int = 200, headers: dict | None = None):
    response = HttpResponse(
        orjson.dumps(body) if body is not None else b"",
        status=status,
        content_type=SCIM_CONTENT_TYPE,
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error_response(error: ScimError) -> HttpResponse:
    body = {"schemas": [ERROR_SCHEMA], "status": str(error.status), "detail": error.detail}
    if error.scim_type:
        body["scimType"] = error.scim_type
    return scim_response(body, error.status, error.headers)


def scim_error(status: int, detail: str, scim_type: str | None = None) -> HttpResponse:
    return error_response(ScimError(status, detail, scim_type))
