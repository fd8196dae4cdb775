"""The DPO is e-mailed about complaints: an acknowledgement due within 7 days, one whose 30
days have passed, and an outcome overdue; each alert once per complaint, however often the
hourly beat runs."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from audit.models import AuditEntry
from dsar.models import Channel, ComplaintAlert, RequestKind
from dsar.services.acknowledgement import complaint_acknowledgement_deliver
from dsar.services.filing import rights_request_file
from dsar.tasks import send_complaint_alerts
from tests.factories import DpoFactory

pytestmark = pytest.mark.django_db


def on(day: datetime.date, hour: int = 7):
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(hour, tzinfo=datetime.UTC)), tick=False
    )


def complaint(received: datetime.date, name: str, *, kind=RequestKind.COMPLAINT):
    """Logged by the DPO; its acknowledgement not sent (nothing commits in these tests)."""
    return rights_request_file(
        kind=kind,
        requester_name=name,
        requester_email=f"{name.lower()}@example.test",
        channel=Channel.EMAIL,
        filed_by=DpoFactory(),
        received_at=timezone.make_aware(datetime.datetime.combine(received, datetime.time(11))),
        verified=True,
    )


@pytest.fixture
def complaints():
    """As of Monday 16 March 2026."""
    with on(datetime.date(2026, 3, 16)):
        rows = {
            "late": complaint(datetime.date(2026, 2, 10), "Late"),  # ack by 11 Mar, outcome 10 Mar
            "soon": complaint(datetime.date(2026, 2, 18), "Soon"),  # ack by 19 Mar
            "quiet": complaint(datetime.date(2026, 3, 2), "Quiet"),  # ack by 31 Mar
            "done": complaint(datetime.date(2026, 2, 10), "Done"),
            "access": complaint(datetime.date(2026, 2, 2), "Access", kind=RequestKind.ACCESS),
        }
        complaint_acknowledgement_deliver(request_id=rows["done"].pk)
    return rows


def dpo_alerts(mailoutbox):
    return [mail for mail in mailoutbox if mail.subject.startswith("Complaints:")]


def test_the_dpo_is_told_of_acknowledgements_lapsing_and_lapsed_and_outcomes_overdue(
    complaints, mailoutbox, django_capture_on_commit_callbacks
):
    with on(datetime.date(2026, 3, 16)), django_capture_on_commit_callbacks(execute=True):
        assert send_complaint_alerts.delay().get() == 4

    (mail,) = dpo_alerts(mailoutbox)
    assert mail.to == [settings.DPO_EMAIL]
    assert mail.subject == (
        "Complaints: 1 acknowledgement overdue, 1 acknowledgement due soon, 2 outcome overdue"
    )
    lapsed, rest = mail.body.split("TO ACKNOWLEDGE WITHIN 7 DAYS")
    soon, outcome = rest.split("OUTCOME OVERDUE")
    assert "NOT ACKNOWLEDGED WITHIN 30 DAYS" in lapsed
    assert complaints["late"].reference in lapsed and "11 Mar 2026" in lapsed
    assert complaints["soon"].reference in soon and "19 Mar 2026" in soon
    assert complaints["late"].reference in outcome and "10 Mar 2026" in outcome
    for quiet in ("quiet", "access"):
        assert complaints[quiet].reference not in mail.body
    # The acknowledged one is late with its outcome only.
    assert complaints["done"].reference in outcome
    assert complaints["done"].reference not in lapsed
    assert "/backoffice/complaints/" in mail.body
    entry = AuditEntry.objects.get(action="rights_request.complaint_alerts_sent")
    assert entry.details["acknowledgement_overdue"] == [complaints["late"].reference]


def test_each_alert_goes_once_however_often_the_beat_runs(
    complaints, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with on(datetime.date(2026, 3, 16)):
            first = send_complaint_alerts()
        with on(datetime.date(2026, 3, 16), hour=8):
            assert send_complaint_alerts() == 0
        with on(datetime.date(2026, 3, 17)):
            assert send_complaint_alerts() == 0
    assert first == 4  # late: acknowledgement and outcome; soon; done: outcome
    assert len(dpo_alerts(mailoutbox)) == 1

    # 20 March: the one due soon has lapsed, unacknowledged, and its outcome (due 18 March)
    # is late: two more alerts, once each.
    with django_capture_on_commit_callbacks(execute=True):
        with on(datetime.date(2026, 3, 20)):
            assert send_complaint_alerts() == 2
        with on(datetime.date(2026, 3, 20), hour=9):
            assert send_complaint_alerts() == 0
    lapsed = dpo_alerts(mailoutbox)[-1]
    assert lapsed.subject == "Complaints: 1 acknowledgement overdue, 1 outcome overdue"
    assert complaints["soon"].reference in lapsed.body
    assert ComplaintAlert.objects.filter(request=complaints["soon"]).count() == 3


def test_an_acknowledged_complaint_raises_no_acknowledgement_alert(
    complaints, mailoutbox, django_capture_on_commit_callbacks
):
    with on(datetime.date(2026, 3, 17)):
        complaint_acknowledgement_deliver(request_id=complaints["soon"].pk)
    with on(datetime.date(2026, 3, 24)), django_capture_on_commit_callbacks(execute=True):
        send_complaint_alerts()
    (mail,) = dpo_alerts(mailoutbox)
    assert complaints["soon"].reference not in mail.body.split("OUTCOME OVERDUE")[0]
    # Quiet's acknowledgement (31 March) is now within 7 days.
    assert complaints["quiet"].reference in mail.body


def test_the_alerts_run_hourly_on_the_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["dsar-complaint-alerts"]
    assert entry["task"] == "dsar.tasks.send_complaint_alerts"
