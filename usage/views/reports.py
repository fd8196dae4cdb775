from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.models import GroupCompany
from accounts.selectors import report_entitlements_of
from common.decorators import client_admin_required, staff_required
from common.forms import PeriodForm, error_text
from usage.forms import ConsoleReportForm
from usage.organisation_export import organisation_export, organisation_export_response
from usage.reports import report_page_context
from usage.selectors import SMALL_CELL, usage_aggregates, usage_report
from usage.services import usage_report_disclose


def _entitlement_asked(request: HttpRequest, entitlements) -> GroupCompany | None:
    """The entitlement behind ``?of=``, the organisation whose report is asked for; None for
    the admin's own. Any other organisation answers 404, whether it exists or not."""
    asked = request.GET.get("of", "")
    if not asked or asked == str(request.user.organisation_id):
        return None
    for entitlement in entitlements:
        if asked == str(entitlement.organisation_id):
            return entitlement
    raise Http404("No report of that organisation is yours to see.")


@client_admin_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    """The admin's organisation's report, or that of an organisation which named theirs as its
    group company, affiliate or partner (checked here, on every request)."""
    own = request.user.organisation
    entitlements = list(report_entitlements_of(own.pk))
    entitlement = _entitlement_asked(request, entitlements)
    form = ConsoleReportForm.from_query(request.GET)
    form.offer(own, entitlements)
    context = {
        "form": form,
        "entitlement": entitlement,
        "entitlements": entitlements,
        "export_form": True,
    }
    if form.is_valid():
        period = {k: v for k, v in form.cleaned_data.items() if k != "of"}
        of = own if entitlement is None else entitlement.organisation
        result = usage_report(organisation=of, **period)
        # The own organisation's figures by feature, purpose or day name nobody; anything of
        # another organisation's people that leaves for its group company is a disclosure.
        if result.group_by == "user" or entitlement is not None:
            usage_report_disclose(
                report=result,
                by=request.user,
                channel="console page",
                once_a_day=True,
                entitlement=entitlement,
            )
        context |= report_page_context(result, request.GET)
    return render(request, "usage/report.html", context)


@staff_required
@require_GET
def aggregates(request: HttpRequest) -> HttpResponse:
    """Feature adoption and time spent across organisations: no person is identifiable."""
    form = PeriodForm.from_query(request.GET)
    context = {"form": form}
    if form.is_valid():
        context["rows"] = usage_aggregates(**form.cleaned_data)
        context["small_cell"] = SMALL_CELL
    return render(request, "usage/aggregates.html", context)


@client_admin_required
@require_POST
def organisation_export_download(request: HttpRequest) -> HttpResponse:
    """The client admin's own organisation's data export: always theirs, never another's."""
    try:
        export = organisation_export(
            organisation=request.user.organisation, by=request.user, channel="console download"
        )
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, error_text(error))
        return redirect("console:settings")
    return organisation_export_response(export)
