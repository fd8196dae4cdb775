"""The DPO's side: consent rates, the consent log as CSV, and the notices' versions.

DPO only (issue 8): support staff work requests, investigations, people and enquiries."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.services import audit_record
from common.csv import csv_response
from common.db_routing import heavy_alias
from common.decorators import dpo_required
from cookies.catalogue import catalogue_get
from cookies.charts import rate_chart
from cookies.forms import PeriodForm, PolicyDraftForm, PrivacyNoticeDraftForm
from cookies.markdown import render_markdown
from cookies.models import ConsentRecord, PolicyVersion
from cookies.notice.compare import (
    MATERIAL,
    material_changes,
    notice_text,
    snapshot_differences,
    text_diff,
)
from cookies.notice.content import fixed_facts
from cookies.notice.defaults import SECTIONS as DEFAULT_SECTIONS
from cookies.notice.generate import notice_sections, notice_snapshot
from cookies.selectors import (
    consent_log,
    consent_rates,
    page_visits,
    policy_current,
    policy_draft,
    policy_history,
)
from cookies.services import policy_draft_discard, policy_draft_save, policy_publish


def _kind(kind: str) -> str:
    if kind not in PolicyVersion.Kind.values:
        raise Http404("No such notice.")
    return kind


@dpo_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    form = PeriodForm.from_query(request.GET)
    context = {"form": form}
    if form.is_valid():
        catalogue = catalogue_get()
        rows = consent_rates(**form.cleaned_data, catalogue=catalogue)
        context |= {
            "groups": catalogue.optional,
            "rows": rows,
            "chart": rate_chart(rows, catalogue.optional) if rows else None,
            "visits": page_visits(**form.cleaned_data),
            "query": request.GET.urlencode(),
        }
    return render(request, "cookies/report.html", context)


@dpo_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    form = PeriodForm.from_query(request.GET)
    if not form.is_valid():
        messages.error(request, "Choose a valid period to export.")
        return redirect("backoffice-cookies:report")
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    audit_record(
        actor=request.user,
        action="cookies.consent_log_exported",
        details={"start": start, "end": end},
    )
    methods = dict(ConsentRecord.Method.choices)
    tz = timezone.get_current_timezone()
    # Decisions stored before the signal was recorded say neither yes nor no.
    signal = {True: "Yes", False: "No", None: "Not recorded"}
    # Streamed after the view returns: the replica is chosen now, when one is fit to read.
    log = consent_log(start=start, end=end).using(heavy_alias())

    def rows():
        for created, method, version, accepted, declined, visitor, user_id, gpc in log.iterator(
            chunk_size=2000
        ):
            yield [
                created.astimezone(tz).isoformat(timespec="seconds"),
                methods.get(method, method),
                version,
                " ".join(n for n in accepted.split(",") if n),
                " ".join(n for n in declined.split(",") if n),
                visitor,
                user_id or "",
                signal[gpc],
            ]

    header = [
        "When (UK time)",
        "How",
        "Cookie policy version",
        "Accepted",
        "Declined",
        "Visitor id (keyed hash)",
        "User id",
        "Global Privacy Control signal",
    ]
    return csv_response(f"consent-log-{start}-{end}.csv", header, rows())


@dpo_required
@require_GET
def notices(request: HttpRequest) -> HttpResponse:
    kinds = [
        {
            "kind": kind,
            "label": label,
            "current": policy_current(kind),
            "draft": policy_draft(kind),
            "history": policy_history(kind),
        }
        for kind, label in PolicyVersion.Kind.choices
    ]
    # What the published privacy notice no longer says as the records and settings do now.
    privacy = kinds[0]["current"] if kinds[0]["kind"] == PolicyVersion.Kind.PRIVACY else None
    stale = []
    if privacy is not None and privacy.snapshot is not None:
        stale = snapshot_differences(privacy.snapshot, notice_snapshot())
    return render(request, "cookies/notices.html", {"kinds": kinds, "stale": stale})


def changes_in_words(kinds: list[str]) -> list[str]:
    return [MATERIAL[kind][1] for kind in kinds if kind in MATERIAL]


def _privacy_preview(draft: PolicyVersion, current: PolicyVersion | None) -> dict:
    """The draft as it would be published now, and what publishing it would change."""
    snapshot = notice_snapshot()
    text = notice_text(body=draft.body, sections=draft.sections, snapshot=snapshot)
    previous_text = current.reader_text if current else ""
    changes = material_changes(current.snapshot, snapshot) if current else []
    return {
        "generated": True,
        "intro_html": render_markdown(draft.body),
        "shown": notice_sections(sections=draft.sections, snapshot=snapshot),
        "snapshot": snapshot,
        "pending_diff": text_diff(previous_text, text) if current else [],
        "pending_changes": changes_in_words(changes),
        **fixed_facts(),
    }


@dpo_required
@require_http_methods(["GET", "POST"])
def notice_edit(request: HttpRequest, kind: str) -> HttpResponse:
    kind = _kind(kind)
    draft = policy_draft(kind)
    current = policy_current(kind)
    form_class = PrivacyNoticeDraftForm if kind == PolicyVersion.Kind.PRIVACY else PolicyDraftForm
    if request.method == "POST":
        form = form_class(request.POST, instance=draft)
        if form.is_valid():
            policy_draft_save(
                kind=kind,
                body=form.cleaned_data["body"],
                change_note=form.cleaned_data["change_note"],
                sections=form.sections() if isinstance(form, PrivacyNoticeDraftForm) else None,
                by=request.user,
            )
            messages.success(request, "Draft saved. It is not public until you publish it.")
            return redirect("backoffice-cookies:notice-edit", kind=kind)
    else:
        initial = {}
        if not draft and current:
            # A version from before the notice had sections starts from the company's words.
            initial = {"body": current.body, "sections": current.sections or DEFAULT_SECTIONS}
        form = form_class(instance=draft, initial=initial)
    context = {
        "form": form,
        "kind": kind,
        "label": PolicyVersion.Kind(kind).label,
        "draft": draft,
        "draft_html": render_markdown(draft.body) if draft else "",
        "current": current,
    }
    if draft and kind == PolicyVersion.Kind.PRIVACY:
        context |= _privacy_preview(draft, current)
    return render(request, "cookies/notice_edit.html", context)


@dpo_required
@require_GET
def notice_version(request: HttpRequest, kind: str, number: int) -> HttpResponse:
    """A published version's changes from the one before, and whom they were e-mailed to."""
    version = PolicyVersion.objects.filter(kind=_kind(kind), number=number).first()
    if version is None:
        raise Http404("No such version.")
    return render(
        request,
        "cookies/notice_version.html",
        {
            "version": version,
            "changes": changes_in_words(version.material_changes),
            "emailed": version.emails.count(),
        },
    )


@dpo_required
@require_POST
def notice_publish(request: HttpRequest, kind: str) -> HttpResponse:
    draft = policy_draft(_kind(kind))
    if draft is None:
        messages.error(request, "There is no draft to publish.")
        return redirect("backoffice-cookies:notices")
    try:
        published = policy_publish(draft=draft, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("backoffice-cookies:notice-edit", kind=kind)
    note = " Every visitor will be asked about cookies again." if kind == "cookies" else ""
    messages.success(request, f"{published} is published.{note}")
    return redirect("backoffice-cookies:notices")


@dpo_required
@require_POST
def notice_discard(request: HttpRequest, kind: str) -> HttpResponse:
    draft = policy_draft(_kind(kind))
    if draft is not None:
        policy_draft_discard(draft=draft, by=request.user)
        messages.success(request, "Draft discarded.")
    return redirect("backoffice-cookies:notices")
