from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from audit.models import AuditEntry
from breaches.clock import breach_clock
from breaches.models import Breach, BreachAlert, BreachEvent
from breaches.selectors import breaches_open_with_clocks
from breaches.services import register as services
from breaches.tasks import send_breach_alerts

pytestmark = pytest.mark.django_db

AWARE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def breach(dpo):
    with time_machine.travel(AWARE, tick=False):
        return services.breach_open(
            by=dpo,
            title="Support export on a stolen laptop",
            aware_at=AWARE,
            description="An unencrypted laptop was stolen.",
        )


def run_alerts(at, django_capture_on_commit_callbacks):
    with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
        return send_breach_alerts()


def test_the_clock_counts_72_hours_from_awareness(breach):
    clock = breach_clock(breach, AWARE + timedelta(hours=30))
    assert clock.deadline == AWARE + timedelta(hours=72)
    assert clock.hours_left == 42
    assert clock.running and not clock.overdue
    assert clock.label == "42 h 0 min left"


def test_the_clock_is_overdue_after_72_hours(breach):
    clock = breach_clock(breach, AWARE + timedelta(hours=75, minutes=30))
    assert clock.overdue
    assert clock.hours_left == -3.5
    assert clock.label == "Overdue by 3 h 30 min"


def test_the_clock_stops_when_the_breach_is_reported_or_decided_not_reportable(dpo, breach):
    with time_machine.travel(AWARE + timedelta(hours=10), tick=False):
        services.breach_decide(
            breach=breach, kind=BreachEvent.Kind.NOT_REPORT_ICO, reason="Encrypted.", by=dpo
        )
    clock = breach_clock(breach, AWARE + timedelta(hours=100))
    assert not clock.running and not clock.overdue


def test_open_breaches_come_with_their_clocks_soonest_deadline_first(
    dpo, breach, django_assert_num_queries
):
    later = services.breach_open(
        by=dpo, title="Later", aware_at=AWARE + timedelta(hours=5), description="x"
    )
    closed = services.breach_open(by=dpo, title="Closed", aware_at=AWARE, description="x")
    Breach.objects.filter(pk=closed.pk).update(status=Breach.Status.CLOSED)

    # One query: the open breaches; the clocks are computed in Python.
    with django_assert_num_queries(1):
        rows = breaches_open_with_clocks(now=AWARE + timedelta(hours=70))

    assert [row.pk for row in rows] == [breach.pk, later.pk]
    assert rows[0].clock.hours_left == 2
    assert rows[0].clock.deadline == AWARE + timedelta(hours=72)
    assert not rows[0].clock.overdue
    assert rows[1].clock.hours_left == 7


