"""The back office's queue of complaints (Data Protection Act 2018 s.164A), apart from the
rights requests, with the acknowledgement's clock. DPO and support work it; each complaint
opens on the request page, where it is acknowledged and answered."""

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from common.decorators import staff_required
from common.paging import page_query
from dsar.models import OPEN_STATES, RightsRequest
from dsar.selectors import (
    complaint_acknowledgement_mark,
    complaints_acknowledgement_overdue,
    complaints_for_queue,
    complaints_outcome_overdue,
    complaints_to_acknowledge,
    request_due_mark,
)

PAGE_SIZE = 25

# The "Show" filter: what each choice lists.
SHOWN = {
    "open": ("Open", lambda rows, today: rows.filter(state__in=OPEN_STATES)),
    "to_acknowledge": (
        "Awaiting acknowledgement",
        lambda rows, today: rows.filter(pk__in=complaints_to_acknowledge().values("pk")),
    ),
    "acknowledgement_overdue": (
        "Acknowledgement overdue",
        lambda rows, today: rows.filter(
            pk__in=complaints_acknowledgement_overdue(today).values("pk")
        ),
    ),
    "outcome_overdue": (
        "Outcome overdue",
        lambda rows, today: rows.filter(pk__in=complaints_outcome_overdue(today).values("pk")),
    ),
    "answered": ("Answered", lambda rows, today: rows.exclude(complaint_outcome="")),
    "all": ("All", lambda rows, today: rows),
}


def _shown(request: HttpRequest) -> str:
    status = request.GET.get("status", "")
    return status if status in SHOWN else "open"


def _filtered(status: str, today) -> QuerySet[RightsRequest]:
    return SHOWN[status][1](complaints_for_queue(), today)


@require_GET
@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    status, today = _shown(request), timezone.localdate()
    page = Paginator(_filtered(status, today), PAGE_SIZE).get_page(request.GET.get("page"))
    for complaint in page:
        complaint.acknowledgement_mark = complaint_acknowledgement_mark(complaint, today)
        complaint.due_mark = request_due_mark(complaint, today)
    return render(
        request,
        "dsar/complaints.html",
        {
            "page": page,
            "rows": page.object_list,
            "page_query": page_query(request),
            "status": status,
            "status_label": SHOWN[status][0],
            "status_filters": [(value, label) for value, (label, _) in SHOWN.items()],
        },
    )
