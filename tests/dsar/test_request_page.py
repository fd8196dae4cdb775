"""One rights request's page in the back office: the clock, matches, timeline and every step;
logging a request that came by post; and the standard letters."""

import datetime
import re

import pytest
import time_machine
from django.urls import resolve, reverse

from audit.models import AuditEntry
from dsar.models import Channel, LetterTemplate, RequestKind, RightsRequest, State
from dsar.selectors import request_from_status_token, status_token
from tests.dsar.test_queue import filed
from tests.factories import DpoFactory, SupportFactory, UserFactory

pytestmark = pytest.mark.django_db

QUEUE = "/backoffice/requests/"


def travel(day: datetime.date):
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(10, tzinfo=datetime.UTC)), tick=False
    )


def actions(request: RightsRequest) -> list[str]:
    return list(
        AuditEntry.objects.filter(target_type="dsar.RightsRequest", target_id=str(request.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


@pytest.fixture
def dpo_client(verified_client):
    dpo = DpoFactory(full_name="Priya Shah")
    client = verified_client(dpo)
    client.user = dpo
    return client


def page_of(request: RightsRequest) -> str:
    return f"{QUEUE}{request.reference}/"


def step(client, request: RightsRequest, slug: str, **fields):
    data = {f"{slug}-{name}": value for name, value in fields.items()}
    return client.post(f"{page_of(request)}steps/{slug}/", data)


# --- the page --------------------------------------------------------------------------------


def test_the_page_shows_the_request_and_its_clock_and_its_viewing_is_audited(dpo_client):
    with travel(datetime.date(2026, 3, 9)):
        request = filed(datetime.date(2026, 3, 2), name="Ann Able", email="ann@example.test")
        response = dpo_client.get(page_of(request))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Ann Able" in page and "ann@example.test" in page
    assert re.search(r"<dt>Started</dt><dd>2 March 2026</dd>", page)
    assert re.search(r"<dt>Paused</dt><dd>0 days", page)
    assert "<dt>Extension</dt><dd>None" in page
    assert "<strong>2 April 2026</strong>" in page
    assert actions(request)[-1] == "rights_request.view"
    entry = AuditEntry.objects.filter(action="rights_request.view").get()
    assert entry.actor == dpo_client.user


def test_an_unknown_reference_is_a_404(dpo_client):
    assert dpo_client.get(f"{QUEUE}RR-2026-999999/").status_code == 404


def test_the_page_includes_the_executor_panel(dpo_client, settings):
    request = filed()
    response = dpo_client.get(page_of(request))
    assert "dsar/_executor_panel.html" in [t.name for t in response.templates]


# --- steps ------------------------------------------------------------------------------------


def test_every_step_of_a_request_can_be_taken_from_the_page(
    dpo_client, mailoutbox, django_capture_on_commit_callbacks
):
    with travel(datetime.date(2026, 3, 2)):
        request = filed(datetime.date(2026, 3, 2))
        page = dpo_client.get(page_of(request)).content.decode()
        assert "Start work on the request" in page
        assert "Resume: the clock runs again" not in page
        response = step(dpo_client, request, "start")
        assert response.status_code == 302
        assert dpo_client.get(response.url).status_code == 200
        request.refresh_from_db()
        assert request.state == State.IN_PROGRESS
    with travel(datetime.date(2026, 3, 4)), django_capture_on_commit_callbacks(execute=True):
        step(dpo_client, request, "ask", message="Please send proof of your address.")
    request.refresh_from_db()
    assert request.state == State.AWAITING_REQUESTER
    assert "Please send proof of your address." in mailoutbox[-1].body
    with travel(datetime.date(2026, 3, 9)):
        page = dpo_client.get(page_of(request)).content.decode()
        assert "paused now, since 4 March 2026 (5 days so far" in page
        step(dpo_client, request, "resume", body="Proof received.")
    request.refresh_from_db()
    assert (request.state, request.paused_days) == (State.IN_PROGRESS, 5)
    assert request.due_on == datetime.date(2026, 4, 7)
    with travel(datetime.date(2026, 3, 20)), django_capture_on_commit_callbacks(execute=True):
        step(dpo_client, request, "extend", months="1", reason="Several linked requests.")
    request.refresh_from_db()
    assert (request.extension_months, request.due_on) == (1, datetime.date(2026, 5, 7))
    assert "Several linked requests." in mailoutbox[-1].body
    with travel(datetime.date(2026, 3, 25)), django_capture_on_commit_callbacks(execute=True):
        response = step(dpo_client, request, "complete", outcome="Your data is attached.")
    request.refresh_from_db()
    assert request.state == State.COMPLETED
    assert "Your data is attached." in mailoutbox[-1].body
    page = dpo_client.get(response.url).content.decode()
    assert "Completed; the answer has been sent." in page
    assert "no further steps" in page
    assert {
        "rights_request.in_progress",
        "rights_request.awaiting_requester",
        "rights_request.extend",
        "rights_request.completed",
    } <= set(actions(request))


def test_a_request_can_be_rejected_with_a_reason_or_withdrawn(dpo_client):
    rejected, withdrawn = filed(), filed()
    response = step(dpo_client, rejected, "reject", reason="")
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    step(dpo_client, rejected, "reject", reason="The fifth identical request this month.")
    step(dpo_client, withdrawn, "withdraw")
    rejected.refresh_from_db()
    withdrawn.refresh_from_db()
    assert rejected.state == State.REJECTED
    assert rejected.outcome == "The fifth identical request this month."
    assert withdrawn.state == State.WITHDRAWN


@pytest.mark.parametrize(
    ("state", "slug", "fields"),
    [
        (State.COMPLETED, "start", {}),
        (State.COMPLETED, "complete", {"outcome": "Again"}),
        (State.WITHDRAWN, "withdraw", {}),
        (State.IN_PROGRESS, "resume", {}),
        (State.AWAITING_VERIFICATION, "ask", {"message": "Who are you?"}),
        (State.REJECTED, "extend", {"months": "1", "reason": "More time"}),
    ],
)
def test_a_step_the_state_does_not_allow_is_refused_with_a_clear_message(
    dpo_client, state, slug, fields
):
    request = filed(state=state)
    response = step(dpo_client, request, slug, **fields)
    assert response.status_code == 409
    page = response.content.decode()
    refusal = re.search(r'<p class="message message-error">([^<]+)</p>', page)
    assert re.search(r"cannot|Only a request", refusal.group(1))
    request.refresh_from_db()
    assert request.state == state


def test_an_extension_after_the_original_due_date_is_refused_with_the_date(dpo_client):
    with travel(datetime.date(2026, 3, 2)):
        request = filed(datetime.date(2026, 3, 2))  # due 2 April 2026
    with travel(datetime.date(2026, 4, 3)):
        response = step(dpo_client, request, "extend", months="2", reason="Complex")
    assert response.status_code == 409
    assert "The original due date (2 April 2026) has passed" in response.content.decode()
    request.refresh_from_db()
    assert request.extension_months == 0


def test_an_unknown_step_is_a_404(dpo_client):
    request = filed()
    assert step(dpo_client, request, "explode").status_code == 404


def test_the_outcome_can_start_from_a_standard_letter(dpo_client):
    request = filed(kind=RequestKind.PORTABILITY, name="Ann Able")
    response = dpo_client.get(f"{page_of(request)}?letter=portability_not_applicable")
    page = response.content.decode()
    outcome = re.search(r'<textarea name="complete-outcome"[^>]*>(.*?)</textarea>', page, re.S)
    # The answer alone: the completion letter adds the greeting and the signature.
    assert outcome.group(1).strip().startswith("The right to data portability covers")
    assert "Hello" not in outcome.group(1)


# --- assignment, notes, messages, matches ---------------------------------------------------


def test_a_request_can_be_assigned_to_me_to_a_colleague_or_to_nobody(dpo_client):
    request = filed()
    colleague = SupportFactory(full_name="Sam Jones")
    url = f"{page_of(request)}assign/"
    dpo_client.post(url, {"assignee": "me"})
    request.refresh_from_db()
    assert request.assignee == dpo_client.user
    dpo_client.post(url, {"assignee": colleague.pk})
    request.refresh_from_db()
    assert request.assignee == colleague
    dpo_client.post(url, {"assignee": ""})
    request.refresh_from_db()
    assert request.assignee is None
    response = dpo_client.post(url, {"assignee": UserFactory().pk}, follow=True)
    assert "Choose a DPO or support colleague" in response.content.decode()
    assert actions(request).count("rights_request.assign") == 3


def test_internal_notes_never_reach_the_requester_but_messages_do(
    dpo_client, client, mailoutbox, django_capture_on_commit_callbacks
):
    request = filed()
    with django_capture_on_commit_callbacks(execute=True):
        dpo_client.post(f"{page_of(request)}notes/", {"note-body": "Looks like a fishing trip."})
        dpo_client.post(f"{page_of(request)}messages/", {"message-body": "We are on it."})
    page = dpo_client.get(page_of(request)).content.decode()
    note = re.search(r'<li class="timeline-note">(.*?)</li>', page, re.S).group(1)
    assert "Internal note" in note and "Looks like a fishing trip." in note
    message = re.search(
        r'<li class="timeline-visible">((?:(?!</li>).)*We are on it.*?)</li>', page, re.S
    )
    assert "Visible to the requester" in message.group(1)

    status = client.get(reverse("rights:status", kwargs={"token": status_token(request)}))
    assert status.status_code == 200
    assert "We are on it." in status.content.decode()
    assert "fishing trip" not in status.content.decode()
    assert all("fishing trip" not in mail.body for mail in mailoutbox)
    assert "We are on it." in mailoutbox[-1].body


def test_an_empty_note_is_refused_on_the_page(dpo_client):
    request = filed()
    response = dpo_client.post(f"{page_of(request)}notes/", {"note-body": "  "})
    assert response.status_code == 400
    assert not request.events.filter(kind="note").exists()


def test_the_dpo_confirms_and_removes_matched_accounts(dpo_client):
    current = UserFactory(email="ann@example.test", full_name="Ann Able")
    request = filed(email="ann@example.test")
    page = dpo_client.get(page_of(request)).content.decode()
    assert "Candidates with the same e-mail address" in page
    confirm = f"{page_of(request)}subjects/{current.pk}/confirm/"
    assert f'action="{confirm}"' in page
    dpo_client.post(confirm)
    assert list(request.subjects.values_list("user_id", flat=True)) == [current.pk]
    page = dpo_client.get(page_of(request)).content.decode()
    assert "Candidates with the same e-mail address" not in page
    dpo_client.post(f"{page_of(request)}subjects/{current.pk}/remove/")
    assert not request.subjects.exists()
    assert "rights_request.subject_confirm" in actions(request)
    assert "rights_request.subject_remove" in actions(request)


# --- logging a request that came by e-mail, phone or post -----------------------------------


def test_a_postal_request_logged_late_is_due_a_month_after_it_arrived(
    dpo_client, mailoutbox, django_capture_on_commit_callbacks
):
    with travel(datetime.date(2026, 3, 16)), django_capture_on_commit_callbacks(execute=True):
        response = dpo_client.post(
            f"{QUEUE}new/",
            {
                "channel": Channel.POST,
                "received_on": "2026-03-02",
                "kind": RequestKind.ERASURE,
                "requester_name": "Bob Baker",
                "requester_email": "Bob@Example.test",
                "organisation_name": "",
                "description": "Please delete everything you hold about me.",
            },
        )
    request = RightsRequest.objects.get()
    assert response.status_code == 302
    assert response.url == page_of(request)
    assert (request.state, request.channel) == (State.VERIFIED, Channel.POST)
    assert request.clock_started_on == datetime.date(2026, 3, 2)
    assert request.due_on == datetime.date(2026, 4, 2)
    assert request.filed_by == dpo_client.user
    assert request.requester_email.lower() == "bob@example.test"
    assert request.reference in mailoutbox[-1].body


def test_a_request_cannot_be_logged_as_received_in_the_future(dpo_client):
    with travel(datetime.date(2026, 3, 16)):
        response = dpo_client.post(
            f"{QUEUE}new/",
            {
                "channel": Channel.PHONE,
                "received_on": "2026-03-17",
                "kind": RequestKind.ACCESS,
                "requester_name": "Bob Baker",
                "requester_email": "bob@example.test",
                "description": "My data.",
            },
        )
    assert response.status_code == 400
    assert "The date cannot be in the future." in response.content.decode()
    assert not RightsRequest.objects.exists()


def test_support_can_log_a_request_too(verified_client):
    client = verified_client(SupportFactory())
    response = client.get(f"{QUEUE}new/")
    assert response.status_code == 200
    assert 'name="received_on"' in response.content.decode()


# --- standard letters ------------------------------------------------------------------------


def test_only_the_dpo_edits_the_standard_letters(verified_client):
    support = verified_client(SupportFactory())
    listing = support.get(f"{QUEUE}letters/")
    assert listing.status_code == 200
    assert "Your portability request" in listing.content.decode()
    assert "/letters/rejected/" not in listing.content.decode()
    assert support.get(f"{QUEUE}letters/rejected/").status_code == 403
    response = support.post(f"{QUEUE}letters/rejected/", {"title": "Hacked", "body": "x"})
    assert response.status_code == 403
    assert LetterTemplate.objects.get(key="rejected").title != "Hacked"


def test_the_dpo_edits_a_letter_and_the_change_is_audited(verified_client):
    dpo = DpoFactory()
    client = verified_client(dpo)
    page = client.get(f"{QUEUE}letters/rejected/").content.decode()
    assert "{reason}" in page and "{status_url}" in page and "{verify_url}" not in page
    before = LetterTemplate.objects.get(key="rejected").body
    response = client.post(
        f"{QUEUE}letters/rejected/",
        {"title": "About your request {reference}", "body": "Dear {name}, {reason} {ico}"},
    )
    assert response.status_code == 302
    letter = LetterTemplate.objects.get(key="rejected")
    assert letter.body == "Dear {name}, {reason} {ico}"
    entry = AuditEntry.objects.get(action="letter.edit")
    assert entry.actor == dpo
    assert entry.details["before"]["body"] == before


def test_a_letter_with_an_unknown_placeholder_is_refused(verified_client):
    client = verified_client(DpoFactory())
    response = client.post(
        f"{QUEUE}letters/extension/",
        {"title": "More time {reference}", "body": "Dear {name}, {password}"},
    )
    assert response.status_code == 400
    assert "This letter has no {password}" in response.content.decode()
    assert "{password}" not in LetterTemplate.objects.get(key="extension").body


# --- built around the next step ----------------------------------------------------------------


def primary_buttons(page: str) -> list[str]:
    """The labels of the page's primary buttons: submit buttons with no class of their own."""
    main = page[page.index("<h1") :]
    return re.findall(r'<button type="submit">([^<]+)</button>', main)


def test_an_access_request_offers_one_primary_action_building_the_package(dpo_client):
    request = filed(email="nobody-matches@example.test")

    page = dpo_client.get(page_of(request)).content.decode()

    assert primary_buttons(page) == ["Build access package"]
    assert 'aria-current="step"><span class="visually-hidden">Now: </span>Ready to start' in page
    # The other steps wait folded away, each with a secondary or danger button.
    assert '<details class="panel" id="step-complete">' in page
    assert '<details class="panel" id="step-reject">' in page


def test_once_the_package_is_ready_the_page_says_so_the_request_is_in_progress_and_the_requester_hears(  # noqa: E501
    dpo_client, mailoutbox, django_capture_on_commit_callbacks
):
    request = filed(email="ann@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        dpo_client.post(f"{page_of(request)}execute/package/")
    request.refresh_from_db()

    page = dpo_client.get(page_of(request)).content.decode()

    assert request.state == State.IN_PROGRESS
    assert "<strong>Package ready</strong>" in page
    assert primary_buttons(page) == ["Complete and send the answer"]
    ready = [mail for mail in mailoutbox if mail.subject.startswith("Your data is ready")]
    assert [mail.to for mail in ready] == [["ann@example.test"]]
    # The link in the mail opens this request's status page (the signed token carries the
    # second it was made, so it is followed rather than compared with one made now).
    link = re.search(r"/rights/status/[^/\s]+/", ready[0].body).group(0)
    assert request_from_status_token(resolve(link).kwargs["token"]) == request
    # Asking again builds nothing more and says the package is there.
    response = dpo_client.post(f"{page_of(request)}execute/package/", follow=True)
    assert "A package is ready already" in response.content.decode()
    assert request.packages.count() == 1


def test_a_folded_step_with_errors_opens_to_show_them(dpo_client):
    request = filed()

    response = step(dpo_client, request, "reject", reason="")

    assert response.status_code == 400
    assert '<details class="panel" id="step-reject" open>' in response.content.decode()


# --- support prepares, the DPO decides ---------------------------------------------------------


@pytest.fixture
def support_client(verified_client):
    support = SupportFactory()
    client = verified_client(support)
    client.user = support
    return client


def test_support_is_offered_no_decision_on_a_request_and_the_server_refuses_one(support_client):
    request = filed(kind=RequestKind.ERASURE)
    request.state = State.IN_PROGRESS
    request.save()

    page = support_client.get(page_of(request)).content.decode()

    assert "Ready for the data protection officer" in page
    for decision in ("step-complete", "step-reject", "step-extend"):
        assert f'id="{decision}"' not in page
    assert 'id="step-ask"' in page  # preparing stays theirs
    for slug, fields in (
        ("complete", {"outcome": "Here is your data."}),
        ("reject", {"reason": "Manifestly unfounded."}),
        ("extend", {"months": "1", "reason": "Complex."}),
    ):
        assert step(support_client, request, slug, **fields).status_code == 403
    request.refresh_from_db()
    assert (request.state, request.extension_months) == (State.IN_PROGRESS, 0)


def test_support_previews_an_erasure_but_only_the_dpo_approves_it(support_client):
    request = filed(kind=RequestKind.ERASURE)
    erasure = f"{page_of(request)}execute/erasure/"

    page = support_client.get(erasure).content.decode()
    assert "The data protection officer approves an erasure" in page
    assert ">Erase</button>" not in page
    response = support_client.post(erasure, {"password": "whatever", "confirm": "on"})
    assert response.status_code == 403
