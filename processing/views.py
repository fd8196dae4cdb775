"""The record of processing (Article 30): the page, its CSV, and the DPO's edits."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

import audit
from common.csv import csv_response
from common.decorators import dpo_required
from processing.forms import ActivityForm, ProcessorFormSet, processors_from
from processing.models import ProcessingActivity
from processing.selectors import record_csv_rows, record_of_processing, uncovered_categories
from processing.services import processing_activity_update


@require_GET
@dpo_required
def record(request: HttpRequest) -> HttpResponse:
    records = record_of_processing()
    return render(
        request,
        "backoffice/processing/record.html",
        {"records": records, "uncovered": sorted(uncovered_categories(records))},
    )


@require_GET
@dpo_required
def record_csv(request: HttpRequest) -> HttpResponse:
    header, rows = record_csv_rows(record_of_processing())
    audit.record(request.user, "processing.export", details={"activities": len(rows)})
    return csv_response("record-of-processing.csv", header, rows)


@require_http_methods(["GET", "POST"])
@dpo_required
def activity_edit(request: HttpRequest, slug: str) -> HttpResponse:
    activity = get_object_or_404(ProcessingActivity, slug=slug)
    initial_processors = list(activity.processors.values("name", "region", "safeguards"))
    if request.method == "POST":
        form = ActivityForm(request.POST, instance=ProcessingActivity.objects.get(pk=activity.pk))
        formset = ProcessorFormSet(request.POST, prefix="processors")
        if form.is_valid() & formset.is_valid():
            processing_activity_update(
                activity=activity,
                changes=form.cleaned_data,
                processors=processors_from(formset),
                by=request.user,
            )
            messages.success(request, f"“{activity.name}” was saved.")
            return redirect(f"{reverse('processing:record')}#{activity.slug}")
        status = 400
    else:
        form = ActivityForm(instance=activity)
        formset = ProcessorFormSet(initial=initial_processors, prefix="processors")
        status = 200
    return render(
        request,
        "backoffice/processing/edit.html",
        {"activity": activity, "form": form, "formset": formset},
        status=status,
    )
