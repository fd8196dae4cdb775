"""Writing usage events to the table (COPY on PostgreSQL, bulk insert elsewhere), and claiming
the event ids of ingested batches, so that a retried batch is stored once."""

import contextlib
import datetime
import json
from collections.abc import Iterable, Mapping, Sequence

import psycopg
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from usage.days import uk_day, uk_day_bounds
from usage.models import DirectWriteCount, IngestedEventId, UsageDayTouched, UsageEvent
from usage.signals import usage_days_touched
from usage.text import ip_address_plain, text_clean

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
MAX_LENGTHS = {name: UsageEvent._meta.get_field(name).max_length for name in TEXT_COLUMNS}
OCCURRED_AT = COLUMNS.index("occurred_at")
ORGANISATION_ID = COLUMNS.index("organisation_id")
COPY_SQL = f"COPY {UsageEvent._meta.db_table} ({', '.join(COLUMNS)}) FROM STDIN"


def event_row(event: Mapping) -> tuple:
    """One event as a row in COLUMNS order; text columns are never NULL."""
    return tuple(
        (event.get(name) or "") if name in TEXT_COLUMNS else event.get(name) for name in COLUMNS
    )


def event_clean(event: Mapping) -> dict:
    """A captured event the database can take: text without NUL or lone surrogates, cut to its
    column, and an IP address only if it is a plain one."""
    cleaned = dict(event)
    for name, max_length in MAX_LENGTHS.items():
        value = cleaned.get(name)
        if value.__class__ is str:
            cleaned[name] = text_clean(value, max_length)
    ip = cleaned.get("ip_address")
    if ip is not None:
        cleaned["ip_address"] = ip_address_plain(ip) if ip.__class__ is str else None
    return cleaned


def events_write(events: Iterable[Mapping]) -> int:
    """Write events (mappings of column to value); returns how many were written."""
    return rows_write([event_row(event) for event in events])


def rows_write(rows: Iterable[tuple]) -> int:
    """Write rows in COLUMNS order in one round trip, and mark the past days they touched;
    returns how many were written.

    A single COPY is atomic on its own: no savepoint is needed inside a caller's transaction.
    """
    rows = rows if isinstance(rows, list) else list(rows)
    if connection.vendor == "postgresql":
        count = 0
        with connection.cursor() as cursor, cursor.cursor.copy(COPY_SQL) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    else:
        events = [UsageEvent(**dict(zip(COLUMNS, row, strict=True))) for row in rows]
        UsageEvent.objects.bulk_create(events, batch_size=500)
        count = len(events)
    days_touched_mark(rows)
    return count


def days_touched_mark(rows: Sequence[tuple]) -> None:
    """Mark each (organisation, UK day before today) the rows add to, in the caller's
    transaction, and ask for a re-roll once it commits.

    Today's events need no mark: the scheduled rollup covers today and, after midnight,
    yesterday. If the re-roll cannot be queued, the mark waits for that scheduled rollup.
    """
    today_starts = uk_day_bounds(timezone.localdate())[0]
    touched = set()
    for row in rows:
        moment = row[OCCURRED_AT]
        if moment.__class__ is str:  # as buffered: the drain writes the JSON text as it is
            moment = datetime.datetime.fromisoformat(moment)
        if moment.tzinfo is None:  # the database session, and so COPY, reads it as UTC
            moment = moment.replace(tzinfo=datetime.UTC)
        if moment < today_starts:
            touched.add((row[ORGANISATION_ID], uk_day(moment)))
    if not touched:
        return
    UsageDayTouched.objects.bulk_create(
        UsageDayTouched(organisation_id=organisation_id, day=day)
        for organisation_id, day in touched
    )
    transaction.on_commit(lambda: usage_days_touched.send(sender=UsageDayTouched), robust=True)


class KnownEventId(Exception):
    """A batch claimed as all new holds an event id already stored for its organisation."""


def _claim_sql(organisation_id: int, event_ids: Sequence[str]) -> tuple[str, list]:
    table = IngestedEventId._meta.db_table
    now = timezone.now()
    if connection.vendor == "postgresql":
        # One JSON parameter rather than a thousand placeholders, or an array that the driver
        # would quote element by element in Python.
        sql = (
            f"INSERT INTO {table} (organisation_id, event_id, received_at) "  # noqa: S608
            "SELECT %s, value, %s FROM json_array_elements_text(%s::json)"
        )
        return sql, [organisation_id, now, json.dumps(event_ids)]
    placeholders = ", ".join(["(%s, %s, %s)"] * len(event_ids))
    sql = f"INSERT INTO {table} (organisation_id, event_id, received_at) VALUES {placeholders}"  # noqa: S608
    return sql, [value for event_id in event_ids for value in (organisation_id, event_id, now)]


@contextlib.contextmanager
def new_event_ids_claimed(organisation_id: int, event_ids: Sequence[str]):
    """Claim event ids that must all be new, in the caller's transaction, while its block runs.

    A plain INSERT, half the cost of INSERT … ON CONFLICT. On PostgreSQL it goes out at once in
    psycopg's pipeline mode and its outcome is read as the block ends, so the database inserts
    while the block checks the batch. Raises KnownEventId, as the block ends, if any id was
    stored before: the caller's transaction must then roll back.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("Claim event ids inside the transaction that stores the events.")
    sql, params = _claim_sql(organisation_id, event_ids)
    if connection.vendor != "postgresql" or not psycopg.Pipeline.is_supported():
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
        except IntegrityError:
            raise KnownEventId from None
        yield
        return
    driver = connection.connection
    try:
        with driver.pipeline():
            driver.cursor().execute(sql, params)
            yield
    except psycopg.errors.UniqueViolation:
        raise KnownEventId from None


def event_ids_claim(organisation_id: int, event_ids: Sequence[str]) -> set[str]:
    """Claim event ids, skipping those stored before for the organisation; returns the new."""
    if not event_ids:
        return set()
    sql, params = _claim_sql(organisation_id, event_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            sql + " ON CONFLICT (organisation_id, event_id) DO NOTHING RETURNING event_id", params
        )
        return {row[0] for row in cursor.fetchall()}


def direct_write_count(events: int, *, day: datetime.date | None = None) -> None:
    """Count events that bypassed the buffer, so an outage of Redis shows up somewhere."""
    day = day or timezone.localdate()
    _, created = DirectWriteCount.objects.get_or_create(date=day, defaults={"events": events})
    if not created:
        DirectWriteCount.objects.filter(date=day).update(events=F("events") + events)
