"""The requester's status page: what they see (never internal notes), replying, withdrawing."""

import re

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from dsar.models import Channel, RequestEvent, RequestKind, State
from dsar.selectors import status_token
from dsar.services.filing import rights_request_file
from dsar.services.steps import (
    rights_request_ask_requester,
    rights_request_complete,
    rights_request_message,
    rights_request_note,
    rights_request_start,
)
from tests.factories import DpoFactory, UserFactory

pytestmark = pytest.mark.django_db


def visible_text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def dpo():
    return DpoFactory()


@pytest.fixture
def rights_request():
    return rights_request_file(
        kind=RequestKind.ACCESS,
        requester_name="Ann Able",
        requester_email="ann@example.test",
        channel=Channel.WEB_FORM,
        verified=True,
    )


def status_url(rights_request, action=""):
    name = {"": "rights:status", "reply": "rights:reply", "withdraw": "rights:withdraw"}[action]
    return reverse(name, kwargs={"token": status_token(rights_request)})


def test_the_status_page_shows_reference_type_state_dates_and_messages_but_never_notes(
    client, rights_request, dpo
):
    rights_request_message(request=rights_request, body="We are looking for your data.", by=dpo)
    rights_request_note(request=rights_request, body="Secret: check the legal hold.", by=dpo)

    response = client.get(status_url(rights_request))

    assert response.status_code == 200
    page = response.content.decode()
    assert rights_request.reference in page
    assert "Access to my data" in page
    assert "<strong>Working on it</strong>" in page
    assert f"{rights_request.due_on.day} " in page and str(rights_request.due_on.year) in page
    assert "We are looking for your data." in page
    assert "Secret" not in page
    assert "legal hold" not in page
    assert "Internal note" not in page


def test_a_status_page_is_never_cached(client, rights_request):
    response = client.get(status_url(rights_request))

    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_a_forged_status_link_finds_nothing(client, rights_request):
    response = client.get(reverse("rights:status", kwargs={"token": "RR-2026-000001:forged"}))

    assert response.status_code == 404
    assert rights_request.reference.encode() not in response.content


def test_while_the_team_waits_for_the_requester_the_page_says_the_clock_is_paused(
    client, rights_request, dpo
):
    rights_request_ask_requester(
        request=rights_request, message="Please send proof of your address.", by=dpo
    )

    page = client.get(status_url(rights_request)).content.decode()

    assert "<strong>Waiting for you</strong>" in page
    assert "paused: the time limit stops while we wait for your answer" in page
    assert "Please send proof of your address." in page


def test_the_requester_replies_from_the_status_page(client, rights_request, dpo):
    rights_request_ask_requester(request=rights_request, message="Which account?", by=dpo)

    response = client.post(status_url(rights_request, "reply"), {"body": "The Acme one."})

    assert response.status_code == 302
    event = rights_request.events.get(kind=RequestEvent.Kind.MESSAGE_FROM_REQUESTER)
    assert (event.body, event.visible_to_requester) == ("The Acme one.", True)
    page = client.get(response["Location"]).content.decode()
    assert "The Acme one." in page
    assert "Your message is sent" in page


def test_an_empty_reply_is_refused_next_to_the_field(client, rights_request):
    response = client.post(status_url(rights_request, "reply"), {"body": "  "})

    assert response.status_code == 400
    assert b'id="id_body_error"' in response.content
    assert not rights_request.events.filter(kind=RequestEvent.Kind.MESSAGE_FROM_REQUESTER)


def test_a_closed_request_takes_no_reply_and_says_why(client, rights_request, dpo):
    rights_request_start(request=rights_request, by=dpo)
    rights_request_complete(request=rights_request, outcome="Here is your data.", by=dpo)

    page = client.get(status_url(rights_request)).content.decode()
    response = client.post(status_url(rights_request, "reply"), {"body": "Thanks"}, follow=True)

    assert "Send us a message" not in page
    assert "Withdraw my request" not in page
    assert "This request is closed" in response.content.decode()
    assert not rights_request.events.filter(kind=RequestEvent.Kind.MESSAGE_FROM_REQUESTER)


def test_withdrawing_asks_for_confirmation_first(client, rights_request):
    response = client.get(status_url(rights_request, "withdraw"))

    assert response.status_code == 200
    assert b"Yes, withdraw my request" in response.content
    rights_request.refresh_from_db()
    assert rights_request.state == State.VERIFIED


def test_the_requester_withdraws_their_request(client, rights_request):
    response = client.post(status_url(rights_request, "withdraw"), follow=True)

    rights_request.refresh_from_db()
    assert rights_request.state == State.WITHDRAWN
    assert "is withdrawn" in response.content.decode()
    assert AuditEntry.objects.filter(action="rights_request.withdrawn").exists()


def test_withdrawing_a_closed_request_is_refused_with_a_clear_message(client, rights_request, dpo):
    rights_request_start(request=rights_request, by=dpo)
    rights_request_complete(request=rights_request, outcome="Done.", by=dpo)

    response = client.post(status_url(rights_request, "withdraw"), follow=True)

    rights_request.refresh_from_db()
    assert rights_request.state == State.COMPLETED
    assert "cannot become withdrawn" in response.content.decode()


def test_replying_and_withdrawing_need_the_csrf_token(rights_request):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)

    assert strict.post(status_url(rights_request, "reply"), {"body": "x"}).status_code == 403
    assert strict.post(status_url(rights_request, "withdraw")).status_code == 403


def test_the_requester_reads_each_state_in_plain_words_with_a_stepper(client, rights_request, dpo):
    rights_request_start(request=rights_request, by=dpo)
    rights_request_ask_requester(request=rights_request, message="Which team?", by=dpo)

    page = visible_text(client.get(status_url(rights_request)))

    assert "Status Waiting for you" in page
    assert "Done: Received Done: Checking your identity Now: Waiting for you Later: Done" in page
    # The history names states in the requester's words, never the team's.
    for jargon in ("Verified", "In progress", "Awaiting requester", "Action:"):
        assert jargon not in page
    assert "Status: Waiting for you" in page


def test_a_logged_in_requester_finds_the_way_back_to_all_their_requests(client, rights_request):
    user = UserFactory(email=rights_request.requester_email)
    client.force_login(user)

    html = client.get(status_url(rights_request)).content.decode()

    assert f'href="{reverse("account-rights:list")}"' in html
