"""Back office: the disclosure log (list, CSV, detail, the DPO's record of a disclosure) and
the record of processing (Article 30: the page, its CSV, the DPO's edits), the DPO's alone; the
processor register, which support may read and only the DPO changes.

The log shows whose data went to whom, which support's work (requests, investigations,
enquiries) does not need.
"""

import datetime
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

import audit
from accounts.models import User
from common import present
from common.csv import csv_response
from common.db_routing import heavy_alias
from common.decorators import dpo_required, staff_required
from common.forms import add_service_errors
from common.paging import page_query
from datamap import Category
from records.forms import (
    ActivityForm,
    DisclosureFilterForm,
    DisclosureForm,
    PeopleSearchForm,
    ProcessorForm,
    SubProcessorFormSet,
    TransferFormSet,
    processor_fields,
    sub_processor_rows,
    transfer_rows,
)
from records.models import Disclosure, ProcessingActivity, Processor
from records.selectors import (
    processor_register,
    record_csv_rows,
    record_of_processing,
    register_entry,
    uncovered_categories,
)
from records.services import disclosure_record, processing_activity_update, processor_save

PAGE_SIZE = 25
SUBJECTS_PAGE_SIZE = 50
SEARCH_LIMIT = 20
LONDON = ZoneInfo("Europe/London")


def category_words(values) -> list[str]:
    known = {category.value for category in Category}
    return [Category(v).label if v in known else present.humanise(v) for v in values]


def _london_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=LONDON)


def _filtered(form: DisclosureFilterForm) -> QuerySet[Disclosure]:
    disclosures = Disclosure.objects.select_related("organisation").order_by("-occurred_at", "-id")
    if not form.is_valid():
        return disclosures
    data = form.cleaned_data
    if data["recipient_type"]:
        disclosures = disclosures.filter(recipient_type=data["recipient_type"])
    if data["organisation"]:
        disclosures = disclosures.filter(organisation=data["organisation"])
    if data["start"]:
        disclosures = disclosures.filter(occurred_at__gte=_london_midnight(data["start"]))
    if data["end"]:
        end = _london_midnight(data["end"] + datetime.timedelta(days=1))
        disclosures = disclosures.filter(occurred_at__lt=end)
    return disclosures


@require_GET
@dpo_required
def disclosure_list(request: HttpRequest) -> HttpResponse:
    form = DisclosureFilterForm(request.GET or None)
    page = Paginator(_filtered(form), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "records/disclosures/list.html",
        {
            "form": form,
            "page": page,
            "rows": page.object_list,
            "page_query": page_query(request),
            "csv_query": request.GET.urlencode(),
        },
    )


@require_GET
@dpo_required
def disclosure_csv(request: HttpRequest) -> HttpResponse:
    form = DisclosureFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        # Never the whole log in place of the filtered one asked for: show what is wrong.
        return render(
            request,
            "records/disclosures/list.html",
            {"form": form, "page": None, "csv_query": ""},
            status=400,
        )
    # Streamed after the view returns: the replica is chosen now, when one is fit to read.
    disclosures = _filtered(form).using(heavy_alias())
    # What was filtered on, as the form read it: the query string itself is untrusted text.
    filters = {
        name: str(getattr(value, "pk", value))
        for name, value in (form.cleaned_data if form.is_bound else {}).items()
        if value
    }
    audit.record(request.user, "disclosure.export", details={"filters": filters})
    header = [
        "When (UK time)",
        "Type of recipient",
        "Recipient",
        "Organisation",
        "Legal basis",
        "Categories of data",
        "What was disclosed",
        "Reference",
        "Recorded by",
        "People concerned",
        "Times seen that day",
    ]
    rows = (
        [
            d.occurred_at.astimezone(LONDON).isoformat(timespec="seconds"),
            d.get_recipient_type_display(),
            d.recipient,
            d.organisation.name if d.organisation else "",
            d.legal_basis,
            "; ".join(category_words(d.categories)),
            d.description,
            d.reference,
            d.disclosed_by_label,
            d.subject_count,
            d.views,
        ]
        for d in disclosures.iterator(chunk_size=2000)
    )
    return csv_response("disclosures.csv", header, rows)


