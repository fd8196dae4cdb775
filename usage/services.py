"""Usage writes: batch ingestion from integrations, daily rollups, report disclosures."""

import datetime
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User, UserManager
from audit.disclosures import disclosure_record
from audit.models import Disclosure
from usage.capture import user_agent_family
from usage.events import events_write
from usage.models import (
    DailyFeatureUsage,
    DailyUsage,
    DailyUserUsage,
    IngestedEventId,
    UsageEvent,
    UsagePurpose,
)

MAX_BATCH = 1000
LONDON = ZoneInfo("Europe/London")
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)
MAX_AGE = datetime.timedelta(days=400)
ITEM_FIELDS = {
    "event_id",
    "occurred_at",
    "action",
    "feature",
    "user_id",
    "user_email",
    "path",
    "status_code",
    "duration_ms",
    "purpose",
    "ip_address",
    "user_agent",
}


class BatchInvalid(Exception):
    """Some items of a batch are invalid; nothing of the batch was stored."""

    def __init__(self, errors: dict[str, dict[str, list[str]]]):
        super().__init__("invalid batch")
        self.errors = errors


@dataclass(frozen=True)
class IngestResult:
    stored: int
    duplicates: int


def _text(item, name, errors, *, max_length, required=False) -> str:
    value = item.get(name)
    if value is None or value == "":
        if required:
            errors[name] = ["This field is required."]
        return ""
    if not isinstance(value, str):
        errors[name] = ["Must be a string."]
        return ""
    if len(value) > max_length:
        errors[name] = [f"At most {max_length} characters."]
    return value


def _integer(item, name, errors, *, low, high) -> int | None:
    value = item.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors[name] = [f"Must be a whole number from {low} to {high}."]
        return None
    return value


@lru_cache(maxsize=4096)
def _ip_address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _moment(item, errors, now) -> datetime.datetime | None:
    raw = item.get("occurred_at")
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
    elif moment > now + FUTURE_TOLERANCE:
        errors["occurred_at"] = ["Lies in the future."]
    elif moment < now - MAX_AGE:
        errors["occurred_at"] = ["Older than 400 days: past the retention period."]
    else:
        return moment
    return None


def _validate_item(item, now, purposes, users_by_id, users_by_email):
    if not isinstance(item, dict):
        return None, {"non_field_errors": ["Each event must be a JSON object."]}
    errors: dict[str, list[str]] = {}
    unknown = item.keys() - ITEM_FIELDS
    for name in sorted(unknown) if unknown else ():
        errors[name] = ["Unknown field."]
    event = {
        "event_id": _text(item, "event_id", errors, max_length=100, required=True),
        "occurred_at": _moment(item, errors, now),
        "action": _text(item, "action", errors, max_length=60, required=True),
        "feature": _text(item, "feature", errors, max_length=100),
        "path": _text(item, "path", errors, max_length=2000).split("?", 1)[0][:300],
        "status_code": _integer(item, "status_code", errors, low=100, high=599),
        "duration_ms": _integer(item, "duration_ms", errors, low=0, high=86_400_000),
        "purpose": _text(item, "purpose", errors, max_length=60),
        "user_agent_family": user_agent_family(_text(item, "user_agent", errors, max_length=512)),
        "ip_address": None,
        "user_id": None,
    }
    if event["purpose"] and event["purpose"] not in purposes:
        errors["purpose"] = ["Not one of the organisation's purposes."]
    ip = _text(item, "ip_address", errors, max_length=45)
    if ip:
        event["ip_address"] = _ip_address(ip)
        if event["ip_address"] is None:
            errors["ip_address"] = ["Not an IP address."]
    if item.get("user_id") is not None:
        user_id = _integer(item, "user_id", errors, low=1, high=2**63 - 1)
        if user_id is not None and user_id not in users_by_id:
            errors["user_id"] = ["No user of this organisation has this id."]
        event["user_id"] = user_id
    elif item.get("user_email"):
        email = UserManager.normalize_email(_text(item, "user_email", errors, max_length=254))
        event["user_id"] = users_by_email.get(email)
        if event["user_id"] is None and "user_email" not in errors:
            errors["user_email"] = ["No user of this organisation has this e-mail address."]
    return event, errors


