import datetime

from celery import shared_task
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

import audit
from accounts.models import User
from audit.models import AuditEntry
from dsar.executors.access import access_package_build
from dsar.executors.package_files import access_packages_delete_expired
from dsar.models import RightsRequest
from dsar.selectors import DUE_SOON_DAYS, requests_due_soon, requests_overdue
from dsar.services.acknowledgement import complaint_acknowledgement_deliver
from dsar.services.complaint_alerts import complaint_alerts_send
from dsar.services.letters import letter_send, verification_url
from dsar.services.unverified import rights_requests_close_unverified


@shared_task
def send_letter(request_id: int, key: str, extra: dict) -> None:
    # Links with tokens are made here, from the database, so that none travels via the broker.
    request = RightsRequest.objects.filter(pk=request_id).first()
    if request is None:
        return
    if key == "verification":
        extra = {**extra, "verify_url": verification_url(request)}
    letter_send(key, request, **extra)


@shared_task
def send_complaint_acknowledgement(request_id: int, by_id: int | None = None) -> bool:
    """E-mail a complaint's acknowledgement and record it; a second run sends nothing."""
    return complaint_acknowledgement_deliver(request_id=request_id, by_id=by_id)


@shared_task
def send_complaint_alerts() -> int:
    """Beat: tell the DPO of complaints whose acknowledgement or outcome is due or late, each
    alert once per complaint (dsar.services.complaint_alerts)."""
    return complaint_alerts_send()


DUE_ALERTS_CLAIM_TTL = 60 * 60 * 48  # two days: long enough to cover the day it names
DUE_ALERTS_ACTION = "rights_request.due_alerts_sent"


@shared_task
def send_due_alerts() -> int:
    """E-mail the DPO the open requests overdue or due within 7 days; once a day at most.

    Returns how many requests the e-mail listed (0 when nothing was sent).
    """

    today = timezone.localdate()
    # The audit trail says durably that today's alert went out (a cache can be flushed);
    # cache.add is atomic, so of two runs at once (a retry, a second beat) one claims the day.
    sent = AuditEntry.objects.filter(action=DUE_ALERTS_ACTION, target_id=today.isoformat())
    if sent.exists():
        return 0
    claim = f"dsar:due-alerts:{today.isoformat()}"
    if not cache.add(claim, "sent", DUE_ALERTS_CLAIM_TTL):
        return 0
    overdue = list(requests_overdue(today).select_related("assignee").order_by("due_on", "pk"))
    due_soon = list(requests_due_soon(today).select_related("assignee").order_by("due_on", "pk"))
    if not overdue and not due_soon:
        return 0

    def table(rows: list[RightsRequest]) -> str:
        lines = [f"{'Reference':<16} {'Due':<11} {'Type':<44} {'Status':<24} Assignee"]
        for row in rows:
            who = row.assignee.full_name or row.assignee.email if row.assignee else "nobody"
            lines.append(
                f"{row.reference:<16} {row.due_on:%Y-%m-%d} {row.get_kind_display():<44} "
                f"{row.get_state_display():<24} {who}"
            )
        return "\n".join(lines)

    sections = []
    if overdue:
        sections.append(f"OVERDUE ({len(overdue)})\n{table(overdue)}")
    if due_soon:
        until = today + datetime.timedelta(days=DUE_SOON_DAYS)
        sections.append(f"DUE BY {until:%-d %B %Y} ({len(due_soon)})\n{table(due_soon)}")
    body = (
        f"Rights requests needing an answer, as of {today:%-d %B %Y}.\n\n"
        + "\n\n".join(sections)
        + f"\n\nWork them in the back office: {settings.SITE_URL}/backoffice/requests/\n"
    )
    subject = f"Rights requests: {len(overdue)} overdue, {len(due_soon)} due within 7 days"
    try:
        mail.send_mail(subject, body, None, [settings.DPO_EMAIL])
    except Exception:
        cache.delete(claim)  # not sent: let the retry or the next run try again today
        raise
    audit.record(
        None,
        DUE_ALERTS_ACTION,
        target_id=today.isoformat(),
        details={
            "overdue": [row.reference for row in overdue],
            "due_soon": [row.reference for row in due_soon],
        },
    )
    return len(overdue) + len(due_soon)


@shared_task
def build_access_package(request_id: int, by_id: int | None = None) -> None:
    """Build a request's access package. Idempotent: a live package is not built again."""
    request = RightsRequest.objects.filter(pk=request_id).first()
    if request is None:
        return
    by = User.objects.filter(pk=by_id).first() if by_id else None
    access_package_build(request=request, by=by)


@shared_task
def delete_expired_packages() -> int:
    """Delete the files of packages past their 7 days; hourly, and idempotent."""
    return access_packages_delete_expired()


@shared_task
def close_unverified_requests() -> int:
    """Beat, daily: close the requests never confirmed (dsar.services.unverified)."""
    return rights_requests_close_unverified()
