"""Batch ingestion of usage events from integrations: all valid or none stored."""

import datetime
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User, UserManager
from usage.events import (
    COLUMNS,
    KnownEventId,
    event_ids_claim,
    new_event_ids_claimed,
    rows_write,
)
from usage.middleware import user_agent_family
from usage.models import (
    UsagePurpose,
)
from usage.text import ip_address_plain, text_clean, text_unsafe

MAX_BATCH = 1000
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)
MAX_AGE = datetime.timedelta(days=400)
EVENT_ID = COLUMNS.index("event_id")
# The text fields of an event, checked the same way: (name, most characters, required).
TEXT_FIELDS = (
    ("event_id", 100, True),
    ("action", 60, True),
    ("feature", 100, False),
    ("path", 2000, False),
    ("purpose", 60, False),
    ("user_agent", 512, False),
    ("ip_address", 45, False),
    ("user_email", 254, False),
)
MAX_LENGTHS = {name: max_length for name, max_length, _ in TEXT_FIELDS}
ITEM_FIELDS = frozenset(
    [name for name, _, _ in TEXT_FIELDS] + ["occurred_at", "status_code", "duration_ms", "user_id"]
)
MAX_ID = 2**63 - 1
REQUIRED = "This field is required."
UNSAFE_TEXT = "Must not hold a NUL character or a lone surrogate."


class BatchInvalid(Exception):
    """Some items of a batch are invalid; nothing of the batch was stored."""

    def __init__(self, errors: dict[str, dict[str, list[str]]]):
        super().__init__("invalid batch")
        self.errors = errors


@dataclass(frozen=True)
class IngestResult:
    stored: int
    duplicates: int


@dataclass(frozen=True)
class _Batch:
    """What every item of one batch is checked against."""

    organisation_id: int
    earliest: datetime.datetime
    latest: datetime.datetime
    purposes: frozenset[str]
    user_ids: frozenset[int]
    users_by_email: dict[str, int]


def _integer(value, name, errors, *, low, high) -> int | None:
    if value is None:
        return None
    if value.__class__ is not int or not low <= value <= high:  # bool is not an int here
        errors[name] = [f"Must be a whole number from {low} to {high}."]
        return None
    return value


def _moment(raw, errors, earliest, latest) -> datetime.datetime | None:
    if not isinstance(raw, str) or not raw:
        errors["occurred_at"] = ["This field is required: an ISO 8601 time with its offset."]
        return None
    try:
        moment = datetime.datetime.fromisoformat(raw)
    except ValueError:
        errors["occurred_at"] = ["Not an ISO 8601 time."]
        return None
    if moment.tzinfo is None:
        errors["occurred_at"] = ["Give the time zone offset, e.g. 2026-11-28T09:30:00Z."]
    elif moment > latest:
        errors["occurred_at"] = ["Lies in the future."]
    elif moment < earliest:
        errors["occurred_at"] = ["Older than 400 days: past the retention period."]
    else:
        return moment
    return None


def _text_fields(item: dict, errors: dict[str, list[str]]) -> dict[str, str]:
    """The item's text fields, "" where one is missing or refused (the refusal in ``errors``)."""
    text = {}
    for name, max_length, required in TEXT_FIELDS:
        value = item.get(name)
        if value is None or value == "":
            if required:
                errors[name] = [REQUIRED]
            value = ""
        elif value.__class__ is not str:
            errors[name] = ["Must be a string."]
            value = ""
        elif ("\x00" in value or not value.isascii()) and text_unsafe(value):  # inline: hot
            errors[name] = [UNSAFE_TEXT]
            value = ""
        elif len(value) > max_length:
            errors[name] = [f"At most {max_length} characters."]
        text[name] = value
    return text


def _user_id(item: dict, email: str, batch: _Batch, errors: dict[str, list[str]]) -> int | None:
    """The organisation's user the item names, by id or else by e-mail address."""
    user_id = item.get("user_id")
    if user_id is not None:
        user_id = _integer(user_id, "user_id", errors, low=1, high=MAX_ID)
        if user_id is not None and user_id not in batch.user_ids:
            errors["user_id"] = ["No user of this organisation has this id."]
    elif email:
        user_id = batch.users_by_email.get(UserManager.normalize_email(email))
        if user_id is None and "user_email" not in errors:
            errors["user_email"] = ["No user of this organisation has this e-mail address."]
    return user_id


def _validate_item(item, batch: _Batch) -> tuple[tuple | None, dict[str, list[str]]]:
    """One item as a row in ``usage.events.COLUMNS`` order, or the errors that refuse it.

    Runs a thousand times a batch: plain loops and dict lookups, no per-field objects.
    """
    if not isinstance(item, dict):
        return None, {"non_field_errors": ["Each event must be a JSON object."]}
    errors: dict[str, list[str]] = {}
    if not ITEM_FIELDS.issuperset(item):
        for name in sorted(item.keys() - ITEM_FIELDS):
            errors[text_clean(name, 100)] = ["Unknown field."]  # the name is the client's text
    text = _text_fields(item, errors)
    occurred_at = _moment(item.get("occurred_at"), errors, batch.earliest, batch.latest)
    purpose = text["purpose"]
    if purpose and purpose not in batch.purposes:
        errors["purpose"] = ["Not one of the organisation's purposes."]
    ip = None
    if text["ip_address"]:
        ip = ip_address_plain(text["ip_address"])
        if ip is None:
            errors["ip_address"] = ["Not a plain IPv4 or IPv6 address (no zone id)."]
    status_code = _integer(item.get("status_code"), "status_code", errors, low=100, high=599)
    duration_ms = _integer(item.get("duration_ms"), "duration_ms", errors, low=0, high=86_400_000)
    user_id = _user_id(item, text["user_email"], batch, errors)
    if errors:
        return None, errors
    return (
        (
            occurred_at,
            batch.organisation_id,
            user_id,
            "",  # session_hash: an integration's events have no session of ours
            ip,
            user_agent_family(text["user_agent"]),
            text["action"],
            text["feature"],
            text["path"].partition("?")[0][:300],  # never the query string: it can be personal
            status_code,
            duration_ms,
            purpose,
            text["event_id"],
        ),
        errors,
    )


