"""Telling active users that the privacy notice changed what we do with their data.

A service message, not marketing: it goes to every active user whatever their marketing
choices. Like the marketing sends, one row per recipient and version records the e-mail
right after it leaves, so running the send again reaches only people not yet told.
"""

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse

import audit
from accounts.models import User
from common import present
from cookies.models import NoticeChangeEmail, PolicyVersion
from cookies.notice.compare import change_summary

SEND_BATCH = 100


def notice_change_recipients(version: PolicyVersion):
    return (
        User.objects.filter(status=User.Status.ACTIVE)
        .exclude(pk__in=version.emails.values("user_id"))
        .only("pk", "email", "full_name")
        .order_by("pk")
    )


def _message(*, user: User, version: PolicyVersion, summary: list[str]) -> EmailMessage:
    body = render_to_string(
        "cookies/emails/notice_changed.txt",
        {
            "user": user,
            "version": version,
            "published": present.day(version.published_at),
            "summary": summary,
            "notice_url": f"{settings.SITE_URL}{reverse('privacy')}",
            "changes_url": settings.SITE_URL
            + reverse("cookies:privacy-version", args=[version.number]),
        },
    )
    return EmailMessage(subject="We have updated our privacy notice", body=body, to=[user.email])


def notice_change_send(*, version: PolicyVersion) -> int:
    """E-mail every active user not yet told of ``version``; returns how many were sent."""
    if not version.material_changes:
        return 0
    previous = (
        PolicyVersion.objects.filter(kind=version.kind, number__lt=version.number)
        .order_by("-number")
        .first()
    )
    summary = change_summary(
        previous.snapshot if previous else None, version.snapshot or {}, version.material_changes
    )
    sent = 0
    batch: list[tuple[User, EmailMessage]] = []

    def flush(connection) -> int:
        delivered = connection.send_messages([message for _, message in batch]) or 0
        NoticeChangeEmail.objects.bulk_create(
            [NoticeChangeEmail(version=version, user=user) for user, _ in batch],
            ignore_conflicts=True,
        )
        batch.clear()
        return delivered

    with get_connection() as connection:
        for user in notice_change_recipients(version).iterator(chunk_size=500):
            batch.append((user, _message(user=user, version=version, summary=summary)))
            if len(batch) >= SEND_BATCH:
                sent += flush(connection)
        if batch:
            sent += flush(connection)
    if sent:
        audit.record(
            None,
            "cookies.notice_change_emailed",
            target=version,
            details={"number": version.number, "recipients": sent},
        )
    return sent
