"""The OpenAPI schema stays valid, documents the users API and the Api-Key scheme, and says
what every operation can answer: its errors, in their shape, and what input it refuses."""

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema(django_db_blocker, tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "schema.yaml"
    with django_db_blocker.unblock():
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_the_schema_validates_without_warnings(schema):
    assert {
        "/api/v1/users/",
        "/api/v1/users/{id}/",
        "/api/v1/users/{id}/suspend/",
        "/api/v1/users/{id}/reactivate/",
        "/api/v1/users/{id}/terminate/",
    } <= set(schema["paths"])
    assert set(schema["paths"]["/api/v1/users/{id}/"]) == {"get", "patch"}  # no PUT, no DELETE
    assert schema["components"]["securitySchemes"]["ApiKeyAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "`Api-Key <key>`: a key made in the client admin console.",
    }
    invite = schema["paths"]["/api/v1/users/"]["post"]
    assert {"201", "400", "409"} <= set(invite["responses"])
    rectify = schema["paths"]["/api/v1/users/{id}/"]["patch"]
    assert {"200", "202"} <= set(rectify["responses"])  # 202: a new address awaits confirmation
    assert "pending_email" in schema["components"]["schemas"]["User"]["properties"]


def test_every_operation_documents_each_error_it_can_answer_in_the_error_shape(schema):
    error = {"$ref": "#/components/schemas/Error"}
    for path, method, operation in operations(schema):
        expected = {"400", "401", "403", "429"}
        if method in {"post", "put", "patch"}:
            expected |= {"413", "415"}
        if "{" in path or method == "get":
            expected.add("404")
        responses = operation["responses"]
        assert expected <= set(responses), (method, path)
        for status in expected:
            assert responses[status]["content"]["application/json"]["schema"] == error


def test_the_error_fields_are_messages_or_nested_errors_by_name_or_index(schema):
    components = schema["components"]["schemas"]
    assert components["ErrorBody"]["properties"]["fields"] == {
        "$ref": "#/components/schemas/ErrorFields"
    }
    assert components["ErrorFields"]["additionalProperties"]["oneOf"] == [
        {"type": "array", "items": {"type": "string"}},
        {"$ref": "#/components/schemas/ErrorFields"},
    ]


def test_strict_request_bodies_say_they_refuse_unknown_fields(schema):
    components = schema["components"]["schemas"]
    for name in (
        "UserCreateInputRequest",
        "PatchedUserUpdateInputRequest",
        "UserSuspendInputRequest",
        "RightsRequestInRequest",
        "CorrectionInRequest",
    ):
        assert components[name]["additionalProperties"] is False, name


def test_paging_parameters_are_documented_with_their_bounds(schema):
    parameters = {
        p["name"]: p["schema"] for p in schema["paths"]["/api/v1/users/"]["get"]["parameters"]
    }
    assert parameters["page"] == {"type": "integer", "minimum": 1}
    assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 500}
