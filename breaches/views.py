"""The breach register in the back office: the DPO's alone (support gets 403)."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from breaches import selectors
from breaches.clock import breach_clock
from breaches.forms import BreachForm, CloseForm, DecisionForm, IcoReportForm, UpdateForm
from breaches.models import Breach, BreachEvent
from breaches.services import register as services
from common.decorators import dpo_required
from common.paging import page_query
from common.steps import form_page, form_step

PAGE_SIZE = 25


def _breach_or_404(pk: int) -> Breach:
    return get_object_or_404(
        Breach.objects.select_related("investigation", "opened_by", "closed_by"), pk=pk
    )


def _detail(request: HttpRequest, breach: Breach, status: int = 200, **forms_) -> HttpResponse:
    context = {
        "breach": breach,
        "clock": breach_clock(breach),
        "timeline": selectors.breach_timeline(breach),
        "decision_form": forms_.get("decision_form") or DecisionForm(prefix="decision"),
        "ico_form": forms_.get("ico_form")
        or IcoReportForm(prefix="ico", initial={"reported_at": timezone.localtime()}),
        "update_form": forms_.get("update_form") or UpdateForm(prefix="update"),
        "close_form": forms_.get("close_form") or CloseForm(prefix="close"),
        "is_open": breach.status == Breach.Status.OPEN,
    }
    # Every display shows people's data, a re-shown form included.
    services.breach_view_record(breach=breach, by=request.user)
    return render(request, "breaches/detail.html", context, status=status)


@require_GET
@dpo_required
def breach_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    if status not in dict(selectors.STATUS_FILTERS):
        status = "open"
    page = Paginator(selectors.breaches_for_register(status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    now = timezone.now()
    for breach in page:
        breach.clock = breach_clock(breach, now)
    return render(
        request,
        "breaches/list.html",
        {
            "page": page,
            "rows": page.object_list,
            "page_query": page_query(request),
            "status": status,
            "status_filters": selectors.STATUS_FILTERS,
        },
    )


def _new_initial(request: HttpRequest, investigation) -> dict:
    initial = {
        "aware_at": timezone.localtime().replace(second=0, microsecond=0),
        "dpo_contact_name": request.user.full_name,
        "dpo_contact_email": settings.DPO_EMAIL,
    }
    if investigation is not None:
        initial["title"] = f"From INV-{investigation.pk}: {investigation.summary}"[:200]
        initial["description"] = f"Found while investigating INV-{investigation.pk}: "
        initial["description"] += investigation.summary
    return initial


@require_http_methods(["GET", "POST"])
@dpo_required
def breach_new(request: HttpRequest) -> HttpResponse:
    investigation = None
    if request.GET.get("investigation"):
        investigation = selectors.investigation_for_breach(request.GET["investigation"])
        if investigation is None:
            raise Http404
    if request.method == "POST":
        form = BreachForm(request.POST)
    else:
        form = BreachForm(initial=_new_initial(request, investigation))
    return form_step(
        request,
        form,
        run=lambda: services.breach_open(
            by=request.user, investigation=investigation, **form.cleaned_data
        ),
        success_message=lambda breach: f"{breach.reference} opened: the 72-hour clock runs.",
        redirect_to=lambda breach: reverse("breaches:detail", kwargs={"pk": breach.pk}),
        render_form=form_page(
            request, "breaches/form.html", investigation=investigation, breach=None
        ),
    )


@require_GET
@dpo_required
def breach_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _breach_or_404(pk))


@require_http_methods(["GET", "POST"])
@dpo_required
def breach_edit(request: HttpRequest, pk: int) -> HttpResponse:
    breach = _breach_or_404(pk)
    if request.method == "POST":
        form = BreachForm(request.POST, instance=Breach.objects.get(pk=breach.pk))
    else:
        form = BreachForm(instance=breach)
        services.breach_view_record(breach=breach, by=request.user)
    return form_step(
        request,
        form,
        run=lambda: services.breach_update(breach=breach, by=request.user, **form.cleaned_data),
        success_message=f"{breach.reference} updated.",
        redirect_to=reverse("breaches:detail", kwargs={"pk": breach.pk}),
        render_form=form_page(
            request,
            "breaches/form.html",
            investigation=breach.investigation,
            breach=breach,
        ),
    )


def _step(request: HttpRequest, pk: int, form_class, prefix: str, perform, success) -> HttpResponse:
    """One recorded step on a breach, from a form on its page."""
    breach = _breach_or_404(pk)
    form = form_class(request.POST, prefix=prefix)
    return form_step(
        request,
        form,
        run=lambda: perform(breach=breach, by=request.user, **form.cleaned_data),
        success_message=lambda result: success(breach, result),
        redirect_to=reverse("breaches:detail", kwargs={"pk": breach.pk}),
        render_form=lambda form: _detail(request, breach, status=400, **{f"{prefix}_form": form}),
    )


@require_POST
@dpo_required
def breach_decision(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        DecisionForm,
        "decision",
        services.breach_decide,
        lambda breach, event: f"Recorded: {event.get_kind_display()}.",
    )


@require_POST
@dpo_required
def breach_ico_report(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        IcoReportForm,
        "ico",
        services.breach_record_ico_report,
        lambda breach, _: f"ICO report {breach.ico_reference} recorded.",
    )


@require_POST
@dpo_required
def breach_update_sent(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        UpdateForm,
        "update",
        services.breach_send_update,
        lambda breach, event: f"Update {event.phase} to {event.get_recipient_display()} recorded.",
    )


@require_POST
@dpo_required
def breach_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        CloseForm,
        "close",
        services.breach_close,
        lambda breach, _: f"{breach.reference} closed.",
    )


@require_GET
@dpo_required
def breach_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable report: the fields of the ICO's breach report form, in its order."""
    breach = _breach_or_404(pk)
    services.breach_view_record(breach=breach, by=request.user, printable=True)
    timeline = list(selectors.breach_timeline(breach))
    return render(
        request,
        "breaches/report.html",
        {
            "breach": breach,
            "clock": breach_clock(breach),
            "timeline": timeline,
            "delays": [event for event in timeline if event.kind == BreachEvent.Kind.DELAY],
            "printed_at": timezone.now(),
        },
    )
