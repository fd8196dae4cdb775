"""The DPO and support are e-mailed when a rule suspends an account provisionally, and again
when the suspension is still unreviewed at its review time (SUSPICIOUS_ACTIVITY_REVIEW_HOURS).

Each e-mail is claimed by a conditional UPDATE of its ``*_at`` column before it is sent, so a
retried task, a rerun beat or two workers at once send it once. A re-suspension of the same
investigation clears both columns (rules.investigation_raise): it is a new suspension.
"""

from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

import audit
from security.models import Investigation
from security.selectors import (
    suspension_alert_recipients,
    suspensions_due_for_reminder,
    suspensions_not_alerted,
)


def _investigation_url(investigation: Investigation) -> str:
    return settings.SITE_URL + reverse("investigations:detail", args=[investigation.pk])


def _unreviewed_suspension(pk: int):
    return Investigation.objects.filter(
        pk=pk,
        status=Investigation.Status.OPEN,
        account_suspended=True,
        reviewed_at__isnull=True,
    )


def _mail_staff(investigation: Investigation, headline: str, body: str) -> None:
    # The account's e-mail address stays out of the message: the link shows it to staff.
    send_mail(
        f"[PrivacyDesk] INV-{investigation.pk}: {headline}",
        f"{body}\n\n"
        f"Rule: {investigation.rule_label} ({investigation.get_severity_display()})\n"
        f"Review due: {timezone.localtime(investigation.review_due_at):%-d %b %Y, %H:%M %Z}\n\n"
        "Confirm the suspension or lift it; the user cannot log in until someone does.\n\n"
        f"{_investigation_url(investigation)}\n",
        settings.DEFAULT_FROM_EMAIL,
        suspension_alert_recipients(),
    )


def suspension_opened_alert(*, investigation_id: int, now: datetime | None = None) -> bool:
    """Tell staff that a provisional suspension opened. True when this call sent it."""
    now = now or timezone.now()
    claimed = _unreviewed_suspension(investigation_id).filter(staff_alerted_at__isnull=True)
    if not claimed.update(staff_alerted_at=now):
        return False
    investigation = Investigation.objects.get(pk=investigation_id)
    audit.record(None, "investigation.staff_alerted", target=investigation)
    _mail_staff(
        investigation,
        "account suspended pending review",
        "A suspicious-activity rule suspended an account as a provisional step.",
    )
    return True


def suspension_alerts_send(*, now: datetime | None = None) -> int:
    """The beat's sweep: an opening alert its enqueue lost (the broker was down at that moment),
    then a reminder for each suspension unreviewed at its review time. Returns e-mails sent."""
    now = now or timezone.now()
    sent = 0
    for pk in suspensions_not_alerted().order_by("pk").values_list("pk", flat=True):
        sent += suspension_opened_alert(investigation_id=pk, now=now)
    for pk in suspensions_due_for_reminder(now).order_by("pk").values_list("pk", flat=True):
        claimed = suspensions_due_for_reminder(now).filter(pk=pk)
        if not claimed.update(review_reminder_sent_at=now):
            continue  # another run claimed it, or someone reviewed it meanwhile
        investigation = Investigation.objects.get(pk=pk)
        audit.record(None, "investigation.review_reminder", target=investigation)
        hours = settings.SUSPICIOUS_ACTIVITY_REVIEW_HOURS
        _mail_staff(
            investigation,
            f"suspension unreviewed after {hours} hours",
            f"An account suspended as a provisional step has waited {hours} hours for review.",
        )
        sent += 1
    return sent
