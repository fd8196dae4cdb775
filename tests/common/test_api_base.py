"""The REST base: every client error answers in DESIGN.md's JSON shape, never a 500."""

import pytest
from django.urls import include, path
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from accounts.models import ApiScope
from common.api import StrictSerializer
from config.urls import handler404, handler500  # noqa: F401  (this module is the URLconf)
from tests.factories import UserFactory, api_key_for

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.common.test_api_base")]


class PartInput(StrictSerializer):
    sku = serializers.CharField(max_length=10)


class WidgetInput(StrictSerializer):
    name = serializers.CharField(max_length=20)
    quantity = serializers.IntegerField(min_value=1)
    id = serializers.IntegerField(read_only=True)
    parts = PartInput(many=True, required=False)
    tags = serializers.ListField(child=serializers.IntegerField(), required=False)


@api_view(["POST"])
@permission_classes([AllowAny])
def widget_create(request):
    data = WidgetInput(data=request.data)
    data.is_valid(raise_exception=True)
    return Response(data.validated_data, status=201)


@api_view(["GET"])
def whoami(request):
    return Response({"email": request.user.email})


urlpatterns = [
    path("api/test/widgets/", widget_create),
    path("api/test/whoami/", whoami),
    path("", include("config.urls")),
]


def post(client, body, content_type="application/json"):
    return client.post("/api/test/widgets/", body, content_type=content_type)


def test_valid_input_is_accepted(client):
    response = post(client, {"name": "bolt", "quantity": 3})
    assert response.status_code == 201
    assert response.json() == {"name": "bolt", "quantity": 3}


def test_malformed_json_is_a_400_with_a_clear_message(client):
    response = post(client, '{"name": "bolt",')
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "parse_error",
            "message": "The request body is not valid JSON.",
            "fields": {},
        }
    }


def test_wrong_types_name_the_fields(client):
    response = post(client, {"name": ["a"], "quantity": "many"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"name", "quantity"}


def test_unknown_and_read_only_fields_are_refused(client):
    response = post(client, {"name": "bolt", "quantity": 1, "colour": "red", "id": 4})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "colour": ["Unknown field."],
        "id": ["This field is read-only."],
    }


def test_nested_errors_come_back_in_the_same_shape_by_field_and_item_index(client):
    response = post(
        client,
        {
            "name": "bolt",
            "quantity": 1,
            "parts": [{"sku": "ok"}, {"sku": "x" * 11, "colour": "red"}],
            "tags": [1, "two"],
        },
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "parts": {"1": {"colour": ["Unknown field."]}},
        "tags": {"1": ["A valid integer is required."]},
    }


def test_a_list_where_an_object_belongs_is_a_400(client):
    response = post(client, [1, 2, 3])
    assert response.status_code == 400
    assert "non_field_errors" in response.json()["error"]["fields"]


def test_another_content_type_is_a_415(client):
    response = post(client, "name=bolt", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_an_anonymous_caller_gets_a_json_403(client):
    response = client.get("/api/test/whoami/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_authenticated"


def test_an_unknown_api_address_is_a_json_404(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_body_over_the_limit_is_a_413(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = post(client, {"name": "x" * 200, "quantity": 1})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_the_openapi_schema_and_the_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"openapi: 3" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn" not in html.lower()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html


@pytest.mark.parametrize("cell", ["=SUM(A1:A2)", "+1", "-1", "@cmd", "\tx", "\rx"])
def test_csv_cells_that_look_like_formulas_are_written_as_text(cell):
    from common.csv import csv_text

    text = csv_text(["name"], [[cell], ["plain"]])
    assert text.splitlines()[1].lstrip('"').startswith("'")
    assert text.splitlines()[-1] == "plain"


@pytest.fixture
def users_key():
    key, plain = api_key_for(scopes=[ApiScope.USERS])
    UserFactory.create_batch(3, organisation=key.organisation)
    return {"HTTP_AUTHORIZATION": f"Api-Key {plain}"}


@pytest.mark.parametrize(
    "query",
    [
        {"page_size": "false"},
        {"page_size": "0"},
        {"page_size": "-1"},
        {"page_size": "501"},
        {"page_size": "2.5"},
        {"page": "0"},
        {"page": "last"},
        {"page": "one"},
        {"page": "9" * 30},
    ],
)
def test_paging_parameters_that_are_not_positive_whole_numbers_within_the_max_are_a_400(
    client, users_key, query
):
    response = client.get("/api/v1/users/", query, **users_key)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == set(query)


def test_valid_paging_parameters_page_the_list(client, users_key):
    response = client.get("/api/v1/users/", {"page": "2", "page_size": "2"}, **users_key)
    assert response.status_code == 200
    assert response.json()["count"] == 3
    assert len(response.json()["results"]) == 1


def test_a_page_past_the_last_is_a_404_in_the_error_shape(client, users_key):
    response = client.get("/api/v1/users/", {"page": "3", "page_size": "2"}, **users_key)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_number_where_the_schema_says_string_is_a_field_error(client):
    response = client.post(
        "/api/v1/rights-requests/",
        {"kind": "access", "requester_name": 0, "requester_email": "a@example.test"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["requester_name"] == ["Not a valid string."]
