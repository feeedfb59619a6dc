"""The floor: the writes of one lifecycle, replayed as plain SQL.

Built from a recorded service lifecycle (``capture.capture``): every INSERT
and UPDATE it ran, with the same SQL text and the same parameters, grouped by
transaction exactly as the services ran them (one ``transaction.atomic`` per
service call; the rows ``on_commit`` callbacks add are written after the
commit, in autocommit, as they were). Nothing else: no SELECT, no locking,
no ORM — ``cursor.execute`` on the connection's cursor.

What changes from one replay to the next, so that each replay writes new rows
that satisfy every constraint:

* ids the database generated (``RETURNING``) are read back and every later
  reference to them (foreign-key columns, the row's own id in an UPDATE,
  ``{"model", "pk"}`` references and known ids inside JSON documents, task
  arguments) points to the new rows;
* explicit UUID keys (task rows) are new;
* the tracking code and the lifecycle's token (in licence numbers,
  idempotency keys, payment references, file paths, receipts, messages) are
  replaced by fresh ones.

An UPDATE may select its rows by primary key or by equalities on other
columns (remapped like any value). Any statement outside these forms (a
DELETE, an ``executemany``, another condition, an expression in a SET clause)
stops the build with an error instead of being replayed approximately.
"""

from __future__ import annotations

import json
import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction

from bench.lifecycle.capture import Statement
from lianban.core.tracking import format_code

#: Keys inside JSON documents whose integer values are ids of another table's rows.
JSON_ID_KEYS = {"licence": "licences_licence"}
#: Task paths whose positional arguments are row ids (the task rows enqueued on commit).
TASK_ARGUMENTS: dict[str, tuple[str, ...]] = {}
TASK_TABLE = "django_tasks_db_dbtaskresult"
#: Unique random text columns: each replay writes a fresh value (the outbox's public event ids, the
#: one-time rating tokens of the finishing message).
FRESH_TEXT: dict[tuple[str, str], Callable[[], str]] = {
    ("outbox_outboxevent", "public_id"): lambda: f"evt_{uuid.uuid4().hex}",
    ("evaluation_ratingtoken", "token"): lambda: secrets.token_urlsafe(24),
}

_INSERT = re.compile(
    r'^INSERT INTO "(?P<table>\w+)" \((?P<columns>[^)]*)\) (?P<values>VALUES .*?|SELECT \* FROM UNNEST\(.*?\))'
    r"(?: RETURNING (?P<returning>.*))?$",
    re.DOTALL,
)
_VALUES_ROW = re.compile(r"\((?:%s(?:, %s)*)\)")
_UPDATE = re.compile(r'^UPDATE "(?P<table>\w+)" SET (?P<set>.*) WHERE (?P<where>.*)$', re.DOTALL)
_ASSIGNMENT = re.compile(r'"(\w+)" = (%s|NULL)')
_CONDITION = re.compile(r'^"(?P<table>\w+)"\."(?P<column>\w+)" (?P<test>= %s|IN \(%s(?:, %s)*\))$')


class FloorUnsupported(Exception):
    """A recorded statement the floor cannot replay faithfully."""


@dataclass
class Context:
    """What one replay substitutes: new tracking code, new token, new ids by table."""

    code: str
    token: str
    ids: dict[str, dict[Any, Any]] = field(default_factory=dict)


Resolver = Callable[[Context], Any]


@dataclass
class Template:
    """One statement to replay: constant parameters plus the ones computed per replay."""

    sql: str
    table: str
    kind: str
    params: list[Any]
    dynamic: list[tuple[int, Resolver]]
    returning: list[Any] | None = None  # the reference's ids, in returned order

    def execute(self, cursor: Any, ctx: Context) -> None:
        params = self.params.copy()
        for index, resolve in self.dynamic:
            params[index] = resolve(ctx)
        cursor.execute(self.sql, params)
        if self.returning is not None:
            new = cursor.fetchall()
            if len(new) != len(self.returning):
                raise FloorUnsupported(f"{self.table}: {len(new)} ids returned, {len(self.returning)} expected")
            ids = ctx.ids.setdefault(self.table, {})
            for old, row in zip(self.returning, new, strict=True):
                ids[old] = row[0]


