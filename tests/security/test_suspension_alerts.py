"""Provisional suspensions: the DPO and support are e-mailed when one opens and again when it
is still unreviewed at its review time; once each, however often the beat runs."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from accounts.models import User
from security.models import Investigation
from security.services.investigations import investigation_confirm_suspension
from security.services.rules import investigation_raise
from security.services.suspension_alerts import suspension_alerts_send
from security.tasks import send_suspension_alerts
from tests.factories import DpoFactory, SupportFactory, UserFactory

pytestmark = pytest.mark.django_db

RULE = "success_after_distributed_failures"  # high severity, suspends


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def suspend(user, capture) -> Investigation:
    with capture(execute=True):
        return investigation_raise(
            rule=RULE, summary="Login after failures", evidence=[], user=user
        )


def staff_mails(outbox):
    return [m for m in outbox if m.subject.startswith("[PrivacyDesk] INV-")]


def test_staff_are_emailed_when_a_provisional_suspension_opens(
    clock, mailoutbox, django_capture_on_commit_callbacks, settings
):
    dpo, support = DpoFactory(), SupportFactory()
    SupportFactory(status=User.Status.TERMINATED)
    investigation = suspend(UserFactory(), django_capture_on_commit_callbacks)

    [mail] = staff_mails(mailoutbox)
    assert "account suspended pending review" in mail.subject
    assert mail.to == [settings.DPO_EMAIL, *sorted([dpo.email, support.email])]
    assert f"/backoffice/investigations/{investigation.pk}/" in mail.body
    assert investigation.user.email not in mail.body
    investigation.refresh_from_db()
    assert investigation.staff_alerted_at == timezone.now()


def test_the_opening_alert_is_sent_once_however_often_the_beat_runs(
    clock, mailoutbox, django_capture_on_commit_callbacks
):
    suspend(UserFactory(), django_capture_on_commit_callbacks)
    send_suspension_alerts.delay()
    send_suspension_alerts.delay()

    assert len(staff_mails(mailoutbox)) == 1


def test_an_opening_alert_the_enqueue_lost_is_sent_by_the_beat(clock, mailoutbox):
    # No on-commit callbacks run: as if the broker was down when the suspension opened.
    investigation = investigation_raise(rule=RULE, summary="x", evidence=[], user=UserFactory())
    assert staff_mails(mailoutbox) == []

    assert suspension_alerts_send() == 1
    [mail] = staff_mails(mailoutbox)
    assert "pending review" in mail.subject and f"INV-{investigation.pk}" in mail.subject


def test_staff_are_reminded_once_when_the_suspension_is_unreviewed_at_24_hours(
    clock, mailoutbox, django_capture_on_commit_callbacks
):
    investigation = suspend(UserFactory(), django_capture_on_commit_callbacks)
    mailoutbox.clear()

    clock.shift(timedelta(hours=23, minutes=59))
    assert suspension_alerts_send() == 0
    clock.shift(timedelta(minutes=1))
    assert suspension_alerts_send() == 1
    assert suspension_alerts_send() == 0
    clock.shift(timedelta(hours=5))
    assert suspension_alerts_send() == 0

    [mail] = staff_mails(mailoutbox)
    assert "suspension unreviewed after 24 hours" in mail.subject
    investigation.refresh_from_db()
    assert investigation.review_reminder_sent_at is not None


def test_a_reviewed_suspension_gets_no_reminder(
    clock, mailoutbox, django_capture_on_commit_callbacks
):
    investigation = suspend(UserFactory(), django_capture_on_commit_callbacks)
    investigation_confirm_suspension(
        investigation=investigation, by=DpoFactory(), reason="Confirmed with the client"
    )
    mailoutbox.clear()

    clock.shift(timedelta(hours=25))
    assert suspension_alerts_send() == 0
    assert staff_mails(mailoutbox) == []


def test_the_review_time_follows_the_setting(
    clock, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SUSPICIOUS_ACTIVITY_REVIEW_HOURS = 4
    suspend(UserFactory(), django_capture_on_commit_callbacks)

    clock.shift(timedelta(hours=4))
    assert suspension_alerts_send() == 1
    assert "after 4 hours" in staff_mails(mailoutbox)[-1].subject


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("requires_postgres")
def test_two_beats_at_once_send_one_reminder(mailoutbox):
    """GIVEN a suspension unreviewed past its review time, WHEN two sweeps run at once on
    separate connections, THEN the conditional UPDATE lets exactly one of them send."""
    investigation = investigation_raise(rule=RULE, summary="x", evidence=[], user=UserFactory())
    Investigation.objects.filter(pk=investigation.pk).update(
        staff_alerted_at=timezone.now(), review_due_at=timezone.now() - timedelta(minutes=1)
    )
    barrier = threading.Barrier(2)
    counts = []

    def sweep():
        try:
            barrier.wait()
            counts.append(suspension_alerts_send())
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(counts) == [0, 1]
    reminders = [m for m in staff_mails(mailoutbox) if "unreviewed after" in m.subject]
    assert len(reminders) == 1
