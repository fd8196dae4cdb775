"""A complaint's acknowledgement (Data Protection Act 2018 s.164A(3)): e-mailed and recorded
once the mail server has taken it, or recorded by hand when it was made another way.

A complaint counts as acknowledged only from the moment the acknowledgement was actually sent:
the letter queued on receipt counts once it has gone, not when it was queued. This module
enqueues nothing, so dsar.tasks can call it.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from dsar.models import RequestKind, RightsRequest
from dsar.services.letters import letter_render
from dsar.services.timeline import (
    SYSTEM,
    Kind,
    actor_label,
    audit_step,
    event_add,
    local_today,
    require_staff,
)
from dsar.workflow import TransitionRefused

SENT_ON_RECEIPT = "E-mailed automatically on receipt"
SENT_FROM_BACK_OFFICE = "E-mailed from the back office"


def complaint_acknowledgement_record(
    *, request: RightsRequest, by, at: datetime.datetime, how: str
) -> bool:
    """Record the acknowledgement once: a second record (a retried task, two clicks) changes
    nothing and returns False. The conditional UPDATE is the claim."""
    with transaction.atomic():
        claimed = RightsRequest.objects.filter(
            pk=request.pk, kind=RequestKind.COMPLAINT, acknowledged_at__isnull=True
        ).update(acknowledged_at=at, acknowledged_by_label=actor_label(by), acknowledged_how=how)
        if not claimed:
            return False
        request.refresh_from_db(
            fields=["acknowledged_at", "acknowledged_by_label", "acknowledged_how"]
        )
        when = timezone.localtime(at).strftime("%-d %B %Y")
        event_add(
            request,
            Kind.ACTION,
            by=by,
            visible=True,
            body=f"Complaint acknowledged on {when}: {how[0].lower()}{how[1:]}.",
        )
        audit_step(by, "rights_request.complaint_acknowledged", request, how=how)
    return True


def complaint_acknowledgement_deliver(*, request_id: int, by_id: int | None = None) -> bool:
    """E-mail the acknowledgement letter, then record it; nothing if it was made already or
    the complaint is closed. ``by_id``: the team member who sent it, None when sent on receipt.

    Two runs at once could both send before either records: the complainant would get the
    letter twice, which is harmless; the record is made once.
    """
    request = RightsRequest.objects.filter(pk=request_id, kind=RequestKind.COMPLAINT).first()
    if request is None or request.acknowledged_at is not None or not request.is_open:
        return False
    by = User.objects.filter(pk=by_id).first() if by_id else None
    subject, body = letter_render("complaint_acknowledgement", request)
    send_mail(subject, body, None, [request.requester_email])
    return complaint_acknowledgement_record(
        request=request,
        by=by or SYSTEM,
        at=timezone.now(),
        how=SENT_FROM_BACK_OFFICE if by else SENT_ON_RECEIPT,
    )


def complaint_acknowledgement_made_by_hand(
    *, request: RightsRequest, on: datetime.date, how: str, by
) -> bool:
    """Record an acknowledgement the team made another way (a letter by post, a phone call)
    on ``on``: support or the DPO, as it is a step of preparing the complaint."""
    require_staff(by)
    how = how.strip()
    if not request.is_complaint:
        raise TransitionRefused("Only a complaint is acknowledged this way.")
    if request.acknowledged_at is not None:
        raise TransitionRefused("This complaint has been acknowledged already.")
    if not how:
        raise ValidationError({"how": "Say how the complaint was acknowledged."})
    received_on = timezone.localdate(request.received_at)
    if not received_on <= on <= local_today():
        raise ValidationError(
            {"on": f"Give a day from {received_on:%-d %B %Y}, when it was received, to today."}
        )
    at = (
        timezone.now()
        if on == local_today()
        else timezone.make_aware(datetime.datetime.combine(on, datetime.time(12)))
    )
    return complaint_acknowledgement_record(request=request, by=by, at=at, how=how)
