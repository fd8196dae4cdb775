"""Generate usage events at scale, streamed through COPY so memory stays flat."""

import datetime
import random

from django.db import connection
from django.utils import timezone

from bench.common import peak_rss_mb, progress
from usage.events import COLUMNS
from usage.partitions import partitions_ensure

FEATURES = ["dashboard", "reports", "export", "search", "settings", "billing", "api", "alerts"]
PURPOSES = ["analysis", "administration", "", "support"]
CHUNK = 100_000
COPY_CHUNK = 50_000
BACK_OFFICE_DPO = "dpo@bench-backoffice.example"


def bench_organisations(count: int, users_each: int):
    from accounts.models import Organisation, User

    organisations = []
    for n in range(count):
        organisation, _ = Organisation.objects.get_or_create(
            slug=f"bench-{n}", defaults={"name": f"Bench Client {n}"}
        )
        existing = User.objects.filter(organisation=organisation).count()
        User.objects.bulk_create(
            [
                User(
                    email=f"u{i}@bench-{n}.example",
                    full_name=f"Bench User {n}-{i}",
                    organisation=organisation,
                    password="!",  # noqa: S106 (an unusable password)
                )
                for i in range(existing, users_each)
            ]
        )
        organisations.append((organisation, list(organisation.users.values_list("pk", flat=True))))
    return organisations


def generate_events(*, total: int, days: int, organisations, seed: int = 7) -> None:
    """Write ``total`` events spread over the last ``days`` days, in COPY chunks."""
    rng = random.Random(seed)
    end = timezone.now().replace(minute=0, second=0, microsecond=0)
    start = end - datetime.timedelta(days=days)
    months = (end.year - start.year) * 12 + end.month - start.month + 2
    partitions_ensure(start=start.date(), months=months)
    span = int((end - start).total_seconds())
    sql = f"COPY usage_usageevent ({', '.join(COLUMNS)}) FROM STDIN"
    written = 0
    with connection.cursor() as cursor:
        while written < total:
            size = min(CHUNK, total - written)
            with cursor.cursor.copy(sql) as copy:
                for _ in range(size):
                    organisation, users = organisations[rng.randrange(len(organisations))]
                    copy.write_row(
                        (
                            start + datetime.timedelta(seconds=rng.randrange(span)),
                            organisation.pk,
                            users[rng.randrange(len(users))],
                            "",
                            f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}",
                            "Chrome",
                            "page_view",
                            FEATURES[rng.randrange(len(FEATURES))],
                            "/app/",
                            200,
                            rng.randrange(5, 900),
                            PURPOSES[rng.randrange(len(PURPOSES))],
                            "",
                        )
                    )
            written += size
            progress(f"{written:,} / {total:,} events (peak RSS {peak_rss_mb():.0f} MB)")


def back_office_people():
    """The back-office benches' DPO, ten support staff and two hundred members of one client."""
    from accounts.models import Organisation, User
    from common.roles import Role

    organisation, _ = Organisation.objects.get_or_create(
        slug="bench-backoffice", defaults={"name": "Bench Back-office Client"}
    )
    dpo, _ = User.objects.get_or_create(
        email=BACK_OFFICE_DPO,
        defaults={"full_name": "Bench DPO", "role": Role.DPO, "password": "!"},
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


def copy_rows(model, columns: list[str], rows) -> None:
    from django.db import connection

    table_name = model._meta.db_table
    sql = f"COPY {table_name} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def row_defaults(model, given: dict) -> list[tuple[str, object]]:
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


def rights_requests(total: int, staff) -> None:
    """Rights requests until there are ``total``, over two years, in every state and kind;
    those still awaiting confirmation have no due date, as in the app."""
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
            "due_on": None
            if state == State.AWAITING_VERIFICATION
            else today + datetime.timedelta(days=rng.randrange(-60, 60)),
            "assignee_id": staff[rng.randrange(len(staff))].pk if rng.random() < 0.7 else None,
        }
        pairs = row_defaults(RightsRequest, given)
        columns = columns or [column for column, _ in pairs]
        rows.append([value for _, value in pairs])
        if len(rows) == COPY_CHUNK:
            copy_rows(RightsRequest, columns, rows)
            rows = []
    if rows:
        copy_rows(RightsRequest, columns, rows)
