"""Hot statements compiled once: the SQL text of a query or a save is built by Django the first time and
reused, each call binding new values.

Building SQL is most of the ORM's cost on the engine's hot paths: compiling the read of the material a clerk
checks (a locked row with three subqueries) costs about five times running it. ``PreparedQuery`` compiles a
queryset once per database connection with a placeholder value per parameter, remembers where the
placeholders landed in the parameter list, and afterwards runs the same SQL with the values of the call,
turning rows into model instances exactly as the queryset would (converters, deferred fields, annotations,
``select_related``). ``save_fields`` does the same for ``instance.save(update_fields=...)`` on models
without their own ``save`` or save signals, ``insert_row`` for ``instance.save(force_insert=True)``.

What may vary between calls is the *values* of scalar lookups (``pk=``, ``case_id=``, ``code=``); a value
that changes the SQL itself (``None``, a list for ``__in``, an expression) is refused, so a prepared query
never runs SQL built for another shape. The SQL is kept on the connection object (one per thread), so
nothing is shared between threads.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.db import DatabaseError, connections, models, router
from django.db.models import signals  # noqa: TID251 (asks whether anyone listens, sends none)
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    QuerySet,
    ValuesListIterable,
    get_related_populators,
)

R = TypeVar("R")

#: Placeholder values: unlikely to appear in a query by chance, typed as the lookups expect.
_INT_BASE = -7_306_000_000_000_000_000
_CACHE_ATTRIBUTE = "_lianban_prepared"
_counter = itertools.count(1)


class NotPreparable(TypeError):
    """A queryset or value the prepared path cannot run exactly as Django would."""


def _cache(alias: str) -> dict[object, Any]:
    connection = connections[alias]
    cache: dict[object, Any] | None = connection.__dict__.get(_CACHE_ATTRIBUTE)
    if cache is None:
        cache = connection.__dict__[_CACHE_ATTRIBUTE] = {}
    return cache


def _placeholder(kind: type, index: int) -> Any:
    if kind is int:
        return _INT_BASE - index
    if kind is str:
        return f"\x00lianban-prepared-{index}\x00"
    raise NotPreparable(f"a prepared parameter is an int or a str, not {kind.__name__}")


class _Compiled:
    """One queryset's SQL on one connection, where each parameter goes, and how rows become instances."""

    def __init__(self, queryset: QuerySet[Any], placeholders: dict[str, Any], alias: str) -> None:
        if queryset._prefetch_related_lookups:  # type: ignore[attr-defined]
            raise NotPreparable("prefetch_related querysets are not prepared")
        iterable = queryset._iterable_class
        if iterable not in (ModelIterable, ValuesListIterable, FlatValuesListIterable):
            raise NotPreparable("only model, values_list() and values_list(flat=True) querysets are prepared")
        self.shape = iterable
        query = queryset.query
        if iterable is not ModelIterable and queryset._fields:  # type: ignore[attr-defined]
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
            fields = [*queryset._fields, *(f for f in query.annotation_select if f not in queryset._fields)]  # type: ignore[attr-defined]
            if fields != names:
                raise NotPreparable("values_list() with columns in another order than selected is not prepared")
        compiler = query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        self.sql = sql
        self.params = list(params)
        self.slots: list[tuple[int, str]] = []
        for name, value in placeholders.items():
            found = [i for i, p in enumerate(self.params) if type(p) is type(value) and p == value]
            if not found:
                raise NotPreparable(f"parameter {name!r} is not a plain value in the compiled query")
            self.slots.extend((i, name) for i in found)
        taken = {i for i, _ in self.slots}
        leftovers = [
            p for i, p in enumerate(self.params) if i not in taken and isinstance(p, str) and "lianban-prepared-" in p
        ]
        if leftovers:
            raise NotPreparable(f"a prepared value was transformed by a lookup: {leftovers[0]!r}")
        self.compiler = compiler
        if iterable is not ModelIterable:
            return
        klass_info = compiler.klass_info
        if klass_info is None:
            raise NotPreparable("the query selects no model")
        self.model: type[models.Model] = klass_info["model"]
        select = compiler.select
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [column[0].target.attname for column in select[self.start : self.end]]
        self.annotations = list(compiler.annotation_col_map.items())
        self.klass_info = klass_info
        self.select = select
        self.has_related = bool(klass_info.get("related_klass_infos"))

    def run(self, alias: str, values: dict[str, Any]) -> list[Any]:
        params = list(self.params)
        for index, name in self.slots:
            params[index] = values[name]
        with connections[alias].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if not rows:
            return []
        if self.shape is FlatValuesListIterable:
            return [row[0] for row in self.compiler.results_iter(results=[rows])]
        if self.shape is ValuesListIterable:
            return [tuple(row) for row in self.compiler.results_iter(results=[rows], tuple_expected=True)]
        populators = (
            get_related_populators(self.klass_info, self.select, alias)  # type: ignore[call-arg]  # stubs of 6.0
            if self.has_related
            else ()
        )
        objects = []
        for row in self.compiler.results_iter(results=[rows]):
            obj = self.model.from_db(alias, self.init_list, row[self.start : self.end])
            for populator in populators:
                populator.populate(row, obj)
            for attribute, position in self.annotations:
                setattr(obj, attribute, row[position])
            objects.append(obj)
        return objects


