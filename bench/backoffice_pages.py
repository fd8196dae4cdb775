"""Back-office pages with 100,000 rights requests and 1,000,000 audit entries (issue 8).

    python -m bench backoffice_pages     # database privacydesk_bench_backoffice_pages

The rows are written with COPY (only the missing ones, so a second run starts at once). The
generated audit entries carry random hashes: the chain does NOT verify on this database, and
is not meant to; the bench times reading the trail, not verifying it.

Each page is requested through Django's test client as a DPO with two-step login verified
(the whole middleware stack runs), a few times to warm up and then SAMPLES times; the table
shows p50 and p95 and the queries one request ran. Goal: p95 under 200 ms for every page.
"""

import datetime
import json
import random
import secrets

from bench.common import percentile, progress, table, time_page, verdict, verified_client
from bench.generate import COPY_CHUNK, back_office_people, copy_rows, rights_requests
from bench.queue_paging import queue_deep_link

REQUESTS = 100_000
AUDIT_ENTRIES = 1_000_000
SAMPLES = 30
WARM_UP = 3
GOAL_MS = 200
ACTIONS = [
    "person.view",
    "investigation.view",
    "user.suspend",
    "user.reactivate",
    "user.terminate",
    "rights_request.start",
    "rights_request.complete",
    "rights_request.note",
    "retention.purge",
    "usage.report_download",
    "api_key.create",
    "mfa.enrol",
    "login.success",
    "breach.open",
    "audit.view",
]


def _audit_entries(total: int, staff, members) -> None:
    from django.utils import timezone

    from audit.chain import Scheme
    from audit.models import AuditEntry

    have = AuditEntry.objects.count()
    if have >= total:
        return
    progress(f"writing {total - have:,} audit entries with COPY (random hashes: no chain)")
    rng = random.Random(9)
    columns = [
        "created_at",
        "actor_id",
        "actor_label",
        "action",
        "target_type",
        "target_id",
        "target_label",
        "details",
        "ip_address",
        "prev_hash",
        "hash",
        "scheme",
        # Scheme 3's columns (audit 0008-0010), empty: the bench reads the trail, never verifies.
        "salt",
        "commitments",
        "legacy_hash",
        "erased_fields",
    ]
    missing = total - have
    start = timezone.now() - datetime.timedelta(days=730)
    step = datetime.timedelta(days=730) / missing
    rows = []
    for n in range(missing):
        actor = staff[rng.randrange(len(staff))] if rng.random() < 0.9 else None
        member = members[rng.randrange(len(members))]
        rows.append(
            (
                start + step * n,
                actor.pk if actor else None,
                actor.email if actor else "system",
                ACTIONS[rng.randrange(len(ACTIONS))],
                "accounts.User",
                str(member.pk),
                member.full_name,
                json.dumps({"n": n}),
                f"10.0.{rng.randrange(256)}.{rng.randrange(256)}",
                "0" * 64,
                secrets.token_hex(32),
                Scheme.HMAC_SHA256,
                "",
                "{}",
                "",
                "{}",
            )
        )
        if len(rows) == COPY_CHUNK:
            copy_rows(AuditEntry, columns, rows)
            rows = []
            progress(f"{n + 1:,} of {missing:,}")
    if rows:
        copy_rows(AuditEntry, columns, rows)


def _measure(client, url: str) -> tuple[float, float, int, int]:
    samples, queries, response = time_page(client, url, warm_up=WARM_UP, samples=SAMPLES)
    return percentile(samples, 0.5), percentile(samples, 0.95), queries, response.status_code


def run(scale: int | None = None) -> None:
    from django.db import connection

    from audit.models import AuditEntry

    dpo, staff, members = back_office_people()
    rights_requests(REQUESTS, staff)
    _audit_entries(scale or AUDIT_ENTRIES, staff, members)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    newest = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    oldest = AuditEntry.objects.order_by("id").values_list("id", flat=True).first()
    deep = oldest + (newest - oldest) // 10  # 90% of the way back
    member = members[len(members) // 2]
    deep_queue_url, deep_queue_page = queue_deep_link("open", 2000)
    staff_email = staff[3].email
    pages = [
        ("dashboard", "/backoffice/"),
        ("request queue, first page", "/backoffice/requests/"),
        (f"request queue, page {deep_queue_page:,}", deep_queue_url),
        ("request queue, overdue", "/backoffice/requests/?due=overdue"),
        ("audit trail, first page", "/backoffice/audit/"),
        ("audit trail, deep page", f"/backoffice/audit/?before={deep}"),
        ("audit, action filter", "/backoffice/audit/?action=user.terminate"),
        ("audit, action filter, deep", f"/backoffice/audit/?action=user.terminate&before={deep}"),
        ("audit, actor filter", f"/backoffice/audit/?actor={staff_email}"),
        ("audit, actor filter, deep", f"/backoffice/audit/?actor={staff_email}&before={deep}"),
        (
            "audit, target filter",
            f"/backoffice/audit/?target_type=accounts.User&target_id={member.pk}",
        ),
        ("audit, one month", "/backoffice/audit/?date_from=2025-06-01&date_to=2025-06-30"),
    ]
    client = verified_client(dpo)
    rows = []
    for name, url in pages:
        progress(name)
        p50, p95, queries, status = _measure(client, url)
        rows.append((name, status, f"{p50:.1f}", f"{p95:.1f}", queries, verdict(p95 < GOAL_MS)))
    table(
        f"Back-office pages: {REQUESTS:,} rights requests, "
        f"{AuditEntry.objects.count():,} audit entries ({SAMPLES} samples each, ms)",
        ["page", "status", "p50", "p95", "queries", f"p95 < {GOAL_MS} ms"],
        rows,
    )
