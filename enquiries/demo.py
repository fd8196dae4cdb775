"""Demo enquiries (seed_demo calls this; idempotent, keyed by subject)."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from enquiries.models import Enquiry
from enquiries.services import enquiry_close, enquiry_reply, enquiry_submit

DEMO = (
    # subject, name, e-mail, message, then
    (
        "Demo: how do I export my usage report?",
        "Chris Public",
        "chris@public.example",
        "Our finance team would like the monthly usage figures as a spreadsheet.",
        "open",
    ),
    (
        "Demo: invitation link expired",
        "Dana Member",
        "dana@public.example",
        "The invitation e-mail says the link expired. Can you send another?",
        "answered",
    ),
    (
        "Demo: pricing for 200 seats",
        "Eli Buyer",
        "eli@public.example",
        "What would 200 seats cost per year?",
        "closed",
    ),
)


def enquiries_demo_seed(*, support: User) -> None:
    now = timezone.now()
    for subject, name, email, message, then in DEMO:
        if Enquiry.objects.filter(subject=subject).exists():
            continue
        enquiry = enquiry_submit(name=name, email=email, subject=subject, message=message)
        Enquiry.objects.filter(pk=enquiry.pk).update(
            created_at=now - timedelta(days=3), last_activity_at=now - timedelta(days=3)
        )
        if then in {"answered", "closed"}:
            enquiry_reply(
                enquiry=enquiry,
                body="Thank you for your message. We have sorted this out for you.",
                by=support,
            )
        if then == "closed":
            enquiry_close(enquiry=enquiry, by=support)
