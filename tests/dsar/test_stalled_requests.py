"""Rights requests that stall: a new confirmation link from the expired-link page (rate-limited,
the same answer whatever the address), "what happens next" on the status page in every state,
and unconfirmed requests closed by beat, then purged by retention."""

import datetime
import re
from datetime import UTC

import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEntry
from dsar.models import Channel, RequestEvent, RequestKind, RightsRequest, State
from dsar.selectors import NEXT_STEPS, status_token
from dsar.services.filing import rights_request_file
from dsar.tasks import close_unverified_requests
from retention.tasks import purge_retention_category

pytestmark = pytest.mark.django_db

NEW_LINK_URL = "/rights/new-link/"
NOON = datetime.time(12, tzinfo=UTC)
FILED_ON = datetime.date(2026, 3, 4)


def at(day: datetime.date, time=NOON):
    return time_machine.travel(datetime.datetime.combine(day, time), tick=False)


def verify_path_in(message) -> str:
    url = re.search(r"http://\S+/rights/verify/\S+/", message.body)[0]
    return re.sub(r"^https?://[^/]+", "", url)


def file_unverified(callbacks, email="ann@example.test", **fields) -> RightsRequest:
    with callbacks(execute=True):
        return rights_request_file(
            kind=RequestKind.ACCESS,
            requester_name="Ann Able",
            requester_email=email,
            channel=Channel.WEB_FORM,
            **fields,
        )


def ask_new_link(client, callbacks, email="ann@example.test", ip="198.51.100.1"):
    with callbacks(execute=True):
        return client.post(NEW_LINK_URL, {"email": email}, REMOTE_ADDR=ip)


# --- A new confirmation link ------------------------------------------------------------------


