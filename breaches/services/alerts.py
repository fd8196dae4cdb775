"""The 72-hour clock's alerts: the DPO is e-mailed at 24 and 6 hours left and when overdue."""

import logging
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

import audit
from breaches.clock import breach_clock
from breaches.models import Breach, BreachAlert
from breaches.selectors import breaches_running_clocks
from breaches.services.register import breach_url

logger = logging.getLogger(__name__)

# (threshold, alert when hours left are at most this), least urgent first.
ALERT_THRESHOLDS = (
    (BreachAlert.Threshold.HOURS_24, 24),
    (BreachAlert.Threshold.HOURS_6, 6),
    (BreachAlert.Threshold.OVERDUE, 0),
)


def breach_alerts_send(*, now: datetime | None = None) -> int:
    """E-mail the DPO about each breach whose clock crossed 24 h left, 6 h left or overdue.

    Idempotent: each (breach, threshold) is claimed once by a unique row, so a rerun, a
    retry or two beats at once send nothing more. Returns the number of e-mails queued.
    """
    now = now or timezone.now()
    sent = 0
    for breach in breaches_running_clocks().order_by("aware_at", "pk"):
        clock = breach_clock(breach, now)
        crossed = [t for t, hours in ALERT_THRESHOLDS if clock.hours_left <= hours]
        if not crossed:
            continue
        claimed = []
        with transaction.atomic():
            for threshold in crossed:
                try:
                    with transaction.atomic():
                        BreachAlert.objects.create(breach=breach, threshold=threshold, sent_at=now)
                except IntegrityError:
                    continue
                claimed.append(threshold)
            if not claimed:
                continue
            # Crossing several at once (the task was down): one e-mail, the most urgent.
            threshold = claimed[-1]
            audit.record(
                None,
                "breach.alert",
                target=breach,
                details={"thresholds": claimed, "hours_left": round(clock.hours_left, 2)},
            )
            transaction.on_commit(lambda pk=breach.pk, t=threshold: _mail_dpo_alert(pk, t, now))
        sent += 1
    return sent


def _mail_dpo_alert(breach_id: int, threshold: str, now: datetime) -> None:
    breach = Breach.objects.filter(pk=breach_id).first()
    if breach is None:
        return
    clock = breach_clock(breach, now)
    deadline = timezone.localtime(clock.deadline)
    headline = {
        BreachAlert.Threshold.HOURS_24: "24 hours left to report",
        BreachAlert.Threshold.HOURS_6: "6 hours left to report",
        BreachAlert.Threshold.OVERDUE: "OVERDUE: the 72 hours to report have passed",
    }[threshold]
    send_mail(
        f"[PrivacyDesk] Breach {breach.reference}: {headline}",
        f"{breach}\n\n"
        f"Became aware: {timezone.localtime(breach.aware_at):%-d %b %Y, %H:%M %Z}\n"
        f"ICO deadline: {deadline:%-d %b %Y, %H:%M %Z}, {clock.label}.\n\n"
        "Report it to the ICO, or record the decision not to report it with its reason; "
        "a late report must give the reasons for the delay.\n\n"
        f"{breach_url(breach)}\n",
        settings.DEFAULT_FROM_EMAIL,
        [settings.DPO_EMAIL],
    )
    logger.info("Breach alert %s sent for breach %s", threshold, breach_id)
