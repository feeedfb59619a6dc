"""Reads of the catalog: as core data, and compiled things for planning."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet

from lianban.catalog import models as m
from lianban.core import catalog as core
from lianban.core.planner import CompiledThing, compile_thing


def _num(value: float | None) -> int | float | None:
    """A stored number as the catalog wrote it: whole numbers as int while they are exact."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() and abs(value) <= 2**53 else value


def _item(row: m.Item) -> core.Item:
    return core.Item(
        code=row.code,
        name=row.name,
        department=row.department.code,
        category=row.category,
        legal_days=row.legal_days,
        promised_days=row.promised_days,
        fee=_num(row.fee) or 0,
        online=row.online,
        materials=tuple(
            core.ItemMaterial(
                material=need.material.code,
                name_override=need.name_override or None,
                when=need.when or None,
                required=need.required,
                tolerable=need.tolerable,
            )
            for need in row.needs.all()
        ),
        produces=tuple(product.material.code for product in row.products.all()),
        fields=tuple(row.form_fields),
        basis=row.basis or None,
    )


def _thing(row: m.Thing) -> core.Thing:
    return core.Thing(
        code=row.code,
        name=row.name,
        subject=row.subject,
        lead_department=row.lead_department.code,
        questions=tuple(
            core.Question(
                key=q.key,
                text=q.text,
                type=q.type,
                options=tuple(q.options) if q.options else None,
                min=_num(q.min),
                max=_num(q.max),
                required=q.required,
            )
            for q in row.questions.all()
        ),
        items=tuple(
            core.ThingItem(item=entry.item.code, when=entry.when or None, after=tuple(entry.after))
            for entry in row.entries.all()
        ),
        keywords=tuple(row.keywords),
        summary=row.summary or None,
        notes=tuple(row.notes),
    )


def _field(row: m.FieldDefinition) -> core.FieldDef:
    return core.FieldDef(
        key=row.key,
        label=row.label,
        type=row.type,
        required=row.required,
        help=row.help or None,
        options=tuple(row.options) if row.options is not None else None,
        min=_bound(row.min),
        max=_bound(row.max),
        max_length=row.max_length,
        prefill=row.prefill or None,
        personal=row.personal,
    )


def _bound(value: object) -> int | float | str | None:
    if isinstance(value, str) or value is None:
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _num(value)
    return None


def field_definitions(keys: Iterable[str] | None = None) -> dict[str, core.FieldDef]:
    """Field definitions by key (every one, or those of ``keys``); a key without one is absent."""
    rows = m.FieldDefinition.objects.order_by("key")
    if keys is not None:
        rows = rows.filter(key__in=list(keys))
    return {row.key: _field(row) for row in rows}


def _items_queryset() -> QuerySet[m.Item]:
    return m.Item.objects.select_related("department").prefetch_related(
        Prefetch("needs", queryset=m.ItemMaterial.objects.select_related("material").order_by("position", "id")),
        Prefetch("products", queryset=m.ItemProduct.objects.select_related("material").order_by("position", "id")),
    )


def _things_queryset() -> QuerySet[m.Thing]:
    return m.Thing.objects.select_related("lead_department").prefetch_related(
        Prefetch("questions", queryset=m.Question.objects.order_by("position", "id")),
        Prefetch("entries", queryset=m.ThingItem.objects.select_related("item").order_by("position", "id")),
    )


def catalog_snapshot() -> core.Catalog:
    """The whole catalog as core data."""
    return core.Catalog(
        departments={d.code: core.Department(d.code, d.name) for d in m.Department.objects.order_by("code")},
        materials={x.code: core.Material(x.code, x.name, x.source) for x in m.Material.objects.order_by("code")},
        items={row.code: _item(row) for row in _items_queryset().order_by("code")},
        things={row.code: _thing(row) for row in _things_queryset().order_by("code")},
        fields=field_definitions(),
    )


def thing_catalog(code: str) -> core.Catalog:
    """Just what planning one thing needs: the thing, its items, materials, departments."""
    things = {row.code: _thing(row) for row in _things_queryset().filter(code=code)}
    item_codes = [entry.item for thing in things.values() for entry in thing.items]
    items = {row.code: _item(row) for row in _items_queryset().filter(code__in=item_codes)}
    material_codes = {n.material for i in items.values() for n in i.materials} | {
        p for i in items.values() for p in i.produces
    }
    dept_codes = {i.department for i in items.values()} | {t.lead_department for t in things.values()}
    return core.Catalog(
        departments={d.code: core.Department(d.code, d.name) for d in m.Department.objects.filter(code__in=dept_codes)},
        materials={
            x.code: core.Material(x.code, x.name, x.source) for x in m.Material.objects.filter(code__in=material_codes)
        },
        items=items,
        things=things,
        fields=field_definitions({key for i in items.values() for key in i.fields}),
    )


def catalog_revision() -> int:
    """The current catalog revision (0 before anything was imported)."""
    row = m.CatalogRevision.objects.filter(pk=1).values_list("revision", flat=True).first()
    return row or 0


def catalog_token() -> str:
    """A value that changes with every catalog change and never repeats ("" when empty)."""
    token = m.CatalogRevision.objects.filter(pk=1).values_list("token", flat=True).first()
    return token or ""


_compiled: dict[str, tuple[str, CompiledThing]] = {}
_compiled_lock = threading.Lock()


def compiled_thing(code: str) -> CompiledThing:
    """The thing compiled for planning, cached until the catalog changes.

    Raises:
        UnknownThing: when there is no such thing.
    """
    revision = catalog_token()
    cached = _compiled.get(code)
    if cached is not None and revision and cached[0] == revision:
        return cached[1]
    compiled = compile_thing(thing_catalog(code), code)
    with _compiled_lock:
        _compiled[code] = (revision, compiled)
    return compiled


def thing_list() -> QuerySet[m.Thing]:
    """All one-things with their lead department, by code."""
    return m.Thing.objects.select_related("lead_department").order_by("code")


def thing_get(code: str) -> m.Thing | None:
    """One thing with its questions and candidate items, or None."""
    return _things_queryset().filter(code=code).first()


def departments_by_code(codes: Iterable[str]) -> dict[str, m.Department]:
    """Departments keyed by code."""
    return {d.code: d for d in m.Department.objects.filter(code__in=list(codes))}


def department_choices() -> list[tuple[str, str]]:
    """(code, name) of every department, by code: the choices of the filter and order forms."""
    return list(m.Department.objects.order_by("code").values_list("code", "name"))


def thing_with_lead(code: str) -> m.Thing:
    """The one-thing with its lead department (``Thing.DoesNotExist`` if absent)."""
    return m.Thing.objects.select_related("lead_department").get(code=code)


def import_records_recent(count: int = 10) -> list[m.ImportRecord]:
    """The latest catalog imports, newest first, with who made them."""
    return list(m.ImportRecord.objects.select_related("actor").order_by("-id")[:count])
