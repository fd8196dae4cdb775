"""A listing's queryset compiled to SQL once per process and shape, then run with each
request's own values.

An integration pages the users API on every call: building that page's queryset (each
``filter``, ``annotate`` and ``values`` clones the query) and compiling it, and its count,
cost about 2 ms of CPU per request, several times what PostgreSQL then spends answering
(issue 19). The SQL of one shape — which filters are present, of which type — is the same on
every call; only the parameters change. So Django builds and compiles it here once per shape,
with stand-in values whose places among the parameters are noted, and each request puts its
own values in those places: the same SQL and parameters Django would have sent.

A page and the count of every matching row are read in one statement (``Listing.page``): the
count is a scalar subquery beside the page's columns, which PostgreSQL runs once. DRF pages a
listing through ``ListingPaginator``.

A value that Django turns into a LIKE pattern (``icontains`` …) is escaped as Django escapes
it (``prep_for_like_query``). A stand-in that Django wrote into the SQL text instead of a
parameter is refused when the shape is compiled, never guessed at.
"""

import itertools
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.core.paginator import PageNotAnInteger, Paginator
from django.db import connections, router
from django.db.models import F, Func, QuerySet, Subquery

_stand_in_numbers = itertools.count(1)
# Far outside any id a sequence hands out, and unlike any real text.
_STAND_IN_INT_BASE = -(2**62)


def _stand_in(value):
    number = next(_stand_in_numbers)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"A compiled listing takes int or str values, not {type(value).__name__}")
    if isinstance(value, int):
        return _STAND_IN_INT_BASE - number
    return f"standin{number}x9q"  # no LIKE wildcard or escape in it


# The column the count of every matching row comes in, after the page's own.
_TOTAL = "listing_total"


@dataclass(frozen=True)
class _Shape:
    model: type
    # The page's rows, each with the count of every matching row as its last column.
    rows_sql: str
    # The same count on its own, for a page past the last row.
    count_sql: str
    # Per parameter: (None, constant) Django's own; (name, None) that value; (name, pattern) a
    # LIKE pattern around that value's stand-in.
    rows_params: tuple
    count_params: tuple
    stand_ins: dict
    # Django's from-database converters of the row's columns (compiler.get_converters).
    converters: dict


def _places(params, stand_ins: dict) -> tuple:
    places = []
    for param in params:
        place = (None, param)
        for name, stand_in in stand_ins.items():
            if param == stand_in:
                place = (name, None)
            elif isinstance(param, str) and isinstance(stand_in, str) and stand_in in param:
                place = (name, param)
        places.append(place)
    return tuple(places)


class CompiledListing:
    """``build(**values)`` — a queryset of rows (``values_list``), ordered — compiled once per
    shape. ``listing(**values)`` gives a page of row tuples with the count (``page``) or the
    count alone. A value of None or "" is absent: ``build`` must then leave its filter out.

    Every other parameter is kept as compiled: ``build`` must take everything that varies from
    its arguments, and the time from the database (``Now()``), never ``timezone.now()``.
    """

    def __init__(self, build: Callable[..., QuerySet]):
        self._build = build
        self._shapes: dict[tuple, _Shape | None] = {}

    def listing(self, **values) -> "Listing":
        present = {name: value for name, value in values.items() if value not in (None, "")}
        key = tuple(sorted((name, type(value).__name__) for name, value in values.items()))
        key += tuple(sorted(present))
        if key not in self._shapes:
            # Two threads may compile the same shape at once: the same result either way.
            self._shapes[key] = self._compile(values, present)
        return Listing(self._shapes[key], present)

    def _compile(self, values: dict, present: dict) -> _Shape | None:
        stand_ins = {name: _stand_in(value) for name, value in present.items()}
        queryset = self._build(**{name: stand_ins.get(name) for name in values})
        alias = router.db_for_read(queryset.model) or "default"
        ids = queryset.order_by().values("pk")
        total = ids.annotate(rows=Func(F("pk"), function="COUNT")).values("rows")
        compiler = queryset.annotate(**{_TOTAL: Subquery(total)}).query.get_compiler(alias)
        try:
            rows_sql, rows_params = compiler.as_sql()
            count_sql, count_params = total.query.get_compiler(alias).as_sql()
        except EmptyResultSet:
            return None  # a queryset that is .none() for this shape: no rows, no query
        if compiler.select[-1][2] != _TOTAL:
            raise ValueError("The count is not the last column: not a listing to compile")
        for stand_in in stand_ins.values():
            if str(stand_in) in rows_sql or str(stand_in) in count_sql:
                raise ValueError("Django wrote a value into the SQL text: not a listing to compile")
        return _Shape(
            model=queryset.model,
            rows_sql=f"{rows_sql} LIMIT %s OFFSET %s",
            count_sql=count_sql,
            rows_params=_places(rows_params, stand_ins),
            count_params=_places(count_params, stand_ins),
            stand_ins=stand_ins,
            converters=compiler.get_converters([column for column, _, _ in compiler.select[:-1]]),
        )


class Listing:
    """One request's values in a compiled shape (``Listing.EMPTY``: no rows, no query)."""

    EMPTY: "Listing"

    def __init__(self, shape: _Shape | None, values: dict):
        self._shape = shape
        self._values = values

    def _params(self, places: tuple, connection) -> list:
        params = []
        for name, given in places:
            if name is None:
                params.append(given)
            elif given is None:
                params.append(self._values[name])
            else:
                escaped = connection.ops.prep_for_like_query(self._values[name])
                params.append(given.replace(self._shape.stand_ins[name], escaped))
        return params

    def _connection(self):
        return connections[router.db_for_read(self._shape.model) or "default"]

    def count(self) -> int:
        if self._shape is None:
            return 0
        connection = self._connection()
        with connection.cursor() as cursor:
            params = self._params(self._shape.count_params, connection)
            cursor.execute(self._shape.count_sql, params)
            return cursor.fetchone()[0]

    def page(self, start: int, stop: int) -> tuple[int, list[tuple]]:
        """The count of every matching row, and rows ``start`` to ``stop`` (one statement;
        a page past the last row asks for the count on its own)."""
        if self._shape is None:
            return 0, []
        connection = self._connection()
        params = [*self._params(self._shape.rows_params, connection), stop - start, start]
        with connection.cursor() as cursor:
            cursor.execute(self._shape.rows_sql, params)
            rows = cursor.fetchall()
        if not rows:
            return self.count(), []
        total = rows[0][-1]
        converters = self._shape.converters.items()
        converted = []
        for row in rows:
            row = list(row[:-1])
            for index, (functions, expression) in converters:
                for function in functions:
                    row[index] = function(row[index], expression, connection)
            converted.append(tuple(row))
        return total, converted


class ListingPaginator(Paginator):
    """Django's paginator (without orphans) over a ``Listing``: a page and the count in one
    statement."""

    def page(self, number):
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            raise PageNotAnInteger("A page number is a whole number from 1.")
        bottom = (number - 1) * self.per_page
        # Paginator.count is a cached property: the count read with the page is the one kept.
        self.count, rows = self.object_list.page(bottom, bottom + self.per_page)
        return self._get_page(rows, self.validate_number(number), self)


Listing.EMPTY = Listing(None, {})
