from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from enquiries.models import EnquiryReply


@shared_task
def send_enquiry_reply(reply_id: int) -> None:
    """Send one reply by e-mail; a reply already sent is not sent again."""
    with transaction.atomic():
        reply = (
            EnquiryReply.objects.select_for_update()
            .select_related("enquiry")
            .filter(pk=reply_id, sent_at__isnull=True)
            .first()
        )
        if reply is None:
            return
        enquiry = reply.enquiry
        body = render_to_string(
            "enquiries/emails/reply.txt",
            {"enquiry": enquiry, "reply": reply, "site_url": settings.SITE_URL},
        )
        send_mail(f"Re: {enquiry.subject} [ENQ-{enquiry.pk}]", body, None, [enquiry.email])
        reply.sent_at = timezone.now()
        reply.save(update_fields=["sent_at"])
