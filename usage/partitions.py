"""Monthly partitions of usage_usageevent on PostgreSQL. Elsewhere these do nothing."""

import datetime

from django.db import connection, transaction

TABLE = "usage_usageevent"
DEFAULT_PARTITION = f"{TABLE}_default"


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def partition_name(month: datetime.date) -> str:
    return f"{TABLE}_y{month.year}m{month.month:02d}"


def is_partitioned() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass", [TABLE])
        return cursor.fetchone() is not None


def existing_partitions() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [TABLE],
        )
        return {row[0] for row in cursor.fetchall()}


def _bounds(month: datetime.date) -> tuple[str, str]:
    # Bounds in UTC: a partition holds one calendar month of UTC time.
    return f"{month.isoformat()} 00:00:00+00", f"{add_months(month, 1).isoformat()} 00:00:00+00"


def partition_create(month: datetime.date) -> bool:
    """Create the partition for ``month``; rows already in the default partition move into it."""
    month = month_start(month)
    name = partition_name(month)
    low, high = _bounds(month)
    with transaction.atomic(), connection.cursor() as cursor:
        if name in existing_partitions():
            return False
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {DEFAULT_PARTITION} "  # noqa: S608 (names are ours)
            "WHERE occurred_at >= %s AND occurred_at < %s)",
            [low, high],
        )
        if cursor.fetchone()[0]:
            # A default partition holding rows of this range blocks CREATE ... PARTITION OF:
            # build the table apart, move the rows, then attach it.
            cursor.execute(
                f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
            )
            cursor.execute(
                f"WITH moved AS (DELETE FROM {DEFAULT_PARTITION} "  # noqa: S608
                "WHERE occurred_at >= %s AND occurred_at < %s RETURNING *) "
                f"INSERT INTO {name} SELECT * FROM moved",
                [low, high],
            )
            cursor.execute(
                f"ALTER TABLE {TABLE} ATTACH PARTITION {name} "
                f"FOR VALUES FROM ('{low}') TO ('{high}')"
            )
        else:
            cursor.execute(
                f"CREATE TABLE {name} PARTITION OF {TABLE} FOR VALUES FROM ('{low}') TO ('{high}')"
            )
    return True


def partitions_ensure(*, start: datetime.date, months: int) -> list[str]:
    """Make sure the ``months`` monthly partitions from ``start`` exist; returns the new ones."""
    if not is_partitioned():
        return []
    created = []
    for offset in range(months):
        month = add_months(month_start(start), offset)
        if partition_create(month):
            created.append(partition_name(month))
    return created
