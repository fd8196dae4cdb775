"""Enquiry writes: filing from the contact form, assigning, replies by e-mail, closing."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

import audit
from accounts.models import UserManager
from accounts.selectors import actor_is_staff
from enquiries.models import Enquiry, EnquiryReply
from enquiries.tasks import send_enquiry_reply


def enquiry_submit(*, name: str, email: str, subject: str, message: str, user=None) -> Enquiry:
    """File an enquiry. A logged-in user's name and e-mail come from their account."""
    now = timezone.now()
    if user is not None:
        name, email = user.full_name or user.email, user.email
    enquiry = Enquiry(
        created_at=now,
        last_activity_at=now,
        user=user,
        name=name.strip(),
        email=UserManager.normalize_email(email.strip()).lower(),
        subject=subject.strip(),
        message=message.strip(),
    )
    enquiry.full_clean()
    enquiry.save()
    return enquiry


def enquiry_view_record(*, enquiry: Enquiry, by) -> None:
    """Support looked at an enquiry: who saw whose message is itself recorded."""
    audit.record(by, "enquiry.view", target=enquiry, details={"user_id": enquiry.user_id})


def enquiry_reply(*, enquiry: Enquiry, body: str, by) -> EnquiryReply:
    """Store a reply, mark the enquiry answered, and send the reply by e-mail after commit."""
    now = timezone.now()
    with transaction.atomic():
        enquiry = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
        reply = EnquiryReply(enquiry=enquiry, created_at=now, body=body.strip(), sent_by=by)
        reply.full_clean()
        reply.save()
        enquiry.status = Enquiry.Status.ANSWERED
        enquiry.last_activity_at = now
        enquiry.closed_at = None
        enquiry.closed_by = None
        enquiry.save(update_fields=["status", "last_activity_at", "closed_at", "closed_by"])
        audit.record(by, "enquiry.reply", target=enquiry, details={"reply_id": reply.pk})
        send_enquiry_reply.delay_on_commit(reply.pk)
    return reply


def enquiry_close(*, enquiry: Enquiry, by) -> Enquiry:
    """Close an enquiry (answered, or needing no answer). Closing twice changes nothing."""
    now = timezone.now()
    with transaction.atomic():
        enquiry = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
        if enquiry.status == Enquiry.Status.CLOSED:
            return enquiry
        enquiry.status = Enquiry.Status.CLOSED
        enquiry.closed_at = now
        enquiry.closed_by = by
        enquiry.last_activity_at = now
        enquiry.save(update_fields=["status", "closed_at", "closed_by", "last_activity_at"])
        audit.record(by, "enquiry.close", target=enquiry)
    return enquiry


def enquiry_assign(*, enquiry: Enquiry, assignee, by) -> Enquiry:
    """Give an enquiry to a DPO or support colleague, or back to the queue (``assignee`` None)."""
    if not actor_is_staff(by):
        raise PermissionDenied("Only the support team works enquiries.")
    if assignee is not None and not (actor_is_staff(assignee) and assignee.is_active):
        raise ValidationError({"assignee": "Assign enquiries to a DPO or support colleague."})
    with transaction.atomic():
        enquiry = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
        previous = enquiry.assignee_id
        if previous == getattr(assignee, "pk", None):
            return enquiry
        enquiry.assignee = assignee
        enquiry.save(update_fields=["assignee"])
        audit.record(
            by,
            "enquiry.assign",
            target=enquiry,
            details={"from": previous, "to": getattr(assignee, "pk", None)},
        )
    return enquiry


def enquiries_return_to_queue(*, assignee, by) -> int:
    """Unassign every enquiry not yet closed of ``assignee`` (a colleague who left the team),
    each with an audit entry. Returns how many went back to the queue."""
    if not actor_is_staff(by):
        raise PermissionDenied("Only the support team works enquiries.")
    with transaction.atomic():
        returned = list(
            Enquiry.objects.select_for_update()
            .filter(assignee=assignee)
            .exclude(status=Enquiry.Status.CLOSED)
            .order_by("pk")
        )
        for enquiry in returned:
            enquiry.assignee = None
            enquiry.save(update_fields=["assignee"])
            audit.record(
                by,
                "enquiry.return_to_queue",
                target=enquiry,
                details={"from": assignee.pk, "to": None},
            )
    return len(returned)
