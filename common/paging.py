"""Paging of the back-office lists: page numbers for the short ones, keyset pages for the long.

A keyset page is the rows after (or before) a boundary row in the list's order, fetched with
the boundary in the WHERE clause instead of an OFFSET: page 2,000 of a hundred thousand rows
costs what page 1 costs, and a row added meanwhile neither repeats nor hides one on the next
page. The boundary travels in the link as a cursor, the boundary row's sort values.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.http import HttpRequest

KEYSET_PARAMETERS = ("before", "after")
MAX_CURSOR_LENGTH = 200
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
MICROSECOND = datetime.timedelta(microseconds=1)


def page_query(request: HttpRequest, *, drop: tuple[str, ...] = ("page",)) -> str:
    """The list's query parameters without ``drop``, ready for "?{{ page_query }}page=N"."""
    params = request.GET.copy()
    for name in drop:
        params.pop(name, None)
    return f"{params.urlencode()}&" if params else ""


@dataclass(frozen=True)
class KeysetPage:
    """A page of rows, and the cursors of the pages either side (None at an end)."""

    rows: list
    previous: str | None
    next: str | None

    @property
    def has_other_pages(self) -> bool:
        return bool(self.previous or self.next)


def keyset_page(
    rows: QuerySet, request: HttpRequest, *, key: dict[str, models.Field], size: int
) -> KeysetPage:
    """The page of ``rows`` that ``?after=`` or ``?before=`` names (the first without either).

    ``key`` is the list's order: column or annotation names, all ascending, that together are
    unique and never NULL (coalesce a nullable one), each with the field that reads its value
    back from a cursor. A cursor that does not read is ignored: the first page. One query;
    the rows' page needs an index on the key to be as cheap deep down as at the top.
    """
    columns = Tuple(*(F(name) for name in key))
    before = _boundary(request.GET.get("before", ""), key)
    after = None if before else _boundary(request.GET.get("after", ""), key)
    # One row more than the page tells whether a further page exists, without a COUNT.
    if before is not None:
        backwards = [F(name).desc() for name in key]
        found = list(rows.filter(TupleLessThan(columns, before)).order_by(*backwards)[: size + 1])
        page = found[:size][::-1]
        has_previous, has_next = len(found) > size, True
    else:
        if after is not None:
            rows = rows.filter(TupleGreaterThan(columns, after))
        found = list(rows.order_by(*key)[: size + 1])
        page = found[:size]
        has_previous, has_next = after is not None, len(found) > size
    return KeysetPage(
        rows=page,
        previous=keyset_cursor(page[0], key) if page and has_previous else None,
        next=keyset_cursor(page[-1], key) if page and has_next else None,
    )


def keyset_query(request: HttpRequest) -> str:
    """The list's query parameters without its cursor: "?{{ keyset_query }}after=…"."""
    return page_query(request, drop=KEYSET_PARAMETERS)


def keyset_cursor(row, key: dict[str, models.Field]) -> str:
    """The cursor naming ``row`` as a page boundary."""
    return "_".join(_encode(getattr(row, name)) for name in key)


def _encode(value) -> str:
    if isinstance(value, datetime.datetime):  # exact to the microsecond, and no "+" to escape
        return str((value - EPOCH) // MICROSECOND)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _boundary(cursor: str, key: dict[str, models.Field]) -> tuple | None:
    parts = cursor.split("_") if 0 < len(cursor) <= MAX_CURSOR_LENGTH else []
    if len(parts) != len(key):
        return None
    try:
        return tuple(_decode(part, field) for part, field in zip(parts, key.values(), strict=True))
    except (ValueError, OverflowError, ValidationError):
        return None


def _decode(text: str, field: models.Field):
    if isinstance(field, models.DateTimeField):
        return EPOCH + int(text) * MICROSECOND
    value = field.to_python(text)
    if value is None:
        raise ValueError("an empty part")
    return value