def _known_users(organisation, items) -> tuple[set[int], dict[str, int]]:
    """The organisation's users a batch names, by id and by e-mail: at most two queries."""
    ids, emails = set(), set()
    for item in items:
        if isinstance(item, dict):
            if isinstance(item.get("user_id"), int):
                ids.add(item["user_id"])
            elif isinstance(item.get("user_email"), str):
                emails.add(UserManager.normalize_email(item["user_email"]))
    users = User.objects.filter(organisation=organisation)
    found_ids = set(users.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    by_email = dict(users.filter(email__in=emails).values_list("email", "pk")) if emails else {}
    return found_ids, by_email


def _claim_event_ids(organisation, event_ids: Sequence[str]) -> set[str]:
    """Insert the ids not seen before for this organisation; return those that were new."""
    if not event_ids:
        return set()
    table = IngestedEventId._meta.db_table
    now = timezone.now()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One array parameter rather than a thousand placeholders.
            cursor.execute(
                f"INSERT INTO {table} (organisation_id, event_id, received_at) "
                "SELECT %s, unnest(%s::varchar[]), %s "
                "ON CONFLICT (organisation_id, event_id) DO NOTHING RETURNING event_id",
                [organisation.pk, list(event_ids), now],
            )
        else:
            placeholders = ", ".join(["(%s, %s, %s)"] * len(event_ids))
            params = [value for event_id in event_ids for value in (organisation.pk, event_id, now)]
            cursor.execute(
                f"INSERT INTO {table} (organisation_id, event_id, received_at) "  # noqa: S608
                f"VALUES {placeholders} ON CONFLICT (organisation_id, event_id) DO NOTHING "
                "RETURNING event_id",
                params,
            )
        return {row[0] for row in cursor.fetchall()}


def usage_events_ingest(*, organisation, items: list) -> IngestResult:
    """Store a batch of a client's events: all valid or none stored; known ids are skipped."""
    if len(items) > MAX_BATCH:
        raise ValueError(f"At most {MAX_BATCH} events a batch.")
    now = timezone.now()
    purposes = set(
        UsagePurpose.objects.filter(organisation=organisation).values_list("code", flat=True)
    )
    users_by_id, users_by_email = _known_users(organisation, items)
    events, errors = [], {}
    for index, item in enumerate(items):
        event, item_errors = _validate_item(item, now, purposes, users_by_id, users_by_email)
        if item_errors:
            errors[str(index)] = item_errors
        else:
            event["organisation_id"] = organisation.pk
            events.append(event)
    if errors:
        raise BatchInvalid(errors)

    unique_in_batch = list(dict.fromkeys(e["event_id"] for e in events))
    with transaction.atomic():
        new_ids = _claim_event_ids(organisation, unique_in_batch)
        fresh, seen = [], set()
        for event in events:
            if event["event_id"] in new_ids and event["event_id"] not in seen:
                seen.add(event["event_id"])
                fresh.append(event)
        stored = events_write(fresh)
    return IngestResult(stored=stored, duplicates=len(events) - stored)


def uk_day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The UTC instants a UK calendar day starts and ends at (23 or 25 hours at clock changes)."""
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=LONDON)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, LONDON)
    return start.astimezone(datetime.UTC), end.astimezone(datetime.UTC)


def usage_rollup_day(*, day: datetime.date) -> int:
    """Recompute one UK day's rollups from the events. Running it again changes nothing.

    DailyUsage keeps the full grain; DailyUserUsage and DailyFeatureUsage are the narrower
    sums the reports read, so a 90-day report touches thousands of rows, not millions.
    """
    start, end = uk_day_bounds(day)
    groups = (
        UsageEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
        .values("organisation_id", "user_id", "feature", "purpose")
        .annotate(
            event_count=Count("id"),
            total_duration_ms=Coalesce(Sum("duration_ms"), 0),
            first_seen=Min("occurred_at"),
            last_seen=Max("occurred_at"),
        )
        .order_by()
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Two rollups of one day at once would both delete, then both insert.
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [0x5553, day.toordinal()])
        for model in (DailyUsage, DailyUserUsage, DailyFeatureUsage):
            model.objects.filter(date=day).delete()
        rows = DailyUsage.objects.bulk_create(
            (DailyUsage(date=day, **group) for group in groups.iterator(chunk_size=5000)),
            batch_size=2000,
        )
        of_day = DailyUsage.objects.filter(date=day).order_by()
        totals = {"event_count": Sum("event_count"), "total_duration_ms": Sum("total_duration_ms")}
        DailyUserUsage.objects.bulk_create(
            (
                DailyUserUsage(date=day, **group)
                for group in of_day.values("organisation_id", "user_id").annotate(**totals)
            ),
            batch_size=2000,
        )
        DailyFeatureUsage.objects.bulk_create(
            (
                DailyFeatureUsage(date=day, **group)
                for group in of_day.values("organisation_id", "feature", "purpose").annotate(
                    users=Count("user_id", distinct=True), **totals
                )
            ),
            batch_size=2000,
        )
    return len(rows)


def usage_report_disclose(*, report, by, channel: str) -> Disclosure:
    """A client admin saw or pulled a usage report: that is a disclosure to the client."""
    return disclosure_record(
        recipient_type=Disclosure.RecipientType.CLIENT,
        recipient=report.organisation.name,
        organisation=report.organisation,
        legal_basis="Legitimate interests: reporting usage to the client that employs the users",
        categories=["usage"],
        description=(
            f"Usage report {report.start:%d %b %Y} to {report.end:%d %b %Y} "
            f"by {report.group_by}, {channel}"
        ),
        subject_user_ids=report.user_ids,
        by=by,
        by_label=by.get_username(),
    )
