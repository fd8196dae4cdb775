from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from common.decorators import client_admin_required, staff_required
from common.forms import PeriodForm, error_text
from usage.analytics import task_rows
from usage.forms import ReportForm
from usage.organisation_export import organisation_export, organisation_export_response
from usage.reports import report_page_context
from usage.selectors import SMALL_CELL, usage_aggregates, usage_report
from usage.services import usage_report_disclose


@client_admin_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    form = ReportForm.from_query(request.GET)
    context = {"form": form}
    if form.is_valid():
        result = usage_report(organisation=request.user.organisation, **form.cleaned_data)
        if result.group_by == "user":
            usage_report_disclose(
                report=result, by=request.user, channel="console page", once_a_day=True
            )
        context |= report_page_context(result, request.GET)
    return render(request, "usage/report.html", context)


@staff_required
@require_GET
def aggregates(request: HttpRequest) -> HttpResponse:
    """Feature adoption, server time and tasks across organisations: no person is identifiable."""
    form = PeriodForm.from_query(request.GET)
    context = {"form": form}
    if form.is_valid():
        context["rows"] = usage_aggregates(**form.cleaned_data)
        context["task_rows"] = task_rows(**form.cleaned_data)
    return render(request, "usage/aggregates.html", context | _task_terms())


@client_admin_required
@require_GET
def tasks(request: HttpRequest) -> HttpResponse:
    """The organisation's tasks per feature and the information gathered, in aggregate only."""
    form = PeriodForm.from_query(request.GET)
    context = {"form": form}
    if form.is_valid():
        context["task_rows"] = task_rows(
            organisation=request.user.organisation, **form.cleaned_data
        )
    return render(request, "usage/tasks.html", context | _task_terms())


def _task_terms() -> dict:
    """What the pages say a task is, and when a cell is too small to show."""
    return {
        "small_cell": SMALL_CELL,
        "idle_minutes": settings.USAGE_TASK_IDLE_MINUTES,
        "minimum_seconds": settings.USAGE_TASK_MINIMUM_SECONDS,
    }


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
