"""Back office: the support queue of enquiries (support and DPO)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.forms import AssignForm
from accounts.views.assignment import assign_step
from common.decorators import staff_required
from common.paging import page_query
from enquiries.forms import ReplyForm
from enquiries.models import Enquiry
from enquiries.selectors import STATUS_FILTERS, enquiries_for_queue, enquiry_with_replies
from enquiries.services import (
    enquiry_assign,
    enquiry_close,
    enquiry_reply,
    enquiry_view_record,
)

PAGE_SIZE = 25


def _enquiry_or_404(pk: int) -> Enquiry:
    enquiry = enquiry_with_replies(pk)
    if enquiry is None:
        raise Http404("No such enquiry.")
    return enquiry


@require_GET
@staff_required
def enquiry_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    if status not in dict(STATUS_FILTERS):
        status = "open"
    page = Paginator(enquiries_for_queue(status), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "enquiries/list.html",
        {
            "page": page,
            "rows": page.object_list,
            "page_query": page_query(request),
            "status": status,
            "status_filters": STATUS_FILTERS,
        },
    )


def _detail(request: HttpRequest, enquiry: Enquiry, *, form=None, status=200) -> HttpResponse:
    # Every display shows a person's message, a re-shown form included.
    enquiry_view_record(enquiry=enquiry, by=request.user)
    return render(
        request,
        "enquiries/detail.html",
        {
            "enquiry": enquiry,
            "form": form or ReplyForm(),
            "assign_form": AssignForm(initial={"assignee": enquiry.assignee_id}),
            "is_closed": enquiry.status == "closed",
        },
        status=status,
    )


@require_GET
@staff_required
def enquiry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _enquiry_or_404(pk))


@require_POST
@staff_required
def enquiry_reply_view(request: HttpRequest, pk: int) -> HttpResponse:
    enquiry = _enquiry_or_404(pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _detail(request, enquiry, form=form, status=400)
    enquiry_reply(enquiry=enquiry, body=form.cleaned_data["body"], by=request.user)
    messages.success(request, f"Your reply was sent to {enquiry.email}.")
    return redirect("backoffice-enquiries:detail", pk=enquiry.pk)


@require_POST
@staff_required
def enquiry_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    enquiry = _enquiry_or_404(pk)
    enquiry_close(enquiry=enquiry, by=request.user)
    messages.success(request, f"ENQ-{enquiry.pk} is closed.")
    return redirect("backoffice-enquiries:list")


@require_POST
@staff_required
def enquiry_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    enquiry = _enquiry_or_404(pk)
    return assign_step(
        request,
        assign=lambda colleague: enquiry_assign(
            enquiry=enquiry, assignee=colleague, by=request.user
        ),
        redirect_to=reverse("backoffice-enquiries:detail", kwargs={"pk": enquiry.pk}),
        refusals=(PermissionDenied, ValidationError),
    )
