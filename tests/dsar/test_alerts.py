"""The daily e-mail to the DPO: open requests overdue or due within 7 days, once a day."""

import datetime

import pytest
import time_machine
from django.conf import settings

from dsar.models import State
from dsar.tasks import send_due_alerts
from tests.dsar.test_queue import filed

pytestmark = pytest.mark.django_db


def on(day: datetime.date, hour: int = 7):
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(hour, tzinfo=datetime.UTC)), tick=False
    )


@pytest.fixture
def requests():
    """As of Monday 16 March 2026: one overdue, one due soon, one later, one closed late."""
    with on(datetime.date(2026, 3, 16)):
        return {
            "overdue": filed(datetime.date(2026, 2, 2)),  # due 2 March
            "soon": filed(datetime.date(2026, 2, 18)),  # due 18 March
            "later": filed(datetime.date(2026, 3, 10)),  # due 10 April
            "closed": filed(datetime.date(2026, 1, 5), state=State.COMPLETED),
            "unverified": filed(state=State.AWAITING_VERIFICATION),
        }


def test_the_dpo_gets_the_overdue_and_due_soon_requests(requests, mailoutbox):
    with on(datetime.date(2026, 3, 16)):
        assert send_due_alerts.delay().get() == 2
    (mail,) = mailoutbox
    assert mail.to == [settings.DPO_EMAIL]
    assert mail.subject == "Rights requests: 1 overdue, 1 due within 7 days"
    overdue_part, soon_part = mail.body.split("DUE BY 23 March 2026")
    assert "OVERDUE (1)" in overdue_part
    assert requests["overdue"].reference in overdue_part
    assert "2026-03-02" in overdue_part
    assert requests["soon"].reference in soon_part
    for quiet in ("later", "closed", "unverified"):
        assert requests[quiet].reference not in mail.body
    assert "/backoffice/requests/" in mail.body


def test_a_second_run_the_same_day_sends_nothing_and_the_next_day_sends_again(requests, mailoutbox):
    with on(datetime.date(2026, 3, 16)):
        send_due_alerts()
    with on(datetime.date(2026, 3, 16), hour=18):
        assert send_due_alerts() == 0
    assert len(mailoutbox) == 1
    with on(datetime.date(2026, 3, 17)):
        assert send_due_alerts() == 2
    assert len(mailoutbox) == 2


def test_no_email_when_nothing_is_due(mailoutbox):
    with on(datetime.date(2026, 3, 16)):
        filed(datetime.date(2026, 3, 10))
        assert send_due_alerts() == 0
    assert mailoutbox == []


def test_a_failed_send_lets_a_retry_send_the_alert(requests, mailoutbox, monkeypatch):
    import django.core.mail

    def broken(*args, **kwargs):
        raise ConnectionError("SMTP down")

    with on(datetime.date(2026, 3, 16)):
        monkeypatch.setattr(django.core.mail, "send_mail", broken)
        with pytest.raises(ConnectionError):
            send_due_alerts()
        monkeypatch.undo()
        assert send_due_alerts() == 2
    assert len(mailoutbox) == 1


def test_the_alert_runs_daily_from_the_beat_schedule_and_expires_before_the_next_run():
    entry = next(
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "dsar.tasks.send_due_alerts"
    )
    assert entry["options"]["expires"] < 24 * 60 * 60


def test_a_flushed_cache_does_not_send_the_days_alert_twice(requests, mailoutbox):
    from django.core.cache import cache

    from audit.models import AuditEntry

    with on(datetime.date(2026, 3, 16)):
        send_due_alerts()
        cache.clear()
        assert send_due_alerts() == 0
    assert len(mailoutbox) == 1
    entry = AuditEntry.objects.get(action="rights_request.due_alerts_sent")
    assert entry.target_id == "2026-03-16"
    assert entry.details["overdue"] == [requests["overdue"].reference]