class PreparedQuery(Generic[R]):
    """A read whose SQL is built once per connection: ``build(**values)`` returns the queryset.

    ``parameters`` name the values each call passes and their type (``int`` or ``str``)::

        _MATERIAL = PreparedQuery(
            lambda case_id, code: CaseMaterial.objects.filter(case_id=case_id, code=code)[:1],
            case_id=int, code=str,
        )
        material = _MATERIAL.first(case_id=case.pk, code="A01")

    ``build`` is called once per connection with placeholders; it must put each value into a plain
    lookup (``=``), not into a transform or a list.
    """

    def __init__(self, build: Callable[..., QuerySet[Any, R]], **parameters: type) -> None:
        self.build = build
        self.parameters = parameters
        self.key = ("query", next(_counter))

    def _compiled(self, alias: str) -> _Compiled:
        cache = _cache(alias)
        compiled: _Compiled | None = cache.get(self.key)
        if compiled is None:
            placeholders = {name: _placeholder(kind, i) for i, (name, kind) in enumerate(self.parameters.items())}
            compiled = cache[self.key] = _Compiled(self.build(**placeholders), placeholders, alias)
        return compiled

    def _plain(self, values: dict[str, Any]) -> bool:
        """Whether ``values`` are exactly the declared plain values (anything else runs through the ORM)."""
        if values.keys() != self.parameters.keys():
            raise NotPreparable(f"expected the values {sorted(self.parameters)}, got {sorted(values)}")
        for name, kind in self.parameters.items():
            value = values[name]
            if type(value) is kind:
                if isinstance(value, int) and not -(2**63) <= value < 2**63:
                    return False
                continue
            if isinstance(value, bool) or not isinstance(value, kind):
                return False
            values[name] = kind(value)  # a str or int subclass (lazy text, enum member) as the plain value
        return True

    def all(self, **values: Any) -> list[R]:
        """Every row, as the queryset would return them.

        Values of another type than declared (a string key from a URL, ``None``, a number beyond 64 bits)
        run through the ORM, which converts or refuses them as it always does.
        """
        if not self._plain(values):
            return list(self.build(**values))
        alias = self._alias()
        return self._compiled(alias).run(alias, values)

    def first(self, **values: Any) -> R | None:
        """The first row, or ``None`` (slice the queryset to one row in ``build``)."""
        rows = self.all(**values)
        return rows[0] if rows else None

    def get(self, **values: Any) -> R:
        """The one row, or the model's ``DoesNotExist`` (slice to two rows in ``build`` to detect more)."""
        rows = self.all(**values)
        if len(rows) == 1:
            return rows[0]
        model = self.model
        if not rows:
            raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")  # type: ignore[attr-defined]
        raise model.MultipleObjectsReturned(f"get() returned more than one {model._meta.object_name}")  # type: ignore[attr-defined]

    @property
    def model(self) -> type[models.Model]:
        """The model the query reads."""
        return self.build(
            **{name: _placeholder(kind, i) for i, (name, kind) in enumerate(self.parameters.items())}
        ).model

    @staticmethod
    def _alias() -> str:
        return "default"


def _plain_save(model: type[models.Model]) -> bool:
    """Whether ``model.save`` is Django's own and nothing listens to its save signals."""
    return model.save is models.Model.save and not _listened(model)