@dataclass
class Unit:
    """Statements of one transaction (``atomic``) or written in autocommit."""

    atomic: bool
    templates: list[Template]


class Schema:
    """What the floor needs to know of the tables: primary keys, foreign keys, JSON columns."""

    def __init__(self) -> None:
        self.pk: dict[str, str] = {}
        self.fk: dict[tuple[str, str], str] = {}
        self.json: set[tuple[str, str]] = set()
        self.by_label: dict[str, str] = {}
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            self.by_label[model._meta.label_lower] = table
            self.pk[table] = model._meta.pk.column
            for f in model._meta.concrete_fields:
                if f.is_relation and f.related_model is not None:
                    self.fk[(table, f.column)] = f.related_model._meta.db_table  # type: ignore[union-attr]
                if isinstance(f, models.JSONField):
                    self.json.add((table, f.column))


class Floor:
    """The writes of a recorded lifecycle, ready to be replayed with new ids and unique values."""

    def __init__(self, statements: list[Statement], *, code: str, token: str) -> None:
        self.code = code
        self.token = token
        self.schema = Schema()
        self.created: dict[str, set[Any]] = {}
        self.json_wrap: Callable[[str], Any] = _json_wrapper()
        writes = [s for s in statements if s.kind in ("INSERT", "UPDATE", "DELETE")]
        for s in writes:
            if s.many:
                raise FloorUnsupported(f"executemany is not replayed: {s.sql[:80]}")
            if s.kind == "DELETE":
                raise FloorUnsupported(f"DELETE is not replayed: {s.sql[:80]}")
            if s.kind == "INSERT":
                self._collect_created(s)
        self.units: list[Unit] = []
        current: int | None = None
        for s in writes:
            if not self.units or s.transaction != current:
                self.units.append(Unit(atomic=s.transaction is not None, templates=[]))
                current = s.transaction
            self.units[-1].templates.append(self._template(s))

    # ------------------------------------------------------------ building

    def _collect_created(self, s: Statement) -> None:
        table, columns, rows = self._insert_rows(s)
        created = self.created.setdefault(table, set())
        pk = self.schema.pk[table]
        if pk in columns:
            created.update(row[columns.index(pk)] for row in rows)
        if s.returned:
            created.update(row[0] for row in s.returned)

    def _insert_rows(self, s: Statement) -> tuple[str, list[str], list[list[Any]]]:
        match = _INSERT.match(s.sql)
        if match is None:
            raise FloorUnsupported(f"unexpected INSERT form: {s.sql[:120]}")
        table = match["table"]
        columns = re.findall(r'"(\w+)"', match["columns"])
        params = list(s.params or [])
        if match["values"].startswith("SELECT"):  # PostgreSQL bulk insert: one array per column
            if len(params) != len(columns):
                raise FloorUnsupported(f"UNNEST insert into {table}: {len(params)} arrays for {len(columns)} columns")
            return table, columns, [list(row) for row in zip(*params, strict=True)]
        rows = _VALUES_ROW.findall(match["values"][len("VALUES ") :])
        if "".join(rows) != match["values"][len("VALUES ") :].replace(", (", "(") or len(params) != len(rows) * len(
            columns
        ):
            raise FloorUnsupported(f"unexpected VALUES in {table}: {s.sql[:120]}")
        n = len(columns)
        return table, columns, [params[i : i + n] for i in range(0, len(params), n)]

    def _template(self, s: Statement) -> Template:
        if s.kind == "INSERT":
            return self._insert_template(s)
        return self._update_template(s)

    def _insert_template(self, s: Statement) -> Template:
        match = _INSERT.match(s.sql)
        assert match is not None
        table, columns, rows = self._insert_rows(s)
        returning = None
        if match["returning"]:
            first = match["returning"].split(",")[0].strip()
            if first != f'"{table}"."{self.schema.pk[table]}"':
                raise FloorUnsupported(f"{table}: RETURNING does not start with the primary key: {first}")
            returning = [row[0] for row in s.returned]
        params = list(s.params or [])
        dynamic: list[tuple[int, Resolver]] = []
        unnest = match["values"].startswith("SELECT")
        if unnest:
            for index, column in enumerate(columns):
                values = params[index]
                resolvers = [
                    self._resolver(table, column, v, dict(zip(columns, rows[r], strict=True)))
                    for r, v in enumerate(values)
                ]
                constants = [self._constant(table, column, v) for v in values]
                if any(resolvers):
                    dynamic.append((index, _list_resolver(constants, resolvers)))
                else:
                    params[index] = constants
        else:
            n = len(columns)
            for index, value in enumerate(params):
                row = dict(zip(columns, rows[index // n], strict=True))
                column = columns[index % n]
                resolver = self._resolver(table, column, value, row)
                if resolver is not None:
                    dynamic.append((index, resolver))
                else:
                    params[index] = self._constant(table, column, value)
        return Template(s.sql, table, "INSERT", params, dynamic, returning)

    def _update_template(self, s: Statement) -> Template:
        match = _UPDATE.match(s.sql)
        if match is None:
            raise FloorUnsupported(f"unexpected UPDATE form: {s.sql[:120]}")
        table = match["table"]
        assignments = _ASSIGNMENT.findall(match["set"])
        if ", ".join(f'"{c}" = {v}' for c, v in assignments) != match["set"]:
            raise FloorUnsupported(f"UPDATE {table} with an expression: {match['set'][:120]}")
        columns = [c for c, v in assignments if v == "%s"]
        set_count = len(columns)
        columns += _where_columns(table, match["where"])
        params = list(s.params or [])
        if len(params) != len(columns):
            raise FloorUnsupported(f"UPDATE {table}: {len(params)} parameters for {len(columns)} placeholders")
        dynamic: list[tuple[int, Resolver]] = []
        for index, (column, value) in enumerate(zip(columns, params, strict=True)):
            if index >= set_count and column == self.schema.pk[table]:  # the row's own id
                resolver = self._id_resolver(table, value)
            else:
                resolver = self._resolver(table, column, value, {})
            if resolver is not None:
                dynamic.append((index, resolver))
            else:
                params[index] = self._constant(table, column, value)
        return Template(s.sql, table, "UPDATE", params, dynamic)

    # ------------------------------------------------------------ values

    def _id_resolver(self, table: str, value: Any) -> Resolver | None:
        if value in self.created.get(table, ()):
            return lambda ctx: ctx.ids[table][value]
        return None

    def _resolver(self, table: str, column: str, value: Any, row: dict[str, Any]) -> Resolver | None:
        """How to compute ``value`` for a replay, or None when it stays as recorded."""
        if column == self.schema.pk[table]:
            if isinstance(value, uuid.UUID | str) and value in self.created.get(table, ()):
                return _new_uuid(table, value)
            raise FloorUnsupported(f"{table}: explicit primary key {value!r} that is not a UUID")
        fresh = FRESH_TEXT.get((table, column))
        if fresh is not None:
            return lambda ctx: fresh()
        target = self.schema.fk.get((table, column))
        if target is not None:
            return self._id_resolver(target, value)
        if (table, column) in self.schema.json and value is not None:
            return self._json_resolver(table, column, value, row)
        if isinstance(value, str) and (_mentions_code(value, self.code) or self.token in value):
            return _text_resolver(value, self.code, self.token, [], lambda text: text)
        return None

    def _constant(self, table: str, column: str, value: Any) -> Any:
        if (table, column) in self.schema.json and value is not None:
            return self.json_wrap(_json_text(value))
        return value

    def _json_resolver(self, table: str, column: str, value: Any, row: dict[str, Any]) -> Resolver | None:
        data = json.loads(_json_text(value))
        refs: list[tuple[str, str, Any]] = []

        def ref(target: str, old: Any) -> Any:
            if isinstance(old, int) and old in self.created.get(target, ()):
                marker = f"@@ref{len(refs)}@@"
                refs.append((f'"{marker}"', target, old))
                return marker
            return old

        def walk(node: Any) -> Any:
            if isinstance(node, dict):
                out = {k: walk(v) for k, v in node.items()}
                if isinstance(node.get("model"), str) and "pk" in node and node["model"] in self.schema.by_label:
                    out["pk"] = ref(self.schema.by_label[node["model"]], node["pk"])
                for key, target in JSON_ID_KEYS.items():
                    if key in node:
                        out[key] = ref(target, node[key])
                return out
            if isinstance(node, list):
                return [walk(v) for v in node]
            return node

        data = walk(data)
        if table == TASK_TABLE and column == "args_kwargs":
            targets = TASK_ARGUMENTS.get(str(row.get("task_path")), ())
            data["args"] = [ref(t, a) for t, a in zip(targets, data["args"], strict=False)] + data["args"][
                len(targets) :
            ]
        text = json.dumps(data)
        if not refs and not _mentions_code(text, self.code) and self.token not in text:
            return None
        return _text_resolver(text, self.code, self.token, refs, self.json_wrap)

    # ------------------------------------------------------------ replay

    def run(self, *, code: str, token: str) -> Context:
        """Replay the writes once, with a new tracking code and token."""
        ctx = Context(code=code, token=token)
        for unit in self.units:
            if unit.atomic:
                with transaction.atomic(), connection.cursor() as cursor:
                    for template in unit.templates:
                        template.execute(cursor, ctx)
            else:
                with connection.cursor() as cursor:
                    for template in unit.templates:
                        template.execute(cursor, ctx)
        return ctx

    def statements(self) -> int:
        """Write statements per replay."""
        return sum(len(unit.templates) for unit in self.units)


def _where_columns(table: str, where: str) -> list[str]:
    """The column each parameter of a WHERE clause tests: equalities (or IN) on the table's columns, ANDed."""
    inner = where[1:-1] if where.startswith("(") and where.endswith(")") else where
    columns: list[str] = []
    for part in inner.split(" AND "):
        condition = _CONDITION.match(part)
        if condition is None or condition["table"] != table:
            raise FloorUnsupported(f"UPDATE {table} with a condition other than equalities: {where[:120]}")
        columns += [condition["column"]] * condition["test"].count("%s")
    return columns


def _json_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    dumps = getattr(value, "dumps", None) or json.dumps  # psycopg's Jsonb wrapper
    return str(dumps(value.obj))


def _json_wrapper() -> Callable[[str], Any]:
    """Pre-serialised JSON as the driver wants it: text on SQLite, a ``Jsonb`` that dumps as is on PostgreSQL."""
    if connection.vendor != "postgresql":
        return lambda text: text
    from psycopg.types.json import Jsonb

    return lambda text: Jsonb(text, dumps=_as_is)


def _as_is(text: str) -> str:
    return text


def _new_uuid(table: str, old: Any) -> Resolver:
    def resolve(ctx: Context) -> Any:
        new = uuid.uuid4()
        value = new if isinstance(old, uuid.UUID) else new.hex
        ctx.ids.setdefault(table, {})[old] = value
        return value

    return resolve


def _mentions_code(text: str, code: str) -> bool:
    """True when ``text`` holds the tracking code, raw or formatted for people."""
    return code in text or format_code(code) in text


def _text_resolver(
    text: str, code: str, token: str, refs: list[tuple[str, str, Any]], wrap: Callable[[str], Any]
) -> Resolver:
    has_code, has_token = _mentions_code(text, code), token in text

    def resolve(ctx: Context) -> Any:
        out = text
        if has_code:  # raw in columns, formatted (XXXX-XXXX-XXXX) in messages for people
            out = out.replace(code, ctx.code).replace(format_code(code), format_code(ctx.code))
        if has_token:
            out = out.replace(token, ctx.token)
        for marker, target, old in refs:
            out = out.replace(marker, str(ctx.ids[target][old]))
        return wrap(out)

    return resolve


def _list_resolver(constants: list[Any], resolvers: list[Resolver | None]) -> Resolver:
    def resolve(ctx: Context) -> list[Any]:
        return [r(ctx) if r is not None else c for c, r in zip(constants, resolvers, strict=True)]

    return resolve
