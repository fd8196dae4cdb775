"""The back office's queue of rights requests, and logging a request that arrived by e-mail,
phone or post. DPO and support work it."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.selectors import investigators
from common.decorators import staff_required
from common.paging import KEYSET_PARAMETERS, keyset_page, keyset_query, page_query
from common.steps import form_page, form_step
from dsar.forms.backoffice import ALL, OPEN, LogRequestForm, QueueFilterForm
from dsar.models import OPEN_STATES, RightsRequest, State
from dsar.selectors import (
    QUEUE_KEY,
    request_counts_by_state,
    request_due_mark,
    requests_for_queue,
)
from dsar.services.filing import rights_request_file

PAGE_SIZE = 25


# --- The queue ------------------------------------------------------------------------------


@require_GET
@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    staff = list(investigators())
    form = QueueFilterForm(request.GET, staff=staff)
    requests = form.filter(requests_for_queue(), user=request.user)
    page = keyset_page(requests, request, key=QUEUE_KEY, size=PAGE_SIZE)
    today = timezone.localdate()
    for rights_request in page.rows:
        rights_request.due_mark = request_due_mark(rights_request, today)
    counts = request_counts_by_state()
    state_query = page_query(request, drop=(*KEYSET_PARAMETERS, "state"))
    state_links = [
        (OPEN, "Open", sum(counts[state] for state in OPEN_STATES), f"?{state_query}state={OPEN}"),
        (ALL, "All", sum(counts.values()), f"?{state_query}state={ALL}"),
        *(
            (state.value, state.label, counts[state.value], f"?{state_query}state={state.value}")
            for state in State
        ),
    ]
    return render(
        request,
        "dsar/queue.html",
        {
            "form": form,
            "page": page,
            "rows": page.rows,
            "keyset_query": keyset_query(request),
            "state_links": state_links,
            "current_state": form.shown_state,
        },
    )


# --- Logging a request that arrived by e-mail, phone or post --------------------------------


@require_http_methods(["GET", "POST"])
@staff_required
def log_request(request: HttpRequest) -> HttpResponse:
    # The complaints queue's button opens the form with "complaint" chosen.
    form = LogRequestForm(request.POST or None, initial={"kind": request.GET.get("kind")})

    def file_request() -> RightsRequest:
        data = form.cleaned_data
        return rights_request_file(
            kind=data["kind"],
            requester_name=data["requester_name"],
            requester_email=data["requester_email"],
            channel=data["channel"],
            description=data["description"],
            organisation_name=data["organisation_name"],
            filed_by=request.user,
            received_at=form.received_at(),
            # The DPO checked who wrote, phoned or posted it before logging it.
            verified=True,
        )

    return form_step(
        request,
        form,
        run=file_request,
        success_message=lambda filed: (
            f"Logged as {filed.reference}; due by {filed.due_on:%-d %B %Y}."
        ),
        redirect_to=lambda filed: reverse("requests:detail", kwargs={"reference": filed.reference}),
        render_form=form_page(request, "dsar/new.html"),
    )
