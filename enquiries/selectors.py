"""Enquiry reads for the support queue."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Min, Q, QuerySet

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


@dataclass(frozen=True)
class EnquiryFigures:
    open: int
    answered: int
    # The oldest open enquiry's last activity: how long someone has waited, at worst.
    oldest_open_since: datetime.datetime | None


def enquiry_figures() -> EnquiryFigures:
    """One query: the open and answered counts and the oldest open enquiry's last activity."""
    figures = Enquiry.objects.filter(
        status__in=(Enquiry.Status.OPEN, Enquiry.Status.ANSWERED)
    ).aggregate(
        open=Count("pk", filter=Q(status=Enquiry.Status.OPEN)),
        answered=Count("pk", filter=Q(status=Enquiry.Status.ANSWERED)),
        oldest_open_since=Min("last_activity_at", filter=Q(status=Enquiry.Status.OPEN)),
    )
    return EnquiryFigures(**figures)


def enquiry_with_replies(pk: int) -> Enquiry | None:
    return (
        Enquiry.objects.select_related("user__organisation", "closed_by", "assignee")
        .prefetch_related("replies__sent_by")
        .filter(pk=pk)
        .first()
    )
