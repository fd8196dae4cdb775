"""The complaint clocks' alerts to the DPO: an acknowledgement due within 7 days, one whose
30 days have passed, and an outcome past the month we give ourselves. Each is sent once per
complaint, as the breach clock's alerts are: a unique row claims it. Enqueues nothing, so
dsar.tasks can call it."""

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

import audit
from dsar.models import ComplaintAlert, RightsRequest
from dsar.selectors import (
    DUE_SOON_DAYS,
    complaints_acknowledgement_due_soon,
    complaints_acknowledgement_overdue,
    complaints_outcome_overdue,
)

Kind = ComplaintAlert.Kind

# (alert, the complaints it is for, the date it concerns, its heading), most urgent first.
ALERTS = (
    (
        Kind.ACKNOWLEDGEMENT_OVERDUE,
        complaints_acknowledgement_overdue,
        "acknowledge_by",
        "NOT ACKNOWLEDGED WITHIN 30 DAYS (acknowledge at once)",
    ),
    (
        Kind.ACKNOWLEDGEMENT_DUE_SOON,
        complaints_acknowledgement_due_soon,
        "acknowledge_by",
        f"TO ACKNOWLEDGE WITHIN {DUE_SOON_DAYS} DAYS",
    ),
    (
        Kind.OUTCOME_OVERDUE,
        complaints_outcome_overdue,
        "due_on",
        "OUTCOME OVERDUE (tell the complainant how it stands, and the outcome without delay)",
    ),
)


def _claim(request: RightsRequest, kind: str, now: datetime.datetime) -> bool:
    try:
        with transaction.atomic():
            ComplaintAlert.objects.create(request=request, kind=kind, sent_at=now)
    except IntegrityError:  # claimed by an earlier run, or by a run at the same time
        return False
    return True


def complaint_alerts_send(*, now: datetime.datetime | None = None) -> int:
    """E-mail the DPO one list of the complaints that crossed a threshold since the last run.

    Idempotent: a rerun, a retry or two beats at once send nothing more. Returns how many
    alerts the e-mail carries (0: no e-mail).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    sections, claimed, counts = [], {}, []
    with transaction.atomic():
        for kind, select, date_field, heading in ALERTS:
            rows = [
                row
                for row in select(today)
                .exclude(complaint_alerts__kind=kind)
                .select_related("assignee")
                .order_by(date_field, "pk")
                if _claim(row, kind, now)
            ]
            if rows:
                claimed[Kind(kind).name.lower()] = [row.reference for row in rows]
                counts.append(f"{len(rows)} {Kind(kind).label.lower()}")
                sections.append(f"{heading} ({len(rows)})\n{_table(rows, date_field)}")
        if not claimed:
            return 0
        audit.record(None, "rights_request.complaint_alerts_sent", details=claimed)
        subject = "Complaints: " + ", ".join(counts)
        body = (
            f"Complaints needing attention, as of {today:%-d %B %Y}. The law gives 30 days from "
            "receipt to acknowledge a complaint, then asks for the outcome without undue delay."
            "\n\n" + "\n\n".join(sections) + "\n\nWork them in the back office: "
            f"{settings.SITE_URL}{reverse('complaints:queue')}\n"
        )
        transaction.on_commit(lambda: send_mail(subject, body, None, [settings.DPO_EMAIL]))
    return sum(len(references) for references in claimed.values())


def _table(rows: list[RightsRequest], date_field: str) -> str:
    what = "Acknowledge by" if date_field == "acknowledge_by" else "Outcome due"
    lines = [f"{'Reference':<16} {what:<15} {'Status':<24} Assignee"]
    for row in rows:
        who = row.assignee.full_name or row.assignee.email if row.assignee else "nobody"
        day = getattr(row, date_field)
        date = f"{day:%-d %b %Y}"
        lines.append(f"{row.reference:<16} {date:<15} {row.get_state_display():<24} {who}")
    return "\n".join(lines)
