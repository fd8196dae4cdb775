"""Closing rights requests whose e-mail address was never confirmed, for beat.

Kept apart from filing, which sends letters: this module enqueues nothing, so dsar.tasks can
call it without a cycle.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dsar.models import RightsRequest, State
from dsar.services.timeline import SYSTEM, audit_step, state_move


def unverified_close_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    days = settings.RIGHTS_REQUEST_UNVERIFIED_CLOSE_DAYS
    return (now or timezone.now()) - datetime.timedelta(days=days)


def rights_request_close_unverified(*, request_id: int, cutoff: datetime.datetime) -> bool:
    """Close one request whose address was never confirmed, filed before ``cutoff``.

    Re-read under a row lock, so a run twice (or racing a late confirmation) closes nothing
    more. Rejected by the system, with no letter: the address was never shown to be theirs.
    Its closure starts the retention clock of the "rights_requests" category.
    """
    days = settings.RIGHTS_REQUEST_UNVERIFIED_CLOSE_DAYS
    with transaction.atomic():
        request = (
            RightsRequest.objects.select_for_update()
            .filter(pk=request_id, state=State.AWAITING_VERIFICATION, received_at__lt=cutoff)
            .first()
        )
        if request is None:
            return False
        request.outcome = (
            f"Closed: the e-mail address was not confirmed within {days} days. "
            "You can make a new request at any time."
        )
        state_move(request, State.REJECTED, by=SYSTEM, body=request.outcome)
        audit_step(SYSTEM, "rights_request.closed_unverified", request, days=days)
    return True


def rights_requests_close_unverified(*, now: datetime.datetime | None = None) -> int:
    """Close every request still unconfirmed ``RIGHTS_REQUEST_UNVERIFIED_CLOSE_DAYS`` after
    filing; returns how many this run closed (0 on a second run)."""
    cutoff = unverified_close_cutoff(now)
    candidates = RightsRequest.objects.filter(
        state=State.AWAITING_VERIFICATION, received_at__lt=cutoff
    ).values_list("pk", flat=True)
    return sum(
        rights_request_close_unverified(request_id=pk, cutoff=cutoff) for pk in list(candidates)
    )
