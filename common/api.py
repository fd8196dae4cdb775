"""The REST base: the error shape of DESIGN.md, pagination and strict input."""

import copy
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler as drf_exception_handler

from common.statements import ListingPaginator

MESSAGES = {
    "invalid": "The request has invalid fields.",
    "parse_error": "The request body is not valid JSON.",
}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with existing data."
    default_code = "conflict"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request is too large."
    default_code = "payload_too_large"


def error_body(code: str, message: str, fields: Mapping | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": dict(fields or {})}}


def error_fields(detail) -> list[str] | dict:
    """DRF's error detail, nested ones included, in one shape: a field's messages (a list of
    strings), or a map of its own parts' errors by name or, for a list, by index."""
    if isinstance(detail, Mapping):
        return {str(name): error_fields(errors) for name, errors in detail.items()}
    if isinstance(detail, list | tuple):
        if any(isinstance(item, Mapping | list | tuple) for item in detail):
            # A list serializer's errors: one entry per item, empty for the valid ones.
            return {str(index): error_fields(item) for index, item in enumerate(detail) if item}
        return [str(message) for message in detail]
    return [str(detail)]


def exception_handler(exc, context):
    """Answer every client error as {"error": {"code", "message", "fields"}}."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        fields = detail if isinstance(detail, Mapping) else {"non_field_errors": detail}
        response.data = error_body("invalid", MESSAGES["invalid"], error_fields(fields))
    else:
        code = getattr(exc, "default_code", "error")
        if isinstance(exc.detail, exceptions.ErrorDetail):
            code = exc.detail.code or code
        message = MESSAGES.get(code, str(exc.detail))
        response.data = error_body(code, message)
    return response


def api_datetime(value, time_zone) -> str | None:
    """``value`` as DRF's DateTimeField shows it: ISO 8601 in ``time_zone`` (the current one),
    UTC as "Z"."""
    if value is None:
        return None
    text = value.astimezone(time_zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class Pagination(PageNumberPagination):
    """Page numbers; ``page`` and ``page_size`` are positive integers or a 400, never ignored."""

    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request) -> int:
        return self._positive_integer(request, self.page_size_query_param, self.max_page_size) or (
            self.page_size
        )

    def get_page_number(self, request, paginator) -> int:
        # A number past the last page is still a 404 (DRF's "Invalid page.").
        return self._positive_integer(request, self.page_query_param) or 1

    @staticmethod
    def _positive_integer(request, name: str, maximum: int | None = None) -> int | None:
        text = request.query_params.get(name, "")
        if not text:
            return None
        value = int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else 0
        if value < 1 or (maximum is not None and value > maximum):
            bound = f" up to {maximum}" if maximum is not None else ""
            raise exceptions.ValidationError({name: [f"A whole number from 1{bound}."]})
        return value

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters


class ListingPagination(Pagination):
    """Pages a ``common.statements.Listing``: each page and its count in one statement."""

    django_paginator_class = ListingPaginator


class StrictSerializer(serializers.Serializer):
    """A serializer that rejects fields it does not know, or may not write."""

    def to_internal_value(self, data):
        if not isinstance(data, Mapping):
            return super().to_internal_value(data)
        refused, mistyped = {}, {}
        for name, value in data.items():
            field = self.fields.get(name)
            if field is None:
                refused[name] = ["Unknown field."]
            elif field.read_only:
                refused[name] = ["This field is read-only."]
            elif isinstance(field, serializers.CharField) and not isinstance(value, str | None):
                # DRF would take 0 as "0": the schema says string, so the answer says so too.
                mistyped[name] = ["Not a valid string."]
        if refused:
            raise exceptions.ValidationError(refused)
        try:
            validated = super().to_internal_value(data)
        except exceptions.ValidationError as error:
            raise exceptions.ValidationError({**error.detail, **mistyped}) from None
        if mistyped:
            raise exceptions.ValidationError(mistyped)
        return validated


# DRF's ModelSerializer, reading its model once per process instead of once per response:
# DRF builds a ModelSerializer's fields anew for every instance (model introspection, about
# 0.3 ms of every response that uses one); these are built the first time and copied after, as
# a plain Serializer's declared fields are. Not for a serializer whose fields depend on the
# request or the context. (A comment, not a docstring: the API schema would show a docstring
# as the description of every serializer that inherits it.)
class ModelSerializer(serializers.ModelSerializer):
    def get_fields(self):
        built = type(self).__dict__.get("_fields_built")
        if built is None:
            built = super().get_fields()
            type(self)._fields_built = built  # a race builds it twice: the same fields
        return copy.deepcopy(built)


class StrictModelSerializer(StrictSerializer, ModelSerializer):
    pass


# The schema of an error's "fields": messages per field, or, for a nested object or a list of
# them, the same map one level down (common.schema registers the component).
ERROR_FIELDS_SCHEMA = {
    "type": "object",
    "description": (
        "Messages per field. A nested object's errors, or a list's by item index, are the "
        "same map one level down."
    ),
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {"type": "string"}},
            {"$ref": "#/components/schemas/ErrorFields"},
        ]
    },
}


@extend_schema_field({"$ref": "#/components/schemas/ErrorFields"})
class ErrorFieldsField(serializers.DictField):
    pass


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = ErrorFieldsField()


class ErrorSerializer(serializers.Serializer):
    """The shape of every client error (DESIGN.md)."""

    error = ErrorBodySerializer()
