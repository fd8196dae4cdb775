"""A data-map entry's rows as people read them: headers in words, values in words, no ids.

The "what we hold" page, the access package's index and CSV headers all take their words
from here, so that a column is called the same thing wherever a person meets it. Values go
through ``common.present``; a field's codes take the entry's ``value_labels`` first, then the
model field's choices; an internal id (a primary key, a foreign key's number) is dropped.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db import models
from django.db.models import F

from common import present
from datamap.entries import Entry, Subject
from datamap.registry import registry


def model_field(model: type[models.Model], path: str) -> models.Field:
    """The model field an export path ("request__reference", "breach_id") ends at."""
    *hops, last = path.split("__")
    for hop in hops:
        model = model._meta.get_field(hop).related_model
    return model._meta.get_field(last)


def is_internal_id(entry: Entry, path: str) -> bool:
    """A number that identifies a row to the database and means nothing to a person."""
    if path.split("__")[-1] in ("id", "pk"):
        return True
    field = model_field(entry.model_class, path)
    return bool(field.primary_key or (field.is_relation and field.many_to_one))


def field_label(entry: Entry, path: str) -> str:
    """A column's heading: the entry's label, or the field's name made readable."""
    return entry.label(path)


def field_value_labels(entry: Entry, path: str) -> Mapping | None:
    if path in entry.value_labels:
        return entry.value_labels[path]
    choices = getattr(model_field(entry.model_class, path), "flatchoices", None)
    return {code: str(label) for code, label in choices} if choices else None


def entry_title(entry: Entry) -> str:
    return entry.title or entry.description


def fields_in_words(entry: Entry) -> list[str]:
    """The columns a person sees, by their labels."""
    return [column.label for column in columns(entry)]


def erasure_words(entry: Entry) -> str:
    """What erasure does to the entry, with fields by their labels."""
    return entry.erasure_in_words


def csv_headers(entry: Entry) -> list[str]:
    """Every export field's heading, ids included: a CSV keeps everything the package held."""
    return [field_label(entry, path) for path in entry.export_fields]


@dataclass(frozen=True)
class Column:
    path: str
    label: str
    value_labels: Mapping | None

    def show(self, value) -> str:
        return present.value(value, self.value_labels)


def columns(entry: Entry) -> list[Column]:
    """The columns a person sees: every export field but internal ids, in the entry's order."""
    return [
        Column(path, field_label(entry, path), field_value_labels(entry, path))
        for path in entry.export_fields
        if not is_internal_id(entry, path)
    ]


@dataclass(frozen=True)
class Table:
    """One entry, presented: its title, headings, the rows shown, and how many there are."""

    entry: Entry
    title: str
    headers: list[str]
    rows: list[list[str]]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


def present_rows(entry: Entry, rows: Iterable[Mapping]) -> list[list[str]]:
    """Rows as ``values()`` reads them (export field → stored value), as words."""
    shown = columns(entry)
    return [[column.show(row.get(column.path)) for column in shown] for row in rows]


def entry_table(entry: Entry, subject: Subject, *, limit: int | None = 20) -> Table:
    """The subject's newest ``limit`` rows of the entry (all with None) and their total: one
    query, two when there are more rows than are shown."""
    shown = columns(entry)
    paths = [column.path for column in shown]
    newest = [F(entry.retention_field).desc(nulls_last=True)] if entry.retention_field else []
    queryset = entry.rows_of(subject).order_by(*newest, "-pk")
    rows: Sequence = list(queryset.values_list(*paths)[:limit]) if paths else []
    total = len(rows) if limit is None or len(rows) < limit else queryset.count()
    return Table(
        entry=entry,
        title=entry_title(entry),
        headers=[column.label for column in shown],
        rows=[[column.show(v) for column, v in zip(shown, row, strict=True)] for row in rows],
        total=total,
    )


def subject_tables(subject: Subject, *, limit: int = 20) -> list[Table]:
    """What the data map holds on the subject, entry by entry, as people read it."""
    return [entry_table(entry, subject, limit=limit) for entry in registry.entries()]
