"""Enquiry reads for the support queue."""

from django.db.models import QuerySet

from enquiries.models import Enquiry

STATUS_FILTERS = [
    ("open", "Open"),
    ("answered", "Answered"),
    ("closed", "Closed"),
    ("all", "All"),
]


def enquiries_for_queue(status: str) -> QuerySet[Enquiry]:
    """The queue, newest first; ``status`` is one of STATUS_FILTERS' values."""
    enquiries = Enquiry.objects.only(
        "pk", "created_at", "name", "email", "subject", "status", "user_id"
    )
    if status != "all":
        enquiries = enquiries.filter(status=status)
    return enquiries.order_by("-created_at", "-id")


def enquiry_with_replies(pk: int) -> Enquiry | None:
    return (
        Enquiry.objects.select_related("user__organisation", "closed_by", "assignee")
        .prefetch_related("replies__sent_by")
        .filter(pk=pk)
        .first()
    )
