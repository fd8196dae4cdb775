"""REST: POST /api/v1/rights-requests/ and GET /api/v1/rights-requests/{reference}/."""

import pytest
from rest_framework.test import APIClient

from dsar.models import (
    Channel,
    RectificationItem,
    RequestKind,
    RequestSubject,
    RightsRequest,
    State,
)
from dsar.services.filing import rights_request_file
from dsar.services.steps import rights_request_message, rights_request_note
from dsar.services.subjects import rights_request_confirm_subject
from tests.factories import (
    DpoFactory,
    OrganisationFactory,
    SupportFactory,
    UserFactory,
    api_key_for,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/rights-requests/"


def body(**overrides):
    return {
        "kind": "access",
        "requester_name": "Ann Able",
        "requester_email": "ann@example.test",
        "description": "A copy of my data, please.",
        **overrides,
    }


@pytest.fixture
def api():
    return APIClient()


def with_key(organisation=None, scopes=("dsar",)):
    _, plain = api_key_for(organisation, scopes=scopes)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    return client


def post(client, callbacks, data, **extra):
    with callbacks(execute=True):
        return client.post(URL, data, format="json", **extra)


# --- Filing --------------------------------------------------------------------------------


def test_a_key_with_scope_dsar_files_a_verified_request_for_a_user_of_its_organisation(
    mailoutbox, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory()
    subject = UserFactory(organisation=organisation, email="ann@example.test")
    client = with_key(organisation)

    response = post(client, django_capture_on_commit_callbacks, body())

    assert response.status_code == 201
    rights_request = RightsRequest.objects.get()
    assert response.json() == {
        "reference": rights_request.reference,
        "kind": "access",
        "state": "verified",
        "due_on": rights_request.due_on.isoformat(),
    }
    assert rights_request.channel == Channel.API
    assert rights_request.organisation == organisation
    assert rights_request.filed_by_label.startswith("api-key:")
    assert list(RequestSubject.objects.values_list("user", flat=True)) == [subject.pk]
    assert [m.subject for m in mailoutbox] == [f"We have your request {rights_request.reference}"]


def test_a_key_never_links_a_user_of_another_organisation(django_capture_on_commit_callbacks):
    UserFactory(email="ann@example.test")  # in some other organisation
    client = with_key()

    response = post(client, django_capture_on_commit_callbacks, body())

    assert response.status_code == 201
    assert not RequestSubject.objects.exists()


def test_a_key_without_the_dsar_scope_is_refused(django_capture_on_commit_callbacks):
    client = with_key(scopes=("users",))

    response = post(client, django_capture_on_commit_callbacks, body())

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "missing_scope"
    assert not RightsRequest.objects.exists()


def test_the_public_files_without_credentials_and_must_confirm_the_address(
    api, mailoutbox, django_capture_on_commit_callbacks
):
    response = post(api, django_capture_on_commit_callbacks, body())

    assert response.status_code == 201
    assert response.json()["state"] == "awaiting_verification"
    assert response.json()["due_on"] is None
    rights_request = RightsRequest.objects.get()
    assert rights_request.organisation is None
    assert not RequestSubject.objects.exists()
    assert "/rights/verify/" in mailoutbox[0].body
    assert "status" not in response.json()  # no status link before the address is confirmed


def test_a_rectification_request_carries_its_corrections(api, django_capture_on_commit_callbacks):
    data = body(
        kind="rectification",
        corrections=[
            {"field": "job_title", "value": "Head of Sales"},
            {"field": "email", "value": "ann.able@example.test"},
        ],
    )

    response = post(api, django_capture_on_commit_callbacks, data)

    assert response.status_code == 201
    assert set(RectificationItem.objects.values_list("field", "proposed_value")) == {
        ("job_title", "Head of Sales"),
        ("email", "ann.able@example.test"),
    }


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (body(kind="rectification"), "corrections"),
        (body(corrections=[{"field": "job_title", "value": "x"}]), "corrections"),
        (
            body(kind="rectification", corrections=[{"field": "email", "value": "nope"}]),
            "corrections",
        ),
        (
            body(kind="rectification", corrections=[{"field": "role", "value": "dpo"}]),
            "corrections",
        ),
        (body(kind="nonsense"), "kind"),
        (body(requester_email="not-an-address"), "requester_email"),
        (body(state="completed"), "state"),
        (body(organisation="acme"), "organisation"),
    ],
)
def test_invalid_input_and_unknown_fields_answer_400(
    api, django_capture_on_commit_callbacks, data, field
):
    response = post(api, django_capture_on_commit_callbacks, data)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert field in response.json()["error"]["fields"]
    assert not RightsRequest.objects.exists()


@pytest.mark.parametrize("raw", ['{"kind": "access",', "[1, 2]", '"text"'])
def test_malformed_json_answers_400(api, raw):
    response = api.post(URL, raw, content_type="application/json")

    assert response.status_code == 400
    assert "error" in response.json()
    assert not RightsRequest.objects.exists()


