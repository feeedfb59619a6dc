"""Recording the SQL a piece of code runs: statements, parameters, transactions, returned ids.

``Capture`` installs a Django ``execute_wrapper`` on the default connection.
For every statement it keeps the SQL (with ``%s`` placeholders, as Django
hands it to the driver), the parameters, the transaction it ran in (a number
that changes at every commit or rollback; ``None`` in autocommit, e.g. the
task rows written by ``on_commit`` callbacks), and — for ``INSERT …
RETURNING`` — the rows the database returned, read through the same cursor
Django fetches them from.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

_TABLE = {
    "INSERT": re.compile(r'^INSERT INTO "(\w+)"'),
    "UPDATE": re.compile(r'^UPDATE "(\w+)"'),
    "DELETE": re.compile(r'^DELETE FROM "(\w+)"'),
    "SELECT": re.compile(r'\bFROM "(\w+)"'),
}


def statement_kind(sql: str) -> str:
    """SELECT, INSERT, UPDATE, DELETE, or the first word of anything else (SAVEPOINT, BEGIN…)."""
    return sql.lstrip().split(None, 1)[0].upper()


def statement_table(sql: str) -> str | None:
    """The table a statement writes (or, for a SELECT, the first table it reads)."""
    pattern = _TABLE.get(statement_kind(sql))
    found = pattern.search(sql) if pattern else None
    return found.group(1) if found else None


@dataclass
class Statement:
    """One statement as executed."""

    sql: str
    params: Any
    many: bool
    transaction: int | None
    returned: list[tuple[Any, ...]] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return statement_kind(self.sql)

    @property
    def table(self) -> str | None:
        return statement_table(self.sql)


@dataclass
class Capture:
    """What ran inside a ``with capture() as recorded:`` block."""

    statements: list[Statement] = field(default_factory=list)
    transactions: int = 0

    def kinds(self) -> dict[str, int]:
        """Statements by kind; transaction control (BEGIN, SAVEPOINT, RELEASE…) counted as ``other``."""
        counts: Counter[str] = Counter()
        for s in self.statements:
            counts[s.kind if s.kind in ("SELECT", "INSERT", "UPDATE", "DELETE") else "other"] += 1
        return dict(sorted(counts.items()))

    def writes(self) -> dict[str, int]:
        """``"KIND table"`` → number of INSERT/UPDATE/DELETE statements."""
        counts = Counter(f"{s.kind} {s.table}" for s in self.statements if s.kind in ("INSERT", "UPDATE", "DELETE"))
        return dict(sorted(counts.items()))


@contextmanager
def capture() -> Iterator[Capture]:
    """Record every statement run on the default connection inside the block."""
    recorded = Capture()
    number = [0]
    real_commit, real_rollback = connection.commit, connection.rollback

    def ended(real: Callable[[], None]) -> Callable[[], None]:
        def end() -> None:
            real()
            number[0] += 1
            recorded.transactions += 1

        return end

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        cursor = context["cursor"]
        # a cursor Django reuses must not feed an earlier statement's rows
        cursor.__dict__.pop("fetchone", None)
        cursor.__dict__.pop("fetchall", None)
        statement = Statement(sql, params, many, number[0] if connection.in_atomic_block else None)
        recorded.statements.append(statement)
        result = execute(sql, params, many, context)
        if " RETURNING " in sql:
            raw = cursor.cursor

            def fetchone() -> Any:
                row = raw.fetchone()
                if row is not None:
                    statement.returned.append(tuple(row))
                return row

            def fetchall() -> Any:
                rows = raw.fetchall()
                statement.returned.extend(tuple(r) for r in rows)
                return rows

            cursor.fetchone, cursor.fetchall = fetchone, fetchall
        return result

    connection.commit, connection.rollback = ended(real_commit), ended(real_rollback)  # type: ignore[method-assign]
    try:
        with connection.execute_wrapper(wrapper):
            yield recorded
    finally:
        del connection.commit, connection.rollback  # back to the class's methods


def table_rows() -> dict[str, int]:
    """Rows in every table of the project (for before/after comparisons)."""
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in sorted(tables):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def rows_added(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """Tables whose row count changed, with the difference."""
    return {t: after[t] - before.get(t, 0) for t in sorted(after) if after[t] != before.get(t, 0)}
