"""The audit-trail viewer, /backoffice/audit/: filters, keyset pages, CSV, chain verification.

DPO only. The trail names people (who acted, on whom), so each page view and each export is
itself recorded, with the filters used but none of their personal values.

A million entries: pages are keyset pages on the primary key (newest first, "older" and
"newer" links carry the boundary id), so a deep page costs what the first page does and no
page counts the whole trail.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

import audit
from audit import labels
from audit.chain import DETAILS_PREFIX
from audit.details import detail_pairs, removal_words
from audit.forms import AuditFilterForm, VerifyChainForm
from audit.models import AuditAnchor, AuditEntry
from audit.selectors import (
    audit_latest_anchor,
    audit_latest_verification,
    audit_removal_records,
)
from audit.tasks import verify_audit_chain
from common.client_ip import client_ip
from common.csv import csv_response
from common.db_routing import heavy_alias
from common.decorators import dpo_required

PAGE_SIZE = 50
# The download's columns, and their headings (the actor's label is headed "actor").
CSV_FIELDS = (
    "id",
    "created_at",
    "actor_label",
    "action",
    "target_type",
    "target_id",
    "target_label",
    "details",
    "ip_address",
    "hash",
)
CSV_HEADER = ["actor" if field == "actor_label" else field for field in CSV_FIELDS]


def _boundary(request: HttpRequest, name: str) -> int | None:
    try:
        value = int(request.GET.get(name, ""))
    except ValueError:
        return None
    return value if value > 0 else None


def _filter_query(request: HttpRequest) -> str:
    """The query string without the page boundary, ready for "?{{ filter_query }}before=N"."""
    params = request.GET.copy()
    for name in ("before", "after"):
        params.pop(name, None)
    return f"{params.urlencode()}&" if params else ""


def _describe(rows: list[AuditEntry]) -> None:
    """Each row's codes and details in words; a removed personal value says why it went."""
    records = audit_removal_records(rows)
    for row in rows:
        removed = {
            name: removal_words(records.get(record_id))
            for name, record_id in row.erased_fields.items()
            if record_id is not None and not name.startswith("*")
        }
        row.removed = removed
        row.detail_pairs = detail_pairs(
            row.details,
            removed={
                name.removeprefix(DETAILS_PREFIX): words
                for name, words in removed.items()
                if name.startswith(DETAILS_PREFIX)
            },
        )
        row.action_label = labels.action_label(row.action)
        row.target_label_words = labels.target_label(row.target_type)


@require_GET
@dpo_required
def entry_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    entries = form.filter(AuditEntry.objects.all())
    before, after = _boundary(request, "before"), _boundary(request, "after")
    # One row more than the page tells whether a further page exists, without a COUNT.
    if after is not None:
        rows = list(entries.filter(id__gt=after).order_by("id")[: PAGE_SIZE + 1])
        has_newer = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE][::-1]
        has_older = True
    else:
        if before is not None:
            entries = entries.filter(id__lt=before)
        rows = list(entries.order_by("-id")[: PAGE_SIZE + 1])
        has_older = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        has_newer = before is not None
    _describe(rows)
    audit.record(
        request.user,
        "audit.view",
        details={"filters": form.described(), "page": "older" if before or after else "first"},
        ip_address=client_ip(request),
    )
    return render(
        request,
        "audit/list.html",
        {
            "form": form,
            "entries": rows,
            "rows": rows,
            "filter_query": _filter_query(request),
            "older_than": rows[-1].id if rows and has_older else None,
            "newer_than": rows[0].id if rows and has_newer else None,
            "verify_form": VerifyChainForm(),
            "anchor": audit_latest_anchor(),
            "verification": audit_latest_verification(),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_GET
@dpo_required
def entry_export(request: HttpRequest) -> HttpResponse:
    """Every entry the filters select, newest first, streamed in chunks."""
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and form.errors:
        messages.error(request, "Correct the filters before you export.")
        return redirect("audit:list")
    audit.record(
        request.user,
        "audit.export",
        details={"filters": form.described()},
        ip_address=client_ip(request),
    )
    # Streamed after the view returns: the replica is chosen now, when one is fit to read.
    rows = (
        form.filter(AuditEntry.objects.using(heavy_alias()))
        .order_by("-id")
        .values_list(*CSV_FIELDS)
        .iterator(chunk_size=2000)
    )
    return csv_response("audit-trail.csv", CSV_HEADER, rows)


@require_POST
@dpo_required
def verify(request: HttpRequest) -> HttpResponse:
    """Verify the whole chain against its anchors in a worker (a million entries take a while);
    the task anchors an intact head and records its result as an "audit.verify" entry, shown on
    the dashboard and here."""
    audit.record(request.user, "audit.verify_requested", ip_address=client_ip(request))
    verify_audit_chain.delay_on_commit(kind=AuditAnchor.Kind.VERIFY)
    messages.success(
        request,
        "Verification started: the verdict appears here and on the dashboard once every "
        "entry has been checked.",
    )
    return redirect("audit:list")
