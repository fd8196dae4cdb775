"""The engines that act on data-map entries.

A rights request, a retention purge and the test-data export all call these, so they can
never disagree about what one person's data is or what erasing it means.
"""

import datetime
import decimal
import uuid
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections, models, transaction

from datamap.entries import Anonymise, Delete, Entry, Identifiers, Redact, Retain, Subject
from datamap.registry import registry


def plain_value(value):
    """A value as it goes into an export: JSON types only, times in ISO 8601 UTC."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


@dataclass(frozen=True)
class ExportSection:
    entry: Entry
    rows: list[dict]


def export_subject(subject: Subject) -> list[ExportSection]:
    """Every row of every entry that belongs to the subject, with the entry's export fields."""
    sections = []
    for entry in registry.entries():
        rows = entry.rows_of(subject).values(*entry.export_fields)
        sections.append(
            ExportSection(
                entry=entry,
                rows=[{key: plain_value(value) for key, value in row.items()} for row in rows],
            )
        )
    return sections


def iter_subject_rows(entry: Entry, subject: Subject, chunk_size: int = 2000):
    """The subject's rows of one entry, one tuple of plain values (``entry.export_fields``
    order) at a time, read in chunks (a server-side cursor on PostgreSQL): memory stays flat
    however many rows there are. ``export_subject`` keeps every row in memory; large exports
    (access packages) use this instead.
    """
    rows = entry.rows_of(subject).order_by().values_list(*entry.export_fields)
    simple = (str, int, float, bool, type(None))
    for row in rows.iterator(chunk_size=chunk_size):
        yield tuple(value if isinstance(value, simple) else plain_value(value) for value in row)


@dataclass(frozen=True)
class ErasureOutcome:
    entry: Entry
    action: str  # "deleted", "anonymised" (personal details removed, for Redact), "kept"
    rows: int
    reason: str = ""


def _placeholder(entry: Entry, name: str, value) -> bool:
    """A value the entry's own anonymisation wrote ("Erased user"): it names nobody."""
    rule = entry.erasure
    return isinstance(rule, Anonymise) and rule.replacements.get(name, object()) == value


def subject_identifiers(subject: Subject) -> Identifiers:
    """The subject's identifiers as the data map holds them now: e-mail addresses, names and
    IP addresses from the fields entries declare (``Entry.identifiers``), besides the
    subject's own user ids and e-mail addresses. Read before anything is erased."""
    found: dict[str, set[str]] = {"email": set(subject.emails), "name": set(), "ip_address": set()}
    for entry in registry.entries():
        if not entry.identifiers:
            continue
        fields = list(entry.identifiers)
        for row in entry.rows_of(subject).order_by().values_list(*fields).distinct():
            for name, value in zip(fields, row, strict=True):
                if value and isinstance(value, str) and not _placeholder(entry, name, value):
                    kind = entry.identifiers[name]
                    found[kind].add(value.strip().lower() if kind == "email" else value.strip())
    return Identifiers(
        user_ids=subject.user_ids,
        emails=frozenset(found["email"]),
        names=frozenset(found["name"]),
        ip_addresses=frozenset(found["ip_address"]),
    )


def anonymise_rows(entry: Entry, queryset: models.QuerySet, *, because: Mapping[str, Any]) -> int:
    """Anonymise these rows of the entry as its rule says: the retention schedule's expiry."""
    if isinstance(entry.erasure, Redact):
        return entry.erasure.of_rows(queryset, because)
    return _anonymise(queryset, entry.erasure)


def _anonymise(queryset, rule: Anonymise) -> int:
    constants = {k: v for k, v in rule.replacements.items() if not callable(v)}
    computed = {k: v for k, v in rule.replacements.items() if callable(v)}
    if not computed:
        return queryset.update(**constants)
    count = 0
    for row in queryset.iterator(chunk_size=500):
        for name, value in constants.items():
            setattr(row, name, value)
        for name, make in computed.items():
            setattr(row, name, make(row))
        row.save(update_fields=list(rule.replacements))
        count += 1
    return count


def erase_subject(
    subject: Subject,
    *,
    exception_for: Callable[[Entry], str | None] = lambda entry: None,
    dry_run: bool = False,
    because: Mapping[str, Any] | None = None,
) -> list[ErasureOutcome]:
    """Apply every entry's erasure rule to the subject's rows.

    ``exception_for`` names a reason to keep an entry's rows (a legal hold, a claim); the
    entry's own ``Retain`` rule is such a reason too. ``because`` says why the erasure runs,
    in codes, for the record a ``Redact`` rule keeps. One transaction: all or nothing.
    """
    outcomes = []
    because = {"reason": "erasure", **(because or {})}
    with transaction.atomic():
        # Before any rule runs: the names and addresses are gone once the account is erased.
        identifiers = subject_identifiers(subject)
        for entry in sorted(registry.entries(), key=lambda e: e.erasure_order):
            queryset = entry.rows_of(subject)
            reason = exception_for(entry)
            if reason is None and isinstance(entry.erasure, Retain):
                reason = entry.erasure.reason
            if reason is not None:
                outcomes.append(ErasureOutcome(entry, "kept", queryset.count(), reason))
            elif isinstance(entry.erasure, Redact):
                changed = entry.erasure.of_subject(identifiers, because, dry_run)
                outcomes.append(ErasureOutcome(entry, "anonymised", changed))
            elif dry_run:
                action = "deleted" if isinstance(entry.erasure, Delete) else "anonymised"
                outcomes.append(ErasureOutcome(entry, action, queryset.count()))
            elif isinstance(entry.erasure, Delete):
                _, per_model = queryset.delete()
                outcomes.append(
                    ErasureOutcome(
                        entry, "deleted", per_model.get(entry.model_class._meta.label, 0)
                    )
                )
            else:
                outcomes.append(
                    ErasureOutcome(entry, "anonymised", _anonymise(queryset, entry.erasure))
                )
    return outcomes


# EXISTS subqueries per SELECT: well under PostgreSQL's 1,664 result columns.
_EXISTS_PER_QUERY = 400


def entries_holding(subjects: Mapping[Hashable, Subject]) -> dict[Hashable, list[Entry]]:
    """Which entries hold any row of each subject (people by key), in the data map's order.

    One SELECT of EXISTS subqueries, one per person and entry (a further SELECT per 400), so
    the cost stays a query however large the data map grows, not a query per entry.
    """
    found: dict[Hashable, list[Entry]] = {key: [] for key in subjects}
    checks: dict[str, list[tuple[Hashable, Entry, models.QuerySet]]] = {}
    for key, subject in subjects.items():
        for entry in registry.entries():
            rows = entry.rows_of(subject).order_by().values("pk")
            checks.setdefault(rows.db, []).append((key, entry, rows))
    for alias, pending in checks.items():
        for start in range(0, len(pending), _EXISTS_PER_QUERY):
            columns, params, asked = [], [], []
            for key, entry, rows in pending[start : start + _EXISTS_PER_QUERY]:
                try:
                    sql, row_params = rows.query.get_compiler(alias).as_sql()
                except EmptyResultSet:
                    continue  # a subject with nothing to look for in this entry
                columns.append(f"EXISTS ({sql})")
                params.extend(row_params)
                asked.append((key, entry))
            if not asked:
                continue
            # Each subquery is the ORM's own SQL for the entry's rows, with its parameters.
            with connections[alias].cursor() as cursor:
                cursor.execute(f"SELECT {', '.join(columns)}", params)
                answers = cursor.fetchone()
            for (key, entry), held in zip(asked, answers, strict=True):
                if held:
                    found[key].append(entry)
    return found
