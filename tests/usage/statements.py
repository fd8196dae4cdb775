"""Every SQL statement a block of code sends to PostgreSQL, as sent, and whether each one that
touches a table sharded by organisation names the organisation (docs/scaling.md).

The statements are taken at the driver (psycopg's cursors: execute, COPY, server-side cursors,
pipeline mode alike), so nothing the code sends past Django's own query log is missed, and
read with PostgreSQL's own parser (pglast).
"""

import contextlib
import sys
from dataclasses import dataclass

import psycopg
import pytest
from pglast import ast, parse_sql
from pglast.enums import A_Expr_Kind, BoolExprType
from pglast.visitors import Visitor
from psycopg import sql

from usage.models import (
    DailyFeatureUsage,
    DailyUsage,
    DailyUserUsage,
    IngestedEventId,
    TaskSession,
    UsageDayTouched,
    UsageEvent,
)

SHARDED_MODELS = (
    UsageEvent,
    IngestedEventId,
    DailyUsage,
    DailyUserUsage,
    DailyFeatureUsage,
    TaskSession,
    UsageDayTouched,
)
SHARDED_TABLES = frozenset(model._meta.db_table for model in SHARDED_MODELS)
ORGANISATION = "organisation_id"
# Where a statement comes from: the innermost frame of the project's own code.
PROJECT_PACKAGES = frozenset(
    {"accounts", "audit", "backoffice", "common", "config", "datamap", "dsar", "records"}
    | {"retention", "usage"}
)


@dataclass(frozen=True)
class Statement:
    sql: str
    issued_by: str  # "usage.services.rollups._rollup_organisation_day"


def _issuer() -> str:
    frame = sys._getframe(2)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.split(".")[0] in PROJECT_PACKAGES:
            return f"{module}.{frame.f_code.co_qualname}"
        frame = frame.f_back
    return "?"


def _rendered(cursor, query, params) -> str:
    if isinstance(query, bytes):
        query = query.decode()
    if isinstance(query, sql.Composable):
        query = query.as_string(cursor.connection)
    if params:
        query = psycopg.ClientCursor(cursor.connection).mogrify(query, params)
    return query


@contextlib.contextmanager
def statements_sent():
    """Yields the list of Statements sent while the block runs (they still run)."""
    sent: list[Statement] = []

    def spy(original, many=False):
        def wrapper(self, query, params=None, *args, **kwargs):
            shown = params
            if many:  # a sequence of parameter sets: the first shows the statement's shape
                params = list(params or ())
                shown = params[0] if params else None
            sent.append(Statement(_rendered(self, query, shown), _issuer()))
            return original(self, query, params, *args, **kwargs)

        return wrapper

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(psycopg.Cursor, "execute", spy(psycopg.Cursor.execute))
        patch.setattr(psycopg.Cursor, "executemany", spy(psycopg.Cursor.executemany, many=True))
        patch.setattr(psycopg.Cursor, "copy", spy(psycopg.Cursor.copy))
        patch.setattr(psycopg.ServerCursor, "execute", spy(psycopg.ServerCursor.execute))
        yield sent


# --- Reading a statement --------------------------------------------------------------------


def _sharded(relation: ast.RangeVar | None) -> bool:
    return relation is not None and (
        relation.relname in SHARDED_TABLES or relation.relname.startswith("usage_usageevent_")
    )


def _relations(items) -> list[ast.RangeVar]:
    """The tables a FROM list names at its own level (through joins, not into subqueries)."""
    found = []
    for item in items or ():
        if isinstance(item, ast.RangeVar):
            found.append(item)
        elif isinstance(item, ast.JoinExpr):
            found += _relations([item.larg, item.rarg])
    return found


def _constant(node) -> bool:
    if isinstance(node, ast.TypeCast):
        node = node.arg
    return isinstance(node, ast.A_Const)


def _is_organisation(node) -> bool:
    return isinstance(node, ast.ColumnRef) and getattr(node.fields[-1], "sval", "") == ORGANISATION


def _names_organisation(condition) -> bool:
    """Whether the condition, read as an AND of terms, has a term ``organisation_id = <value>``
    or ``organisation_id IN (<values>)``: values, not a subquery, so Citus can route it."""
    if isinstance(condition, ast.BoolExpr) and condition.boolop == BoolExprType.AND_EXPR:
        return any(_names_organisation(term) for term in condition.args)
    if not isinstance(condition, ast.A_Expr) or condition.name[-1].sval != "=":
        return False
    if condition.kind == A_Expr_Kind.AEXPR_OP:
        sides = (condition.lexpr, condition.rexpr)
        return any(_is_organisation(a) and _constant(b) for a, b in (sides, reversed(sides)))
    if condition.kind == A_Expr_Kind.AEXPR_IN:
        return _is_organisation(condition.lexpr) and all(map(_constant, condition.rexpr))
    return False


class _Reader(Visitor):
    def __init__(self):
        super().__init__()
        self.problems: list[str] = []

    def _where(self, kind, relations, where):
        names = sorted({r.relname for r in relations if _sharded(r)})
        if names and not _names_organisation(where):
            self.problems.append(f"{kind} on {', '.join(names)} without {ORGANISATION} = value")

    def visit_SelectStmt(self, ancestors, node):
        self._where("SELECT", _relations(node.fromClause), node.whereClause)

    def visit_UpdateStmt(self, ancestors, node):
        relations = [node.relation, *_relations(node.fromClause)]
        self._where("UPDATE", relations, node.whereClause)

    def visit_DeleteStmt(self, ancestors, node):
        relations = [node.relation, *_relations(node.usingClause)]
        self._where("DELETE", relations, node.whereClause)

    def visit_InsertStmt(self, ancestors, node):
        columns = {target.name for target in node.cols or ()}
        if _sharded(node.relation) and ORGANISATION not in columns:
            self.problems.append(f"INSERT into {node.relation.relname} without {ORGANISATION}")

    def visit_CopyStmt(self, ancestors, node):
        columns = {name.sval for name in node.attlist or ()}
        if _sharded(node.relation) and ORGANISATION not in columns:
            self.problems.append(f"COPY of {node.relation.relname} without {ORGANISATION}")


def touches_sharded(statement: Statement) -> bool:
    lowered = statement.sql.lower()
    return any(table in lowered for table in SHARDED_TABLES)


def organisation_unnamed(statement: Statement) -> list[str]:
    """What in the statement reads or writes a sharded table without naming the organisation."""
    reader = _Reader()
    for raw in parse_sql(statement.sql):
        reader(raw.stmt)
    return reader.problems
