"""The OpenAPI schema: every operation documents the errors it can answer, in one place.

Kept apart from common.api: DRF's settings import that module, and drf-spectacular's
AutoSchema imports DRF's views, which read those settings.
"""

from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent

from common.api import ERROR_FIELDS_SCHEMA, ErrorSerializer, StrictSerializer

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

# Statuses any operation can answer, whatever its view says.
EVERY_OPERATION = {
    "400": "Invalid input: `fields` names what is wrong (unknown fields included); a "
    "malformed or over-deep JSON body; a control character in the query string.",
    "401": "The API key is not valid, revoked or expired.",
    "403": "Not allowed: not signed in, missing scope, wrong role, or MFA not verified.",
    "429": "Too many requests.",
}
WITH_A_BODY = {
    "413": "The request body is too large.",
    "415": "The body is not `application/json`.",
}
NOT_FOUND = "Nothing at this address for you (another organisation's reads the same), or a "
NOT_FOUND += "page number past the last page."


class AutoSchema(openapi.AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        registry.register_on_missing(
            ResolvedComponent(
                name="ErrorFields",
                type=ResolvedComponent.SCHEMA,
                object="ErrorFields",
                schema=ERROR_FIELDS_SCHEMA,
            )
        )
        error = {
            "application/json": {"schema": self.resolve_serializer(ErrorSerializer, "response").ref}
        }
        responses = operation["responses"]
        for code, description in self._error_statuses().items():
            responses.setdefault(code, {"description": description, "content": error})
        return operation

    def _error_statuses(self) -> dict[str, str]:
        statuses = dict(EVERY_OPERATION)
        if self.method in BODY_METHODS:
            statuses |= WITH_A_BODY
        if "{" in self.path or self.method == "GET":
            statuses["404"] = NOT_FOUND
        return statuses

    def _map_serializer(self, serializer, direction, bypass_extensions=False):
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        if direction == "request" and isinstance(serializer, StrictSerializer):
            # StrictSerializer answers 400 for a field it does not know.
            schema["additionalProperties"] = False
        return schema