def _listened(model: type[models.Model]) -> bool:
    # Only asks whether a receiver exists: then the ORM's own save runs and sends the signals.
    return signals.pre_save.has_listeners(model) or signals.post_save.has_listeners(model)


def _concrete(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.concrete or field.primary_key or field.generated:
        raise NotPreparable(f"save_fields updates stored, non-key fields: {name}")
    return field


def _table_and_key(model: type[models.Model], connection: Any) -> tuple[str, str]:
    meta = model._meta
    quote = connection.ops.quote_name
    key = meta.pk
    if key is None or key.column is None:
        raise NotPreparable(f"{meta.label} has no primary key column")
    return quote(meta.db_table), quote(key.column)


def save_fields(instance: models.Model, fields: Sequence[str]) -> None:
    """``instance.save(update_fields=fields)``, with the UPDATE built once per model and fields.

    The same statement as Django's (same SQL text, same values). Models with their own ``save`` or with save
    signals go through ``save`` itself. Like ``save``, raises ``DatabaseError`` when no row was updated.
    """
    if not fields:
        return
    model = type(instance)
    if not _plain_save(model) or instance._state.adding or instance.pk is None or model._meta.parents:
        instance.save(update_fields=fields)
        return
    alias = router.db_for_write(model, instance=instance)
    connection = connections[alias]
    cache = _cache(alias)
    key = ("update", model, tuple(fields))
    prepared: tuple[str, list[models.Field[Any, Any]]] | None = cache.get(key)
    if prepared is None:
        columns = [_concrete(model, name) for name in fields]
        table, pk_column = _table_and_key(model, connection)
        quote = connection.ops.quote_name
        assignments = ", ".join(f"{quote(f.column or f.name)} = %s" for f in columns)
        sql = f"UPDATE {table} SET {assignments} WHERE {table}.{pk_column} = %s"  # noqa: S608 (quoted names)
        prepared = cache[key] = (sql, columns)
    sql, columns = prepared
    instance._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
    params: list[Any] = []
    for field in columns:
        value = field.pre_save(instance, False)
        if hasattr(value, "resolve_expression"):  # F() and the like: Django's own UPDATE
            instance.save(update_fields=fields)
            return
        params.append(field.get_db_prep_save(value, connection=connection))
    params.append(model._meta.pk.get_db_prep_value(instance.pk, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount == 0:
            raise DatabaseError("Save with update_fields did not affect any rows.")


def insert_row(instance: models.Model) -> None:
    """``instance.save(force_insert=True)`` for a model with an automatic key, the INSERT built once.

    The same statement as Django's. Called by a model's own ``save`` after its checks (the append-only
    rows) or instead of ``Model.objects.create``; when somebody listens to the model's save signals, when
    a column comes back from the database or a value is an expression, Django's ``save_base`` runs instead.
    """
    model = type(instance)
    meta = model._meta
    alias = router.db_for_write(model, instance=instance)
    connection = connections[alias]
    cache = _cache(alias)
    key = ("insert", model)
    prepared: tuple[str, list[models.Field[Any, Any]]] | None = cache.get(key)
    if prepared is None:
        fields = [f for f in meta.local_concrete_fields if f is not meta.pk and not f.generated]
        if (
            meta.parents
            or meta.auto_field is None
            or not connection.features.can_return_columns_from_insert
            or any(f.has_db_default() or f.db_returning for f in fields)
        ):
            prepared = ("", [])  # Django's own INSERT: its pk is not automatic or other columns come back
        else:
            table, pk_column = _table_and_key(model, connection)
            quote = connection.ops.quote_name
            columns = ", ".join(quote(f.column or f.name) for f in fields)
            marks = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING {table}.{pk_column}"  # noqa: S608
            prepared = (sql, fields)
        cache[key] = prepared
    sql, fields = prepared
    if not sql or instance.pk is not None or _listened(model):
        models.Model.save_base(instance, force_insert=True, using=alias)
        return
    instance._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
    params: list[Any] = []
    for field in fields:
        value = field.pre_save(instance, True)
        if hasattr(value, "resolve_expression"):  # an expression to insert: Django's own INSERT
            models.Model.save_base(instance, force_insert=True, using=alias)
            return
        params.append(field.get_db_prep_save(value, connection=connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (pk_value,) = cursor.fetchone()
    instance.pk = pk_value
    instance._state.adding = False
    instance._state.db = alias