def test_no_alert_while_more_than_24_hours_are_left(breach, django_capture_on_commit_callbacks):
    assert run_alerts(AWARE + timedelta(hours=47), django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_the_dpo_is_alerted_at_24_hours_left_once(
    breach, settings, django_capture_on_commit_callbacks
):
    settings.DPO_EMAIL = "dpo-team@privacydesk.test"
    assert run_alerts(AWARE + timedelta(hours=48, minutes=5), django_capture_on_commit_callbacks)
    assert (
        run_alerts(AWARE + timedelta(hours=48, minutes=20), django_capture_on_commit_callbacks) == 0
    )

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["dpo-team@privacydesk.test"]
    assert f"Breach {breach.reference}: 24 hours left to report" in message.subject
    assert "23 h 55 min left" in message.body
    assert f"/backoffice/breaches/{breach.pk}/" in message.body
    assert list(breach.alerts.values_list("threshold", flat=True)) == ["24h"]


def test_alerts_come_at_24_and_6_hours_left_and_when_overdue(
    breach, django_capture_on_commit_callbacks
):
    for hours in (49, 50, 66.5, 67, 72.25, 80):
        run_alerts(AWARE + timedelta(hours=hours), django_capture_on_commit_callbacks)

    subjects = [message.subject for message in mail.outbox]
    assert len(subjects) == 3
    assert "24 hours left" in subjects[0]
    assert "6 hours left" in subjects[1]
    assert "OVERDUE" in subjects[2]
    assert sorted(breach.alerts.values_list("threshold", flat=True)) == ["24h", "6h", "overdue"]
    alerts = AuditEntry.objects.filter(action="breach.alert", target_id=str(breach.pk))
    assert alerts.count() == 3
    assert alerts.first().actor is None


def test_a_late_first_run_sends_one_alert_for_the_most_urgent_threshold(
    breach, django_capture_on_commit_callbacks
):
    run_alerts(AWARE + timedelta(hours=73), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert "OVERDUE" in mail.outbox[0].subject
    # The thresholds it passed are recorded too, so none of them is sent later.
    assert breach.alerts.count() == 3
    run_alerts(AWARE + timedelta(hours=74), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1


def test_a_reported_breach_gets_no_alerts(dpo, breach, django_capture_on_commit_callbacks):
    with time_machine.travel(AWARE + timedelta(hours=20), tick=False):
        services.breach_record_ico_report(
            breach=breach, reference="IC-1", reported_at=AWARE + timedelta(hours=19), by=dpo
        )
    run_alerts(AWARE + timedelta(hours=80), django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert not BreachAlert.objects.exists()


def test_an_alert_already_claimed_is_not_sent_again(breach, django_capture_on_commit_callbacks):
    """A second beat that lost the race finds the threshold's row and sends nothing."""
    BreachAlert.objects.create(breach=breach, threshold="24h", sent_at=AWARE)
    run_alerts(AWARE + timedelta(hours=50), django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_the_alert_task_runs_every_15_minutes_and_expires_before_the_next(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["breach-clock-alerts"]
    assert entry["task"] == "breaches.tasks.send_breach_alerts"
    assert entry["schedule"].minute == {0, 15, 30, 45}
    assert entry["options"]["expires"] < 15 * 60


@pytest.mark.parametrize(
    ("hours_since_awareness", "tone"),
    [(10, "running"), (50, "due-soon"), (80, "overdue")],
)
def test_the_clock_turns_amber_under_a_day_and_red_when_overdue(
    breach, hours_since_awareness, tone
):
    clock = breach_clock(breach, AWARE + timedelta(hours=hours_since_awareness))
    assert clock.tone == tone


def test_a_stopped_clock_says_how_it_stopped_in_the_same_words_everywhere(dpo, breach):
    with time_machine.travel(AWARE + timedelta(hours=20), tick=False):
        services.breach_record_ico_report(
            breach=breach, reference="ICO/123", reported_at=AWARE + timedelta(hours=20), by=dpo
        )
    clock = breach_clock(breach, AWARE + timedelta(hours=100))
    assert (clock.label, clock.tone) == ("Reported to the ICO", "visible")


def test_a_report_after_72_hours_reads_late_in_red(dpo, breach):
    reported = AWARE + timedelta(hours=80)
    with time_machine.travel(reported, tick=False):
        services.breach_record_ico_report(
            breach=breach,
            reference="ICO/124",
            reported_at=reported,
            delay_reason="The laptop's contents took days to establish.",
            by=dpo,
        )
    clock = breach_clock(breach, reported)
    assert (clock.label, clock.tone) == ("Reported to the ICO late", "overdue")


def test_the_dashboard_says_a_reported_breach_was_reported_not_stopped(dpo, dpo_client, breach):
    services.breach_record_ico_report(
        breach=breach, reference="ICO/125", reported_at=AWARE + timedelta(hours=5), by=dpo
    )
    html = dpo_client.get("/backoffice/").content.decode()
    assert "Reported to the ICO" in html
    assert "Stopped" not in html
    # Every deadline carries its zone: 2 March is winter, so GMT.
    assert "5 Mar 2026, 09:00 GMT" in html
