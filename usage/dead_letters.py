"""Storing usage events so that one bad event never stops the others.

A write the database refuses is split in halves, and each half written again, until every
refused event stands alone: it becomes a dead letter, with the reason, and the rest are
written. All of it happens in the caller's transaction (each attempt in a savepoint), so a
drain that records its batch in the same transaction still writes the batch exactly once.
Errors that say the database itself is unwell (a lost connection, a cancelled statement)
are not the event's fault: they propagate, and the caller retries later.
"""

import json
import logging
from collections.abc import Mapping, Sequence

import psycopg
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DataError, IntegrityError, ProgrammingError, transaction

from usage.events import events_write
from usage.models import DeadLetter
from usage.text import text_clean

logger = logging.getLogger(__name__)

# What one event can cause: bad values (DataError), a missing or mistyped column value
# (IntegrityError; psycopg's "cannot adapt" is a ProgrammingError), text UTF-8 cannot encode
# (UnicodeEncodeError, a ValueError), a value of the wrong type for the driver (TypeError).
REFUSED = (
    DataError,
    IntegrityError,
    ProgrammingError,
    psycopg.DataError,
    psycopg.IntegrityError,
    psycopg.ProgrammingError,
    ValueError,
    TypeError,
)
UNREADABLE = "Unreadable: not a JSON object."
MAX_PAYLOAD = 20_000
MAX_ID = 2**63 - 1


def _decoded(item: Mapping | bytes | str) -> Mapping | None:
    if isinstance(item, Mapping):
        return item
    try:
        event = json.loads(item)
    except ValueError:  # not JSON, or not UTF-8
        return None
    return event if isinstance(event, dict) else None


def _reason(error: Exception) -> str:
    # The class and the first line: a database error's DETAIL and CONTEXT lines quote the row.
    lines = str(error).splitlines()
    return text_clean(f"{type(error).__name__}: {lines[0] if lines else ''}", 300)


def _write_isolating(events: Sequence[Mapping]) -> tuple[int, list[tuple[Mapping, str]]]:
    """Write the events; returns how many were written and each refused one with its reason."""
    try:
        with transaction.atomic():
            return events_write(events), []
    except REFUSED as error:
        if len(events) == 1:
            return 0, [(events[0], _reason(error))]
    middle = len(events) // 2
    written_first, refused_first = _write_isolating(events[:middle])
    written_second, refused_second = _write_isolating(events[middle:])
    return written_first + written_second, refused_first + refused_second


def _payload(item: Mapping | bytes | str) -> str:
    if isinstance(item, Mapping):
        try:
            # ensure_ascii escapes NUL and lone surrogates, so the text itself is storable.
            text = json.dumps(item, cls=DjangoJSONEncoder, ensure_ascii=True)
        except (TypeError, ValueError):
            text = ascii(item)
    elif isinstance(item, bytes):
        text = item.decode("utf-8", "backslashreplace")
    else:
        text = item.encode("utf-8", "backslashreplace").decode("utf-8")
    return text.replace("\x00", "\\x00")[:MAX_PAYLOAD]


def _id_in(item, name: str) -> int | None:
    value = item.get(name) if isinstance(item, Mapping) else None
    return value if value.__class__ is int and 0 < value <= MAX_ID else None


def events_store(items: Sequence[Mapping | bytes | str], *, source: str) -> int:
    """Write events (mappings, or JSON as buffered), in the caller's transaction if there is
    one; what cannot be read or written becomes a dead letter. Returns how many were written."""
    events, refused = [], []
    for item in items:
        event = _decoded(item)
        if event is None:
            refused.append((item, UNREADABLE))
        else:
            events.append(event)
    with transaction.atomic():
        written, failed = _write_isolating(events) if events else (0, [])
        refused += failed
        if refused:
            DeadLetter.objects.bulk_create(
                DeadLetter(
                    source=source,
                    reason=reason,
                    organisation_id=_id_in(item, "organisation_id"),
                    user_id=_id_in(item, "user_id"),
                    payload=_payload(item),
                )
                for item, reason in refused
            )
    if refused:
        # Counts and classes only: a reason can quote a value.
        logger.warning(
            "%d usage events refused and kept as dead letters (%s); %d written.",
            len(refused),
            ", ".join(sorted({reason.partition(":")[0] for _, reason in refused})),
            written,
        )
    return written
