"""Deliveries to a real HTTP receiver on loopback, checked with the standardwebhooks package."""

import datetime
import http.server
import json
import threading
import time

import pytest
import standardwebhooks
from django.core import signing
from django.utils import timezone

import recipients.delivery
from recipients.delivery import CONFIRM_SALT
from recipients.models import Event, Notice, WebhookDelivery, WebhookEndpoint
from recipients.services import (
    AlreadyConfirmed,
    notice_confirm_by_hand,
    notice_send,
    webhook_endpoint_create,
    webhook_secret_rotate,
)
from recipients.tasks import deliver_webhook
from tests.factories import DpoFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


class Receiver:
    """An HTTP server in a thread that answers with the next of ``answers`` (the last one
    repeats); "hang" sleeps past the client's timeout."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.received: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.received.append((dict(self.headers), body))
                answer = (
                    receiver.answers.pop(0) if len(receiver.answers) > 1 else receiver.answers[0]
                )
                if answer == "hang":
                    time.sleep(0.5)
                    return
                self.send_response(answer)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver_with(settings):
    settings.WEBHOOKS_ALLOW_HTTP_LOOPBACK = True
    made = []

    def make(*answers):
        made.append(Receiver(answers))
        return made[-1]

    yield make
    for receiver in made:
        receiver.close()


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Acme Ltd")


def tell(organisation, person, event=Event.ERASED):
    return notice_send(event=event, subject=person, organisation=organisation, reference="R-1")


def test_a_delivery_is_signed_as_standard_webhooks_verifies_it(receiver_with, organisation):
    receiver = receiver_with(200)
    _, secret = webhook_endpoint_create(
        organisation=organisation, url=receiver.url, events=[Event.ERASED], by=None
    )
    person = UserFactory(organisation=organisation, email="ada@acme.example")

    notice = tell(organisation, person)  # sent on commit (Celery eager in tests)

    headers, body = receiver.received[0]
    payload = standardwebhooks.Webhook(secret).verify(body, headers)
    assert payload["type"] == "subject.erased"
    assert payload["data"]["user_id"] == person.pk
    assert payload["data"]["email"] == "ada@acme.example"
    assert "full_name" not in json.dumps(payload) and person.full_name not in body.decode()
    assert WebhookDelivery.objects.get(notice=notice).status == "delivered"
    assert headers["webhook-id"].startswith("msg_")


def test_another_secret_does_not_verify_and_both_verify_during_a_rotation(
    receiver_with, organisation
):
    receiver = receiver_with(200)
    endpoint, old = webhook_endpoint_create(
        organisation=organisation, url=receiver.url, events=[Event.ERASED], by=None
    )
    _, new = webhook_secret_rotate(endpoint=endpoint, overlap=datetime.timedelta(hours=1), by=None)

    tell(organisation, UserFactory(organisation=organisation))

    headers, body = receiver.received[0]
    assert len(headers["webhook-signature"].split(" ")) == 2
    standardwebhooks.Webhook(old).verify(body, headers)
    standardwebhooks.Webhook(new).verify(body, headers)
    with pytest.raises(standardwebhooks.WebhookVerificationError):
        standardwebhooks.Webhook("whsec_" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB").verify(
            body, headers
        )


def test_an_endpoint_that_does_not_want_the_event_gets_nothing(receiver_with, organisation):
    receiver = receiver_with(200)
    webhook_endpoint_create(
        organisation=organisation, url=receiver.url, events=[Event.RECTIFIED], by=None
    )

    tell(organisation, UserFactory(organisation=organisation), event=Event.ERASED)

    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()


def test_a_flaky_receiver_gets_the_same_message_again_after_a_backoff(
    receiver_with, organisation, time_machine
):
    time_machine.move_to("2026-12-01 10:00Z", tick=False)
    receiver = receiver_with(500, 200)
    webhook_endpoint_create(
        organisation=organisation, url=receiver.url, events=[Event.ERASED], by=None
    )

    notice = tell(organisation, UserFactory(organisation=organisation))
    delivery = WebhookDelivery.objects.get(notice=notice)
    delivery.refresh_from_db()
    assert delivery.status == "pending" and "500" in delivery.last_error
    assert deliver_webhook(delivery.pk) is None  # not due yet: nothing sent
    time_machine.shift(31)
    assert deliver_webhook(delivery.pk) == "delivered"

    first, second = receiver.received
    assert first[0]["webhook-id"] == second[0]["webhook-id"]
    assert first[1] == second[1]


def test_a_receiver_that_never_answers_is_retried_for_a_day_then_failed(
    receiver_with, organisation, time_machine, monkeypatch
):
    time_machine.move_to("2026-12-01 10:00Z", tick=False)
    receiver = receiver_with("hang")
    webhook_endpoint_create(
        organisation=organisation, url=receiver.url, events=[Event.ERASED], by=None
    )
    monkeypatch.setattr(recipients.delivery, "TIMEOUT", (0.2, 0.2))

    notice = tell(organisation, UserFactory(organisation=organisation))
    delivery = WebhookDelivery.objects.get(notice=notice)
    attempts = 0
    while delivery.status == "pending" and attempts < 40:
        time_machine.move_to(delivery.next_attempt_at, tick=False)
        deliver_webhook(delivery.pk)
        attempts += 1
        delivery.refresh_from_db()

    assert delivery.status == "failed"
    assert "Timeout" in delivery.last_error
    assert 5 < delivery.attempts < 20
    assert delivery.finished_at - delivery.created_at <= datetime.timedelta(hours=24)
    assert delivery.finished_at - delivery.created_at > datetime.timedelta(hours=18)


# --- Addresses inside our own network (SSRF) --------------------------------------------------


def endpoint_moved_to(receiver, organisation, url: str):
    """An endpoint saved with the receiver's address, whose address then names another host:
    as if its DNS name had been pointed elsewhere after the save-time check."""
    endpoint, _ = webhook_endpoint_create(
        organisation=organisation, url=receiver.url, events=[Event.ERASED], by=None
    )
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=url)
    return endpoint


def test_a_host_name_that_resolves_to_loopback_is_refused_when_the_delivery_connects(
    receiver_with, organisation, settings
):
    """GIVEN a receiver listening on loopback and an endpoint whose host name, localhost,
    resolves there, WHEN a notice is sent without the loopback allowance, THEN no request
    reaches the receiver and the delivery fails at once, saying why."""
    receiver = receiver_with(200)
    port = receiver.server.server_port
    endpoint_moved_to(receiver, organisation, f"http://localhost:{port}/hook")
    settings.WEBHOOKS_ALLOW_HTTP_LOOPBACK = False

    notice = tell(organisation, UserFactory(organisation=organisation))

    delivery = WebhookDelivery.objects.get(notice=notice)
    assert receiver.received == []
    assert delivery.status == "failed" and delivery.attempts == 1
    assert delivery.last_error == recipients.delivery.REFUSED_ADDRESS
    assert delivery.payload["data"]["email"] == ""  # nothing more will be sent


@pytest.mark.parametrize(
    "host", ["10.20.30.40", "169.254.169.254", "192.168.0.10", "[fd00::1]", "[::ffff:10.0.0.1]"]
)
def test_private_and_link_local_addresses_are_refused_even_where_loopback_is_allowed(
    receiver_with, organisation, host
):
    receiver = receiver_with(200)
    endpoint_moved_to(receiver, organisation, f"http://{host}:9/hook")

    notice = tell(organisation, UserFactory(organisation=organisation))

    delivery = WebhookDelivery.objects.get(notice=notice)
    assert (delivery.status, delivery.last_error) == (
        "failed",
        recipients.delivery.REFUSED_ADDRESS,
    )


def test_debug_lifts_the_check_for_a_developers_own_receiver(receiver_with, organisation, settings):
    receiver = receiver_with(200)
    port = receiver.server.server_port
    endpoint_moved_to(receiver, organisation, f"http://localhost:{port}/hook")
    settings.WEBHOOKS_ALLOW_HTTP_LOOPBACK = False
    settings.DEBUG = True

    notice = tell(organisation, UserFactory(organisation=organisation))

    assert WebhookDelivery.objects.get(notice=notice).status == "delivered"
    assert len(receiver.received) == 1


def _token(notice):
    payload = WebhookDelivery.objects.get(notice=notice).payload
    return payload["data"]["confirmation_url"].rstrip("/").rsplit("/", 1)[1]


def test_the_confirmation_link_confirms_once_and_a_replay_changes_nothing(
    client, receiver_with, organisation
):
    receiver = receiver_with(200)
    webhook_endpoint_create(
        organisation=organisation, url=receiver.url, events=[Event.ERASED], by=None
    )
    notice = tell(organisation, UserFactory(organisation=organisation))
    url = WebhookDelivery.objects.get(notice=notice).payload["data"]["confirmation_url"]
    path = url.split("://", 1)[1].split("/", 1)[1]

    first = client.post("/" + path)
    confirmed_at = Notice.objects.get(pk=notice.pk).confirmed_at
    again = client.post("/" + path)

    assert first.status_code == 200
    assert again.status_code == 409
    assert "already confirmed" in again.json()["error"]["message"]
    assert Notice.objects.get(pk=notice.pk).confirmed_at == confirmed_at


def test_a_tampered_confirmation_link_is_a_clear_400(client, receiver_with, organisation):
    receiver_with(200)
    notice = tell(organisation, UserFactory(organisation=organisation))
    forged = signing.dumps(notice.pk, salt="another.salt")
    token = signing.dumps(notice.pk, salt=CONFIRM_SALT)

    for bad in (forged, token[:-2] + "xx"):
        response = client.post(f"/api/v1/recipients/confirm/{bad}/")
        assert response.status_code == 400
        assert "not valid" in json.dumps(response.json()["error"])
    assert Notice.objects.get(pk=notice.pk).status == "awaiting"


def test_the_dpo_records_a_confirmation_by_hand_with_a_note(organisation):
    notice = tell(organisation, UserFactory(organisation=organisation))

    notice_confirm_by_hand(notice=notice, note="Confirmed by e-mail on 2 Dec.", by=DpoFactory())

    notice.refresh_from_db()
    assert notice.status == "confirmed"
    assert notice.confirmation_note == "Confirmed by e-mail on 2 Dec."
    assert notice.confirmed_at <= timezone.now()
    with pytest.raises(AlreadyConfirmed):
        notice_confirm_by_hand(notice=notice, note="again", by=DpoFactory())
