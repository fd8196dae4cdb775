"""An objection to legitimate interests names the uses objected to, on the public form, the
account page and the API; only uses the record of processing bases on legitimate interests
are offered or accepted."""

import pytest
from rest_framework.test import APIClient

from datamap.purposes import Purpose
from dsar.models import RequestKind, RightsRequest
from records.models import ProcessingActivity
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OBJECTION = {
    "kind": RequestKind.OBJECTION,
    "requester_name": "Ann Able",
    "requester_email": "ann@example.test",
    "description": "I do not want my employer to see how I use the product.",
    "organisation_name": "",
    "website": "",
}


def test_the_form_offers_only_uses_on_legitimate_interests(client):
    page = client.get("/rights/").content.decode()
    for purpose in (Purpose.SECURITY, Purpose.USAGE, Purpose.ANALYTICS, Purpose.SUPPORT):
        assert f'value="{purpose.value}"' in page
        assert purpose.label in page
    for purpose in (Purpose.ACCOUNTS, Purpose.RIGHTS, Purpose.COOKIES):
        assert f'value="{purpose.value}"' not in page


def test_the_offer_follows_the_legal_bases_in_the_record(client):
    ProcessingActivity.objects.filter(slug=Purpose.SUPPORT).update(legal_basis="contract")
    assert 'value="support"' not in client.get("/rights/").content.decode()


def test_an_objection_without_a_use_named_is_refused_next_to_the_field(client):
    response = client.post("/rights/", OBJECTION)
    assert response.status_code == 400
    assert "Choose at least one use of your data." in response.content.decode()
    assert not RightsRequest.objects.exists()


def test_a_use_not_on_legitimate_interests_cannot_be_objected_to(client):
    response = client.post("/rights/", {**OBJECTION, "objection_purposes": ["accounts"]})
    assert response.status_code == 400
    assert not RightsRequest.objects.exists()


def test_the_public_form_files_the_uses_in_the_records_order(client):
    response = client.post("/rights/", {**OBJECTION, "objection_purposes": ["analytics", "usage"]})
    assert response.status_code == 302
    assert RightsRequest.objects.get().objection_purposes == ["usage", "analytics"]


def test_marketing_on_consent_is_not_offered_as_a_legitimate_interest(client):
    # Newsletters go only to people who ticked them: unticking, or objecting to direct
    # marketing, stops them; an objection to legitimate interests has nothing to stop there.
    assert "Marketing communications" not in client.get("/rights/").content.decode()
    response = client.post("/rights/", {**OBJECTION, "objection_purposes": ["marketing"]})
    assert response.status_code == 400


def test_uses_ticked_for_another_kind_of_request_are_not_kept(client):
    client.post(
        "/rights/", {**OBJECTION, "kind": RequestKind.ACCESS, "objection_purposes": ["usage"]}
    )
    assert RightsRequest.objects.get().objection_purposes == []


def test_the_account_page_files_them_too(verified_client):
    user = UserFactory()
    client = verified_client(user)
    response = client.post(
        "/account/rights/",
        {
            "kind": RequestKind.OBJECTION,
            "description": "Stop.",
            "objection_purposes": ["analytics"],
        },
    )
    assert response.status_code == 302
    assert RightsRequest.objects.get().objection_purposes == ["analytics"]


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "objection"},
        {"kind": "objection", "objection_purposes": ["accounts"]},
        {"kind": "objection", "objection_purposes": ["nonsense"]},
        {"kind": "access", "objection_purposes": ["usage"]},
    ],
)
def test_the_api_refuses_an_objection_without_valid_uses_with_a_json_error(data):
    response = APIClient().post(
        "/api/v1/rights-requests/",
        {"requester_name": "Ann", "requester_email": "ann@example.test", **data},
        format="json",
    )
    assert response.status_code == 400
    assert "objection_purposes" in response.json()["error"]["fields"]
    assert not RightsRequest.objects.exists()


def test_the_api_files_an_objection_with_its_uses(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = APIClient().post(
            "/api/v1/rights-requests/",
            {
                "kind": "objection",
                "requester_name": "Ann",
                "requester_email": "ann@example.test",
                "objection_purposes": ["analytics", "usage"],
            },
            format="json",
        )
    assert response.status_code == 201
    assert RightsRequest.objects.get().objection_purposes == ["usage", "analytics"]
