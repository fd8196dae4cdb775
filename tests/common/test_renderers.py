"""The API's JSON renderer (common.renderers) writes what DRF's JSONRenderer writes, with orjson."""

import uuid
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework import renderers
from rest_framework.exceptions import ErrorDetail
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from common.renderers import JSONRenderer

CASES = [
    {"count": 2, "next": None, "previous": None, "results": []},
    {"text": "ünïcödé “quoted” ✓ 😀", "controls": 'tab\tnew\nline\x00\x1f\x7f back\\slash "q"'},
    {"separators": "line\u2028paragraph\u2029end"},
    {"when": datetime(2026, 7, 1, 9, 30, 5, 123456, tzinfo=UTC), "day": date(2026, 1, 2)},
    {"time": time(9, 30, 5, 123456), "naive": datetime(2026, 1, 2, 3, 4, 5)},  # noqa: DTZ001
    {"decimal": Decimal("12.50"), "uuid": uuid.UUID(int=7), "lazy": gettext_lazy("Users")},
    {"floats": [0.1, 1.5, -2.25, 123456.789, 1e15], "ints": [0, -1, 2**63 - 1], "bools": [True]},
    {1: "an int key", "nested": {"list": [{"a": None}], "tuple": (1, 2)}},
    ReturnDict(
        {"error": {"code": "invalid", "fields": {"x": [ErrorDetail("Bad.", "bad")]}}},
        serializer=None,
    ),
    ReturnList([{"id": 1}], serializer=None),
    [2**70],  # past 64 bits: DRF's renderer writes it
]


@pytest.mark.parametrize("data", CASES)
def test_it_writes_the_bytes_drf_writes(data):
    assert JSONRenderer().render(data) == renderers.JSONRenderer().render(data)


def test_an_indented_rendering_is_drf_s():
    data = {"a": [1, {"b": "c"}]}
    indented = "application/json; indent=4"
    assert JSONRenderer().render(data, indented) == renderers.JSONRenderer().render(data, indented)


def test_nothing_is_an_empty_body():
    assert JSONRenderer().render(None) == b""


def test_a_float_python_writes_with_an_exponent_is_the_same_number():
    import json

    ours, drf = JSONRenderer().render([1e-7, 1e16]), renderers.JSONRenderer().render([1e-7, 1e16])
    assert (ours, drf) == (b"[1e-7,1e+16]", b"[1e-07,1e+16]")
    assert json.loads(ours) == json.loads(drf)
