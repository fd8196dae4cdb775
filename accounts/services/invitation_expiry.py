"""Invitations whose 72 hours passed unaccepted are marked expired, by the beat.

Apart from services/invitations.py because the task that runs it lives in accounts/tasks.py,
which that module imports to send invitations.
"""

from datetime import datetime

from django.db.models import F
from django.utils import timezone

from accounts.models import Invitation


def invitations_expire(*, now: datetime | None = None) -> int:
    """Mark every invitation whose link lapsed unaccepted as expired, at the moment it lapsed.
    One UPDATE of the rows not yet marked: a rerun marks nothing more. Returns how many."""
    now = now or timezone.now()
    return Invitation.objects.filter(
        accepted_at__isnull=True, expired_at__isnull=True, expires_at__lte=now
    ).update(expired_at=F("expires_at"))
