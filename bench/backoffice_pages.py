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
import time

from bench.common import percentile, progress, table, verdict

REQUESTS = 100_000
AUDIT_ENTRIES = 1_000_000
SAMPLES = 30
WARM_UP = 3
GOAL_MS = 200
CHUNK = 50_000
DPO_EMAIL = "dpo@bench-backoffice.example"
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


def _staff_and_members():
    from accounts.models import Organisation, User
    from common.roles import Role

    organisation, _ = Organisation.objects.get_or_create(
        slug="bench-backoffice", defaults={"name": "Bench Back-office Client"}
    )
    dpo, _ = User.objects.get_or_create(
        email=DPO_EMAIL, defaults={"full_name": "Bench DPO", "role": Role.DPO, "password": "!"}
    )
    staff = [dpo]
    for n in range(10):
        user, _ = User.objects.get_or_create(
            email=f"staff{n}@bench-backoffice.example",
            defaults={"full_name": f"Staff {n}", "role": Role.SUPPORT, "password": "!"},
        )
        staff.append(user)
    members = []
    for n in range(200):
        user, _ = User.objects.get_or_create(
            email=f"member{n}@bench-backoffice.example",
            defaults={"full_name": f"Member {n}", "organisation": organisation, "password": "!"},
        )
        members.append(user)
    return dpo, staff, members


def _copy(model, columns: list[str], rows) -> None:
    from django.db import connection

    table_name = model._meta.db_table
    sql = f"COPY {table_name} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _defaults(model, given: dict) -> list[tuple[str, object]]:
    """Every concrete column but the id: the given value, else NULL, else the field default."""
    columns = []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.attname in given:
            columns.append((field.column, given[field.attname]))
        elif field.null:
            columns.append((field.column, None))
        elif field.has_default():
            columns.append((field.column, field.get_default()))
        else:
            columns.append((field.column, ""))
    return columns


def _requests(total: int, staff) -> None:
    from django.utils import timezone

    from dsar.models import Channel, RequestKind, RightsRequest, State

    have = RightsRequest.objects.count()
    if have >= total:
        return
    progress(f"writing {total - have:,} rights requests with COPY")
    rng = random.Random(8)
    now = timezone.now()
    today = timezone.localdate()
    kinds, states, channels = RequestKind.values, State.values, Channel.values
    columns = None
    rows = []
    for n in range(have, total):
        received = now - datetime.timedelta(minutes=rng.randrange(60 * 24 * 730))
        state = states[rng.randrange(len(states))]
        given = {
            "reference": f"RR-B-{n:07d}",
            "kind": kinds[rng.randrange(len(kinds))],
            "state": state,
            "channel": channels[rng.randrange(len(channels))],
            "requester_name": f"Requester {n}",
            "requester_email": f"requester{n}@bench-backoffice.example",
            "received_at": received,
            "due_on": today + datetime.timedelta(days=rng.randrange(-60, 60)),
            "assignee_id": staff[rng.randrange(len(staff))].pk if rng.random() < 0.7 else None,
        }
        pairs = _defaults(RightsRequest, given)
        columns = columns or [column for column, _ in pairs]
        rows.append([value for _, value in pairs])
        if len(rows) == CHUNK:
            _copy(RightsRequest, columns, rows)
            rows = []
    if rows:
        _copy(RightsRequest, columns, rows)


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
            )
        )
        if len(rows) == CHUNK:
            _copy(AuditEntry, columns, rows)
            rows = []
            progress(f"{n + 1:,} of {missing:,}")
    if rows:
        _copy(AuditEntry, columns, rows)


def _verified_client(dpo):
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=dpo, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=dpo, name="Bench", confirmed=True)
    client = Client(SERVER_NAME="localhost")
    client.force_login(dpo)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _measure(client, url: str) -> tuple[float, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARM_UP):
        client.get(url)
    samples = []
    for _ in range(SAMPLES):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return percentile(samples, 0.5), percentile(samples, 0.95), len(queries), response.status_code


def run(scale: int | None = None) -> None:
    from django.db import connection

    from audit.models import AuditEntry

    dpo, staff, members = _staff_and_members()
    _requests(REQUESTS, staff)
    _audit_entries(scale or AUDIT_ENTRIES, staff, members)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    newest = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    oldest = AuditEntry.objects.order_by("id").values_list("id", flat=True).first()
    deep = oldest + (newest - oldest) // 10  # 90% of the way back
    member = members[len(members) // 2]
    staff_email = staff[3].email
    pages = [
        ("dashboard", "/backoffice/"),
        ("request queue, first page", "/backoffice/requests/"),
        ("request queue, page 2,000", "/backoffice/requests/?page=2000"),
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
    client = _verified_client(dpo)
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