@require_GET
@dpo_required
def disclosure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    disclosure = get_object_or_404(Disclosure.objects.select_related("organisation"), pk=pk)
    subject_ids = disclosure.subjects.order_by("user_id").values("user_id")
    people = User.objects.filter(pk__in=subject_ids).only("pk", "email", "full_name")
    page = Paginator(people.order_by("email", "pk"), SUBJECTS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    # The page shows whose data went where: looking at it is itself recorded.
    audit.record(
        request.user,
        "disclosure.view",
        target=disclosure,
        details={"page": page.number, "people_shown": [person.pk for person in page]},
    )
    return render(
        request,
        "records/disclosures/detail.html",
        {
            "disclosure": disclosure,
            "categories": category_words(disclosure.categories),
            "page": page,
            "page_query": page_query(request),
        },
    )


@require_http_methods(["GET", "POST"])
@dpo_required
def disclosure_new(request: HttpRequest) -> HttpResponse:
    form = DisclosureForm(request.POST or None)
    search = PeopleSearchForm(request.GET or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            disclosure = disclosure_record(
                recipient_type=data["recipient_type"],
                recipient=data["recipient"],
                legal_basis=data["legal_basis"],
                categories=data["categories"],
                description=data["description"],
                reference=data["reference"],
                subject_user_ids=data["people"],
                organisation=data["organisation"],
                by=request.user,
            )
            messages.success(request, "The disclosure was recorded.")
            return redirect("disclosures:detail", pk=disclosure.pk)
        status = 400
    matches = []
    if search.is_valid() and len(search.cleaned_data["q"].strip()) >= 3:
        query = search.cleaned_data["q"].strip()
        matches = list(
            User.objects.filter(email__icontains=query)
            .select_related("organisation")
            .order_by("email")[:SEARCH_LIMIT]
        )
        audit.record(
            request.user,
            "disclosure.people_search",
            details={"matches": [user.pk for user in matches]},
        )
    return render(
        request,
        "records/disclosures/new.html",
        {"form": form, "search": search, "matches": matches},
        status=status,
    )


@require_GET
@dpo_required
def processing_record(request: HttpRequest) -> HttpResponse:
    records = record_of_processing()
    return render(
        request,
        "records/processing/record.html",
        {
            "records": records,
            "uncovered": sorted(Category(c).label for c in uncovered_categories(records)),
        },
    )


@require_GET
@dpo_required
def processing_record_csv(request: HttpRequest) -> HttpResponse:
    header, rows = record_csv_rows(record_of_processing())
    audit.record(request.user, "processing.export", details={"activities": len(rows)})
    return csv_response("record-of-processing.csv", header, rows)


@require_http_methods(["GET", "POST"])
@dpo_required
def processing_activity_edit(request: HttpRequest, slug: str) -> HttpResponse:
    activity = get_object_or_404(ProcessingActivity, slug=slug)
    if request.method == "POST":
        form = ActivityForm(request.POST, instance=ProcessingActivity.objects.get(pk=activity.pk))
        if form.is_valid():
            processing_activity_update(
                activity=activity,
                changes=form.cleaned_data,
                processors=form.cleaned_data["processors"],
                by=request.user,
            )
            messages.success(request, f"“{activity.name}” was saved.")
            return redirect(f"{reverse('processing:record')}#{activity.slug}")
        status = 400
    else:
        form = ActivityForm(instance=activity)
        status = 200
    return render(
        request, "records/processing/edit.html", {"activity": activity, "form": form}, status=status
    )


@require_GET
@staff_required
def processor_list(request: HttpRequest) -> HttpResponse:
    entries = processor_register()
    return render(request, "records/processors/list.html", {"entries": entries, "rows": entries})


@require_GET
@staff_required
def processor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    processor = get_object_or_404(Processor.objects.prefetch_related("activities"), pk=pk)
    return render(
        request,
        "records/processors/detail.html",
        {"entry": register_entry(processor), "activities": processor.activities.all()},
    )


@require_http_methods(["GET", "POST"])
@dpo_required
def processor_new(request: HttpRequest) -> HttpResponse:
    return _processor_form(request, None)


@require_http_methods(["GET", "POST"])
@dpo_required
def processor_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _processor_form(request, get_object_or_404(Processor, pk=pk))


def _processor_form(request: HttpRequest, processor: Processor | None) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = ProcessorForm(request.POST)
        subs = SubProcessorFormSet(request.POST, prefix="subprocessors")
        transfers = TransferFormSet(request.POST, prefix="transfers")
        if form.is_valid() & subs.is_valid() & transfers.is_valid():
            try:
                saved = processor_save(
                    processor=processor,
                    fields=processor_fields(form, subs, transfers),
                    activities=form.cleaned_data["activities"],
                    by=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"“{saved.name}” was saved in the register.")
                return redirect("processors:detail", pk=saved.pk)
        status = 400
    elif processor is None:
        form = ProcessorForm()
        subs = SubProcessorFormSet(prefix="subprocessors")
        transfers = TransferFormSet(prefix="transfers")
    else:
        form = ProcessorForm(initial=ProcessorForm.initial_of(processor))
        subs = SubProcessorFormSet(initial=sub_processor_rows(processor), prefix="subprocessors")
        transfers = TransferFormSet(initial=transfer_rows(processor), prefix="transfers")
    return render(
        request,
        "records/processors/edit.html",
        {"processor": processor, "form": form, "subs": subs, "transfers": transfers},
        status=status,
    )