def test_the_expired_link_page_offers_a_new_link(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with at(FILED_ON):
        file_unverified(django_capture_on_commit_callbacks)

    with at(FILED_ON + datetime.timedelta(days=2)):
        response = client.get(verify_path_in(mailoutbox[0]))

    assert response.status_code == 410
    assert f'href="{NEW_LINK_URL}"'.encode() in response.content


def test_an_expired_link_gets_a_new_link_by_mail_and_the_old_one_stays_refused(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with at(FILED_ON):
        file_unverified(django_capture_on_commit_callbacks)
    old_link = verify_path_in(mailoutbox[0])

    with at(FILED_ON + datetime.timedelta(days=2)):
        response = ask_new_link(client, django_capture_on_commit_callbacks, "ANN@example.test")
        assert response.status_code == 302
        assert response["Location"] == reverse("rights:new_link_sent")
        new_link = verify_path_in(mailoutbox[1])
        refused = client.get(old_link)
        with django_capture_on_commit_callbacks(execute=True):
            confirmed = client.get(new_link)

    assert len(mailoutbox) == 3  # the first link, the new one, the acknowledgement
    assert mailoutbox[1].to == ["ann@example.test"]
    assert new_link != old_link
    assert refused.status_code == 404
    assert confirmed.status_code == 302
    rights_request = RightsRequest.objects.get()
    assert rights_request.state == State.VERIFIED
    assert rights_request.clock_started_on == FILED_ON + datetime.timedelta(days=2)


def test_an_unknown_address_gets_the_same_page_and_nothing_is_sent(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    file_unverified(django_capture_on_commit_callbacks, email="ann@example.test")
    mailoutbox.clear()

    known = ask_new_link(client, django_capture_on_commit_callbacks, "ann@example.test")
    unknown = ask_new_link(client, django_capture_on_commit_callbacks, "nobody@example.test")

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [m.to for m in mailoutbox] == [["ann@example.test"]]
    assert _main(client.get(unknown["Location"])) == _main(client.get(known["Location"]))


def _main(response) -> str:
    return re.search(r"<main.*?</main>", response.content.decode(), re.S)[0]


def test_a_confirmed_request_is_sent_no_new_link(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    file_unverified(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(verify_path_in(mailoutbox[0]))
    sent = len(mailoutbox)

    response = ask_new_link(client, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert len(mailoutbox) == sent


def _form_errors(response) -> str:
    return re.search(r'<div class="form-errors".*?</div>', response.content.decode(), re.S)[0]


def test_new_links_are_limited_per_address_with_the_same_answer_for_a_known_and_unknown_one(
    client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.RIGHTS_REQUEST_NEW_LINK_LIMIT_PER_EMAIL = 2
    file_unverified(django_capture_on_commit_callbacks, email="ann@example.test")
    mailoutbox.clear()
    refusals = []
    for n, email in enumerate(["ann@example.test", "nobody@example.test"]):
        for attempt in range(2):
            ask_new_link(
                client, django_capture_on_commit_callbacks, email, ip=f"192.0.2.{n}{attempt}"
            )
        refusals.append(
            ask_new_link(client, django_capture_on_commit_callbacks, email, ip=f"192.0.2.{n}9")
        )

    assert [r.status_code for r in refusals] == [429, 429]
    assert _form_errors(refusals[0]) == _form_errors(refusals[1])
    assert len(mailoutbox) == 2  # only the two allowed ones for the known address


def test_new_links_are_limited_per_ip_with_the_same_answer_as_per_address(
    client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.RIGHTS_REQUEST_NEW_LINK_LIMIT_PER_IP = 2
    settings.RIGHTS_REQUEST_NEW_LINK_LIMIT_PER_EMAIL = 1
    file_unverified(django_capture_on_commit_callbacks, email="ann@example.test")
    mailoutbox.clear()
    for n in range(2):
        ask_new_link(
            client, django_capture_on_commit_callbacks, f"p{n}@example.test", ip="192.0.2.7"
        )

    by_ip = ask_new_link(client, django_capture_on_commit_callbacks, ip="192.0.2.7")
    ask_new_link(client, django_capture_on_commit_callbacks, "q@example.test", ip="192.0.2.8")
    by_email = ask_new_link(
        client, django_capture_on_commit_callbacks, "q@example.test", ip="192.0.2.9"
    )
    from_elsewhere = ask_new_link(client, django_capture_on_commit_callbacks, ip="192.0.2.10")

    assert by_ip.status_code == by_email.status_code == 429
    assert _form_errors(by_ip) == _form_errors(by_email)
    assert from_elsewhere.status_code == 302
    assert [m.to for m in mailoutbox] == [["ann@example.test"]]


def test_a_blank_or_malformed_address_is_refused_next_to_the_field(client):
    response = client.post(NEW_LINK_URL, {"email": "not-an-address"})

    assert response.status_code == 400
    assert b'id="id_email_error"' in response.content


# --- What happens next ------------------------------------------------------------------------


@pytest.mark.parametrize("state", list(State))
def test_the_status_page_says_what_happens_next_in_every_state(
    client, settings, state, django_capture_on_commit_callbacks
):
    rights_request = file_unverified(django_capture_on_commit_callbacks)
    RightsRequest.objects.filter(pk=rights_request.pk).update(state=state)
    rights_request.refresh_from_db()

    response = client.get(reverse("rights:status", args=[status_token(rights_request)]))

    expected = NEXT_STEPS[state].format(close_days=settings.RIGHTS_REQUEST_UNVERIFIED_CLOSE_DAYS)
    assert "What happens next" in response.content.decode()
    assert expected.replace("'", "&#x27;") in response.content.decode()


def test_every_state_has_its_own_next_step():
    assert set(NEXT_STEPS) == set(State)
    assert len(set(NEXT_STEPS.values())) == len(State)


# --- Closing unconfirmed requests -------------------------------------------------------------


def test_only_unconfirmed_requests_older_than_the_setting_are_closed_and_twice_changes_nothing(
    client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.RIGHTS_REQUEST_UNVERIFIED_CLOSE_DAYS = 10
    with at(FILED_ON):
        stale = file_unverified(django_capture_on_commit_callbacks, email="old@example.test")
        confirmed = file_unverified(django_capture_on_commit_callbacks, email="ok@example.test")
        with django_capture_on_commit_callbacks(execute=True):
            client.get(verify_path_in(mailoutbox[-1]))
    with at(FILED_ON + datetime.timedelta(days=5)):
        recent = file_unverified(django_capture_on_commit_callbacks, email="new@example.test")
    sent = len(mailoutbox)

    ten_days_on = at(FILED_ON + datetime.timedelta(days=10), datetime.time(12, 1, tzinfo=UTC))
    with ten_days_on, django_capture_on_commit_callbacks(execute=True):
        first = close_unverified_requests.delay().get()
        second = close_unverified_requests.delay().get()

    assert (first, second) == (1, 0)
    states = dict(RightsRequest.objects.values_list("pk", "state"))
    assert states == {
        stale.pk: State.REJECTED,
        confirmed.pk: State.VERIFIED,
        recent.pk: State.AWAITING_VERIFICATION,
    }
    stale.refresh_from_db()
    assert stale.closed_at is not None
    assert "not confirmed within 10 days" in stale.outcome
    closing = stale.events.get(kind=RequestEvent.Kind.TRANSITION, to_state=State.REJECTED)
    assert (closing.actor_label, closing.visible_to_requester) == ("system", True)
    audited = AuditEntry.objects.filter(action="rights_request.closed_unverified")
    assert [(e.actor_id, e.details["reference"]) for e in audited] == [(None, stale.reference)]
    assert len(mailoutbox) == sent  # no letter to an address never confirmed


def test_a_closed_unconfirmed_request_is_purged_by_retention_on_its_schedule(
    settings, django_capture_on_commit_callbacks
):
    settings.RIGHTS_REQUEST_UNVERIFIED_CLOSE_DAYS = 14
    with at(FILED_ON):
        stale = file_unverified(django_capture_on_commit_callbacks)
    closed_on = FILED_ON + datetime.timedelta(days=15)
    with at(closed_on):
        close_unverified_requests()

    with at(closed_on + datetime.timedelta(days=729)):
        purge_retention_category("rights_requests")
    assert RightsRequest.objects.filter(pk=stale.pk).exists()

    with at(closed_on + datetime.timedelta(days=731)):
        purge_retention_category("rights_requests")
    assert not RightsRequest.objects.filter(pk=stale.pk).exists()
    assert not RequestEvent.objects.filter(request_id=stale.pk).exists()


def test_the_link_of_a_closed_unconfirmed_request_says_it_is_closed(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with at(FILED_ON):
        file_unverified(django_capture_on_commit_callbacks)
    with at(FILED_ON + datetime.timedelta(days=15)):
        close_unverified_requests()
        response = client.get(verify_path_in(mailoutbox[0]))

    assert b"This request is closed" in response.content
    assert RightsRequest.objects.get().state == State.REJECTED