def _known_users(organisation, items) -> tuple[frozenset[int], dict[str, int]]:
    """The organisation's users a batch names, by id and by e-mail: at most two queries."""
    ids, emails = set(), set()
    for item in items:
        if isinstance(item, dict):
            user_id, email = item.get("user_id"), item.get("user_email")
            if user_id.__class__ is int and 0 < user_id <= MAX_ID:  # never a bool
                ids.add(user_id)
            elif email.__class__ is str and _text_fits(email, MAX_LENGTHS["user_email"]):
                emails.add(UserManager.normalize_email(email))
    users = User.objects.filter(organisation=organisation)
    if ids and connection.vendor == "postgresql":
        # Every batch asks this: one array parameter takes a third of the time of the ORM's IN.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {User._meta.db_table} "  # noqa: S608 (our table)
                "WHERE organisation_id = %s AND id = ANY(%s)",
                [organisation.pk, list(ids)],
            )
            found_ids = [row[0] for row in cursor.fetchall()]
    else:
        found_ids = users.filter(pk__in=ids).values_list("pk", flat=True) if ids else ()
    by_email = dict(users.filter(email__in=emails).values_list("email", "pk")) if emails else {}
    return frozenset(found_ids), by_email


def _text_fits(value: str, max_length: int) -> bool:
    """Whether the database can take the text as it is (the query would fail otherwise)."""
    return 0 < len(value) <= max_length and not text_unsafe(value)


def _event_ids(items) -> list[str] | None:
    """The batch's event ids, each once, if every item has one worth claiming; else None."""
    ids = [item.get("event_id") if item.__class__ is dict else None for item in items]
    most = MAX_LENGTHS["event_id"]
    # Only ASCII ids without NUL, of a length the column takes, are claimed before the check:
    # any other could fail the claim itself; the rare non-ASCII id takes the careful way.
    if all(
        event_id.__class__ is str
        and 0 < len(event_id) <= most
        and event_id.isascii()
        and "\x00" not in event_id
        for event_id in ids
    ):
        return list(dict.fromkeys(ids))
    return None


def _checked_rows(items, batch: _Batch) -> list[tuple]:
    """Each valid item's row, the first of a repeated id only; raises BatchInvalid with every
    invalid item's errors by index."""
    rows, seen, errors = [], set(), {}
    for index, item in enumerate(items):
        row, item_errors = _validate_item(item, batch)
        if item_errors:
            errors[str(index)] = item_errors
        elif row[EVENT_ID] not in seen:
            seen.add(row[EVENT_ID])
            rows.append(row)
    if errors:
        raise BatchInvalid(errors)
    return rows


def _purposes(organisation, items) -> frozenset[str]:
    """The organisation's purpose codes, if any item names a purpose (most batches do not)."""
    if not any(isinstance(item, dict) and item.get("purpose") for item in items):
        return frozenset()
    return frozenset(
        UsagePurpose.objects.filter(organisation=organisation).values_list("code", flat=True)
    )


def usage_events_ingest(*, organisation, items: list) -> IngestResult:
    """Store a batch of a client's events: all valid or none stored; known ids are skipped.

    A batch of new ids, the common case, is checked while the database claims its ids, then
    written with one COPY. An invalid item rolls the transaction back with nothing stored. A
    batch holding an id seen before (a retry) claims with ON CONFLICT, and only its new events
    go in.
    """
    if len(items) > MAX_BATCH:
        raise ValueError(f"At most {MAX_BATCH} events a batch.")
    users_by_id, users_by_email = _known_users(organisation, items)
    now = timezone.now()
    batch = _Batch(
        organisation_id=organisation.pk,
        earliest=now - MAX_AGE,
        latest=now + FUTURE_TOLERANCE,
        purposes=_purposes(organisation, items),
        user_ids=users_by_id,
        users_by_email=users_by_email,
    )
    rows = None
    event_ids = _event_ids(items)
    if event_ids is not None:
        try:
            with transaction.atomic():
                with new_event_ids_claimed(organisation.pk, event_ids):
                    rows = _checked_rows(items, batch)
                stored = rows_write(rows)
            return IngestResult(stored=stored, duplicates=len(items) - stored)
        except KnownEventId:
            pass  # A retry: nothing was stored. Its new events go in the careful way below.

    if rows is None:
        rows = _checked_rows(items, batch)
    with transaction.atomic():
        new_ids = event_ids_claim(organisation.pk, [row[EVENT_ID] for row in rows])
        stored = rows_write([row for row in rows if row[EVENT_ID] in new_ids])
    return IngestResult(stored=stored, duplicates=len(items) - stored)
