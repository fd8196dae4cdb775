"""Writing usage events to the table: COPY on PostgreSQL, bulk insert elsewhere."""

import datetime
from collections.abc import Iterable, Mapping, Sequence

from django.db import connection
from django.db.models import F
from django.utils import timezone

from usage.models import DirectWriteCount, UsageEvent

COLUMNS = (
    "occurred_at",
    "organisation_id",
    "user_id",
    "session_hash",
    "ip_address",
    "user_agent_family",
    "action",
    "feature",
    "path",
    "status_code",
    "duration_ms",
    "purpose",
    "event_id",
)
TEXT_COLUMNS = {
    "session_hash",
    "user_agent_family",
    "action",
    "feature",
    "path",
    "purpose",
    "event_id",
}
COPY_SQL = f"COPY {UsageEvent._meta.db_table} ({', '.join(COLUMNS)}) FROM STDIN"


def event_row(event: Mapping) -> tuple:
    """One event as a row in COLUMNS order; text columns are never NULL."""
    return tuple(
        (event.get(name) or "") if name in TEXT_COLUMNS else event.get(name) for name in COLUMNS
    )


def events_write(events: Iterable[Mapping]) -> int:
    """Write events (mappings of column to value); returns how many were written."""
    return rows_write([event_row(event) for event in events])


def rows_write(rows: Sequence[tuple]) -> int:
    """Write rows in COLUMNS order in one round trip; returns how many were written.

    A single COPY is atomic on its own: no savepoint is needed inside a caller's transaction.
    """
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor, cursor.cursor.copy(COPY_SQL) as copy:
            for row in rows:
                copy.write_row(row)
    else:
        UsageEvent.objects.bulk_create(
            [UsageEvent(**dict(zip(COLUMNS, row, strict=True))) for row in rows], batch_size=500
        )
    return len(rows)


def direct_write_count(events: int, *, day: datetime.date | None = None) -> None:
    """Count events that bypassed the buffer, so an outage of Redis shows up somewhere."""
    day = day or timezone.localdate()
    _, created = DirectWriteCount.objects.get_or_create(date=day, defaults={"events": events})
    if not created:
        DirectWriteCount.objects.filter(date=day).update(events=F("events") + events)
