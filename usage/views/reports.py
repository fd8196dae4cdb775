from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from common.decorators import client_admin_required, staff_required
from common.forms import PeriodForm
from usage.charts import daily_chart
from usage.forms import ReportForm
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
            usage_report_disclose(report=result, by=request.user, channel="console page")
        context |= {"report": result, "chart": daily_chart(result.series)}
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