def test_anonymous_filing_is_throttled_per_ip(api, monkeypatch, django_capture_on_commit_callbacks):
    from dsar.api import PublicFilingThrottle

    # DRF reads the rates from settings once, at import.
    rates = {**PublicFilingThrottle.THROTTLE_RATES, "rights_public": "2/hour"}
    monkeypatch.setattr(PublicFilingThrottle, "THROTTLE_RATES", rates)

    codes = [
        post(
            api, django_capture_on_commit_callbacks, body(requester_email=f"{n}@e.test")
        ).status_code
        for n in range(3)
    ]
    other_ip = post(
        api,
        django_capture_on_commit_callbacks,
        body(requester_email="z@e.test"),
        REMOTE_ADDR="192.0.2.9",
    )

    assert codes == [201, 201, 429]
    assert other_ip.status_code == 201
    assert RightsRequest.objects.count() == 3


def test_anonymous_filing_is_limited_per_email_address(
    api, settings, django_capture_on_commit_callbacks
):
    settings.RIGHTS_REQUEST_LIMIT_PER_EMAIL = 1
    first = post(api, django_capture_on_commit_callbacks, body())

    second = post(api, django_capture_on_commit_callbacks, body(requester_email="ANN@example.test"))

    assert (first.status_code, second.status_code) == (201, 429)
    assert second.json()["error"]["code"] == "throttled"


def test_keys_are_not_held_to_the_public_limits(settings, django_capture_on_commit_callbacks):
    settings.RIGHTS_REQUEST_LIMIT_PER_EMAIL = 1
    client = with_key()

    codes = [post(client, django_capture_on_commit_callbacks, body()).status_code for _ in "abc"]

    assert codes == [201, 201, 201]


# --- Reading a request -----------------------------------------------------------------------


@pytest.fixture
def filed():
    return rights_request_file(
        kind=RequestKind.ACCESS,
        requester_name="Ann Able",
        requester_email="ann@example.test",
        channel=Channel.WEB_FORM,
        verified=True,
    )


def detail(rights_request):
    return f"{URL}{rights_request.reference}/"


def test_the_requester_reads_status_due_date_and_visible_history_without_notes(
    api, filed, django_assert_num_queries, settings
):
    settings.USAGE_LOGGING_ENABLED = False  # its own insert per request; its tests pin that
    dpo = DpoFactory()
    rights_request_message(request=filed, body="We are on it.", by=dpo)
    rights_request_note(request=filed, body="Internal: a tricky one.", by=dpo)
    ann = UserFactory(email="ann@example.test")
    rights_request_confirm_subject(request=filed, user=ann, by=dpo)
    api.force_login(ann)

    # 1 the session, 2 the user, 3 the user's organisation (its MFA policy, middleware),
    # 4 the request, 5 its visible events
    with django_assert_num_queries(5):
        response = api.get(detail(filed))

    assert response.status_code == 200
    data = response.json()
    assert (data["reference"], data["kind"], data["state"]) == (
        filed.reference,
        "access",
        "verified",
    )
    assert data["due_on"] == filed.due_on.isoformat()
    assert data["paused"] is False
    bodies = [event["body"] for event in data["history"]]
    assert "We are on it." in bodies
    assert not any("Internal" in b for b in bodies)
    assert "note" not in {event["kind"] for event in data["history"]}


def test_another_requester_gets_404_as_for_a_reference_that_does_not_exist(api, filed):
    api.force_login(UserFactory(email="someone.else@example.test"))

    response = api.get(detail(filed))
    missing = api.get(f"{URL}RR-2026-999999/")

    assert response.status_code == missing.status_code == 404
    assert response.json() == missing.json()


def test_an_account_with_the_requesters_address_but_not_matched_to_the_request_gets_404(api, filed):
    api.force_login(UserFactory(email="ann@example.test"))

    assert api.get(detail(filed)).status_code == 404


def test_an_anonymous_caller_gets_404(api, filed):
    assert api.get(detail(filed)).status_code == 404


def test_the_filing_organisations_key_reads_it_and_another_organisations_key_gets_404(
    django_capture_on_commit_callbacks,
):
    organisation = OrganisationFactory()
    client = with_key(organisation)
    reference = post(client, django_capture_on_commit_callbacks, body()).json()["reference"]

    mine = client.get(f"{URL}{reference}/")
    theirs = with_key(OrganisationFactory()).get(f"{URL}{reference}/")

    assert mine.status_code == 200
    assert mine.json()["reference"] == reference
    assert theirs.status_code == 404


def test_a_key_of_the_requesters_employer_cannot_read_a_request_it_did_not_file(filed):
    filed.organisation = OrganisationFactory()
    filed.save(update_fields=["organisation"])

    assert with_key(filed.organisation).get(detail(filed)).status_code == 404


@pytest.mark.parametrize("factory", [DpoFactory, SupportFactory])
def test_the_privacy_team_reads_any_request_with_mfa_verified(api, filed, verified_client, factory):
    staff = factory()
    verified_client(staff, client=api)

    assert api.get(detail(filed)).status_code == 200


def test_staff_without_a_verified_second_factor_get_404(api, filed):
    api.force_login(DpoFactory())

    assert api.get(detail(filed)).status_code in (403, 404)


def test_the_schema_documents_both_endpoints(tmp_path):
    import yaml
    from django.core.management import call_command

    path = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    schema = yaml.safe_load(path.read_text())

    assert {"201", "400", "403", "429"} <= set(schema["paths"][URL]["post"]["responses"])
    assert {"200", "404"} <= set(schema["paths"][URL + "{reference}/"]["get"]["responses"])
    assert (
        State.AWAITING_VERIFICATION
        in schema["components"]["schemas"]["RightsRequestStateEnum"]["enum"]
    )
