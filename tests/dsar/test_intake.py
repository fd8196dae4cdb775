"""Filing a rights request: the public form (honeypot, rate limits), the verification link, and
filing from the account page."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEntry
from dsar.models import (
    Channel,
    RectificationItem,
    RequestKind,
    RequestSubject,
    RightsRequest,
    State,
)
from tests.factories import DpoFactory, UserFactory

pytestmark = pytest.mark.django_db

FORM_URL = "/rights/"
LONDON_NOON = datetime.time(12, tzinfo=datetime.UTC)


def at(day):
    return time_machine.travel(datetime.datetime.combine(day, LONDON_NOON), tick=False)


def form_data(**overrides):
    data = {
        "kind": RequestKind.ACCESS,
        "requester_name": "Ann Able",
        "requester_email": "ann@example.test",
        "description": "Please send me a copy of my data.",
        "organisation_name": "Acme Ltd",
        "website": "",
    }
    return {**data, **overrides}


def post_form(client, callbacks, ip="198.51.100.1", **overrides):
    with callbacks(execute=True):
        return client.post(FORM_URL, form_data(**overrides), REMOTE_ADDR=ip)


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_the_form_explains_every_kind_of_request(client):
    response = client.get(FORM_URL)

    assert response.status_code == 200
    page = response.content.decode()
    for kind in RequestKind:
        assert kind.label in page
    assert 'tabindex="-1"' in page and 'aria-hidden="true"' in page  # the honeypot


def test_the_form_files_a_request_and_sends_the_verification_email(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    response = post_form(client, django_capture_on_commit_callbacks)

    rights_request = RightsRequest.objects.get()
    assert rights_request.state == State.AWAITING_VERIFICATION
    assert rights_request.channel == Channel.WEB_FORM
    assert rights_request.organisation_name == "Acme Ltd"
    assert rights_request.due_on is None
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert b"Check your e-mail" in page.content
    assert rights_request.reference.encode() in page.content
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["ann@example.test"]
    assert rights_request.reference in mailoutbox[0].subject
    assert "/rights/verify/" in mailoutbox[0].body


def test_a_rectification_request_stores_each_proposed_correction(
    client, django_capture_on_commit_callbacks
):
    post_form(
        client,
        django_capture_on_commit_callbacks,
        kind=RequestKind.RECTIFICATION,
        **{"correct-full_name": "Ann B. Able", "correct-job_title": "", "correct-email": ""},
    )

    item = RectificationItem.objects.get()
    assert (item.field, item.proposed_value) == ("full_name", "Ann B. Able")
    assert item.decision == RectificationItem.Decision.PENDING


def test_a_rectification_request_without_a_correction_is_refused_with_a_clear_error(client):
    response = client.post(FORM_URL, form_data(kind=RequestKind.RECTIFICATION))

    assert response.status_code == 400
    assert b"give the corrected value of at least one field" in response.content
    assert not RightsRequest.objects.exists()


def test_errors_are_shown_next_to_their_fields(client):
    response = client.post(FORM_URL, form_data(requester_email="not an address", kind=""))

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_requester_email_error"' in page
    assert 'id="id_kind_error"' in page
    assert not RightsRequest.objects.exists()


def test_a_filled_honeypot_looks_accepted_but_files_nothing(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    response = post_form(client, django_capture_on_commit_callbacks, website="http://spam.test")

    assert response.status_code == 302
    assert b"Check your e-mail" in client.get(response["Location"]).content
    assert not RightsRequest.objects.exists()
    assert mailoutbox == []


def test_one_ip_may_file_only_a_few_requests_an_hour(
    client, settings, django_capture_on_commit_callbacks
):
    settings.RIGHTS_REQUEST_LIMIT_PER_IP = 2
    for n in range(2):
        post_form(client, django_capture_on_commit_callbacks, requester_email=f"p{n}@example.test")

    response = post_form(
        client, django_capture_on_commit_callbacks, requester_email="p9@example.test"
    )

    assert response.status_code == 429
    assert b"several requests from you recently" in response.content
    assert RightsRequest.objects.count() == 2
    other_ip = post_form(
        client, django_capture_on_commit_callbacks, ip="198.51.100.2", requester_email="x@e.test"
    )
    assert other_ip.status_code == 302


def test_one_email_address_may_be_used_only_a_few_times_a_day_from_any_ip(
    client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.RIGHTS_REQUEST_LIMIT_PER_EMAIL = 3
    for n in range(3):
        post_form(client, django_capture_on_commit_callbacks, ip=f"198.51.100.{n + 10}")

    response = post_form(
        client,
        django_capture_on_commit_callbacks,
        ip="198.51.100.50",
        requester_email="ANN@example.test",
    )

    assert response.status_code == 429
    assert RightsRequest.objects.count() == 3
    assert len(mailoutbox) == 3


def test_the_limit_message_is_the_same_for_a_registered_and_an_unknown_address(
    client, settings, django_capture_on_commit_callbacks
):
    UserFactory(email="known@example.test")
    settings.RIGHTS_REQUEST_LIMIT_PER_EMAIL = 1
    pages = []
    for n, email in enumerate(["known@example.test", "unknown@example.test"]):
        post_form(
            client, django_capture_on_commit_callbacks, ip=f"192.0.2.{n}", requester_email=email
        )
        refused = post_form(
            client, django_capture_on_commit_callbacks, ip=f"192.0.2.{n + 5}", requester_email=email
        )
        pages.append(
            re.search(r'<div class="form-errors".*?</div>', refused.content.decode(), re.S)[0]
        )

    assert pages[0] == pages[1]


def test_opening_the_link_starts_the_clock_and_acknowledges_with_reference_type_and_due_date(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with at(datetime.date(2026, 3, 4)):
        post_form(client, django_capture_on_commit_callbacks)
    verify_path = path_of(re.search(r"http://\S+/rights/verify/\S+/", mailoutbox[0].body)[0])

    with at(datetime.date(2026, 3, 5)), django_capture_on_commit_callbacks(execute=True):
        response = client.get(verify_path, follow=True)

    rights_request = RightsRequest.objects.get()
    assert rights_request.state == State.VERIFIED
    assert rights_request.clock_started_on == datetime.date(2026, 3, 5)
    assert rights_request.due_on == datetime.date(2026, 4, 7)  # 5 April a Sunday, 6 Easter Monday
    assert response.status_code == 200
    assert b"Your request " + rights_request.reference.encode() in response.content
    assert b"7 April 2026" in response.content
    acknowledgement = mailoutbox[1]
    assert rights_request.reference in acknowledgement.subject
    assert "access to my data" in acknowledgement.body
    assert "7 April 2026" in acknowledgement.body
    assert "/rights/status/" in acknowledgement.body


def test_an_expired_link_says_so_and_starts_nothing(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with at(datetime.date(2026, 3, 4)):
        post_form(client, django_capture_on_commit_callbacks)
    verify_path = path_of(re.search(r"http://\S+/rights/verify/\S+/", mailoutbox[0].body)[0])

    with at(datetime.date(2026, 3, 6)):
        response = client.get(verify_path)

    assert response.status_code == 410
    assert b"This link has expired" in response.content
    assert RightsRequest.objects.get().state == State.AWAITING_VERIFICATION


def test_a_forged_link_is_not_valid(client):
    response = client.get(reverse("rights:verify", kwargs={"token": "forged.token"}))

    assert response.status_code == 404
    assert b"This link is not valid" in response.content


def test_a_used_link_says_it_was_used_and_points_to_the_status_page(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    post_form(client, django_capture_on_commit_callbacks)
    verify_path = path_of(re.search(r"http://\S+/rights/verify/\S+/", mailoutbox[0].body)[0])
    with django_capture_on_commit_callbacks(execute=True):
        client.get(verify_path)

    response = client.get(verify_path)

    assert response.status_code == 200
    assert b"already been used" in response.content
    assert b"/rights/status/" in response.content
    assert len(mailoutbox) == 2


# --- Filing from the account page ---------------------------------------------------------------


def test_the_account_page_links_to_making_a_rights_request(verified_client):
    client = verified_client(UserFactory())

    response = client.get(reverse("account:home"))

    assert reverse("account-rights:list").encode() in response.content
    assert b"Make a rights request" in response.content


def test_a_logged_in_user_files_a_verified_request_matched_to_their_own_account(
    verified_client, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory(full_name="Ben Baker", email="ben@example.test")
    client = verified_client(user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account-rights:list"),
            {"kind": RequestKind.ERASURE, "description": "Please erase my data."},
        )

    rights_request = RightsRequest.objects.get()
    assert rights_request.state == State.VERIFIED
    assert rights_request.channel == Channel.ACCOUNT
    assert (rights_request.requester_name, rights_request.requester_email) == (
        "Ben Baker",
        "ben@example.test",
    )
    assert rights_request.organisation == user.organisation
    assert rights_request.due_on is not None
    assert list(RequestSubject.objects.values_list("request", "user")) == [
        (rights_request.pk, user.pk)
    ]
    assert AuditEntry.objects.filter(action="rights_request.subject_link_own").exists()
    assert response.status_code == 302 and "/rights/status/" in response["Location"]
    assert [m.subject for m in mailoutbox] == [f"We have your request {rights_request.reference}"]


def test_a_logged_in_user_sees_the_requests_they_filed_or_were_matched_to_never_by_address(
    verified_client, settings, django_assert_num_queries
):
    from dsar.services.filing import rights_request_file
    from dsar.services.subjects import rights_request_confirm_subject

    settings.USAGE_LOGGING_ENABLED = False  # its own insert per request; its tests pin that
    user = UserFactory(email="cara@example.test")
    dpo = DpoFactory()
    fields = {"kind": RequestKind.ACCESS, "requester_name": "C"}
    mine = [
        rights_request_file(
            requester_email="cara@example.test",
            channel=Channel.ACCOUNT,
            filed_by=user,
            verified=True,
            **fields,
        ),
        rights_request_file(
            requester_email="cara@example.test", channel=Channel.WEB_FORM, **fields
        ),
        rights_request_file(requester_email="c@home.test", channel=Channel.PHONE, **fields),
    ]
    for matched in mine[1:]:
        rights_request_confirm_subject(request=matched, user=user, by=dpo)
    # Her address, but neither filed from her account nor matched to it by the DPO.
    theirs = rights_request_file(requester_email="cara@example.test", channel=Channel.API, **fields)
    client = verified_client(user)
    client.get(reverse("account-rights:list"))  # session tracking refreshes its row once a minute

    # 1 the session, 2 the user, 3 the OTP device, 4 the record of processing's legal bases
    # (what an objection may name), 5 the requests, 6 the user's organisation (page header);
    # none per request
    with django_assert_num_queries(6):
        response = client.get(reverse("account-rights:list"))

    page = response.content.decode()
    for rights_request in mine:
        assert rights_request.reference in page
    assert theirs.reference not in page
    assert page.count("/rights/status/") == 3
