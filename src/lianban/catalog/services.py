"""Writes to the catalog: import (all or nothing), export, revision bumps."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from lianban.catalog import models as m
from lianban.catalog.selectors import catalog_snapshot
from lianban.common import generations
from lianban.core import catalog as core
from lianban.core.catalog_format import (
    SECTIONS,
    check_files,
    dump_json,
    dump_yaml,
    undefined_field_warnings,
    validate_catalog,
)
from lianban.core.errors import CatalogInvalid, CatalogProblem


@dataclass(frozen=True, slots=True)
class CatalogFile:
    """A catalog file handed in for import or validation."""

    name: str
    content: bytes


def catalog_check(*, files: Sequence[CatalogFile], incomplete: bool = False) -> list[CatalogProblem]:
    """Every problem that importing ``files`` (in order) would run into; changes nothing.

    ``incomplete``: other files of the same import could not be read, so
    references into them are not reported unknown.
    """
    return check_files(catalog_snapshot(), [(f.name, f.content) for f in files], incomplete=incomplete).problems


def catalog_warnings(*, files: Sequence[CatalogFile]) -> list[CatalogProblem]:
    """What is worth a warning after importing ``files`` (field keys without a definition); changes nothing."""
    result = check_files(catalog_snapshot(), [(f.name, f.content) for f in files])
    name = files[-1].name if files else "catalog"
    return undefined_field_warnings(result.catalog, filename=name)


@transaction.atomic
def catalog_import(*, files: Sequence[CatalogFile], actor: Any = None) -> m.ImportRecord:
    """Import catalog files in order: all of them, or nothing at all.

    Entries are upserted by code. Concurrent imports are serialised on the
    revision row, so each one checks against the catalog it will change. An
    import that changes nothing (the same files again) keeps the revision.

    Raises:
        CatalogInvalid: listing every problem in every file; nothing was changed.
    """
    revision = _lock_revision()
    current = catalog_snapshot()
    result = check_files(current, [(f.name, f.content) for f in files])
    if result.problems:
        raise CatalogInvalid(result.problems)
    # The export is lossless: the same export is the same catalog. An import that changes nothing keeps the
    # revision, so cached plans, tracking answers and the admin's view of "what changed" stay as they are.
    if dump_json(result.catalog) != dump_json(current):
        _write(result.catalog, result.touched)
        _bump(revision)
    return m.ImportRecord.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        files=[{"name": f.name, "sha256": hashlib.sha256(f.content).hexdigest()} for f in files],
        counts={section: len(result.touched[section]) for section in SECTIONS},
        revision=revision.revision,
    )


def catalog_export(*, fmt: str = "yaml") -> str:
    """The whole catalog as ``lianban-catalog/1`` text (``yaml`` or ``json``)."""
    catalog = catalog_snapshot()
    return dump_json(catalog) if fmt == "json" else dump_yaml(catalog)


def catalog_problems() -> list[CatalogProblem]:
    """Problems of the catalog as it is now in the database (empty when consistent)."""
    return validate_catalog(catalog_snapshot(), filename="catalog")


def catalog_changed() -> int:
    """Record that the catalog changed (admin edits); returns the new revision."""
    revision = _lock_revision()
    _bump(revision)
    return revision.revision


def _bump(revision: m.CatalogRevision) -> None:
    revision.revision += 1
    revision.token = m._new_token()
    revision.save(update_fields=["revision", "token", "changed_at"])
    generations.renew_on_commit(generations.CATALOG)


def _lock_revision() -> m.CatalogRevision:
    m.CatalogRevision.objects.get_or_create(pk=1)
    return m.CatalogRevision.objects.select_for_update().get(pk=1)


def _upsert(
    model: Any, codes: Sequence[str], values: Mapping[str, dict[str, Any]], *, by: str = "code"
) -> dict[str, Any]:
    """Create or update rows by code (or the ``by`` column); return code → row for those codes."""
    existing = {getattr(row, by): row for row in model.objects.filter(**{f"{by}__in": codes})}
    to_create, to_update = [], []
    fields: set[str] = set()
    for code in codes:
        data = values[code]
        fields.update(data)
        row = existing.get(code)
        if row is None:
            to_create.append(model(**{by: code}, **data))
        else:
            for key, value in data.items():
                setattr(row, key, value)
            to_update.append(row)
    if to_update:
        model.objects.bulk_update(to_update, sorted(fields), batch_size=500)
    if to_create:
        model.objects.bulk_create(to_create, batch_size=500)
    return {getattr(row, by): row for row in model.objects.filter(**{f"{by}__in": codes})}


def _field_values(f: core.FieldDef) -> dict[str, Any]:
    return {
        "label": f.label,
        "type": f.type,
        "required": f.required,
        "help": f.help,
        "options": list(f.options) if f.options is not None else None,
        "min": f.min,
        "max": f.max,
        "max_length": f.max_length,
        "prefill": f.prefill,
        "personal": f.personal,
    }


def _write(catalog: core.Catalog, touched: Mapping[str, frozenset[str]]) -> None:
    """Upsert every touched entry with its child rows (replaced whole)."""
    departments = sorted(touched["departments"])
    _upsert(m.Department, departments, {c: {"name": catalog.departments[c].name} for c in departments})
    materials = sorted(touched["materials"])
    _upsert(
        m.Material,
        materials,
        {c: {"name": catalog.materials[c].name, "source": catalog.materials[c].source} for c in materials},
    )
    keys = sorted(touched["fields"])
    _upsert(m.FieldDefinition, keys, {k: _field_values(catalog.fields[k]) for k in keys}, by="key")

    items = sorted(touched["items"])
    item_specs = [catalog.items[c] for c in items]
    dept_ids = dict(m.Department.objects.filter(code__in={i.department for i in item_specs}).values_list("code", "id"))
    rows = _upsert(
        m.Item,
        items,
        {
            i.code: {
                "name": i.name,
                "department_id": dept_ids[i.department],
                "category": i.category,
                "legal_days": i.legal_days,
                "promised_days": i.promised_days,
                "fee": float(i.fee),
                "online": i.online,
                "form_fields": list(i.fields),
                "basis": i.basis or "",
            }
            for i in item_specs
        },
    )
    material_codes = {n.material for i in item_specs for n in i.materials} | {p for i in item_specs for p in i.produces}
    material_ids = dict(m.Material.objects.filter(code__in=material_codes).values_list("code", "id"))
    m.ItemMaterial.objects.filter(item__code__in=items).delete()
    m.ItemProduct.objects.filter(item__code__in=items).delete()
    m.ItemMaterial.objects.bulk_create(
        [
            m.ItemMaterial(
                item=rows[i.code],
                position=position,
                material_id=material_ids[n.material],
                name_override=n.name_override,
                when=n.when,
                required=n.required,
                tolerable=n.tolerable,
            )
            for i in item_specs
            for position, n in enumerate(i.materials)
        ],
        batch_size=1000,
    )
    m.ItemProduct.objects.bulk_create(
        [
            m.ItemProduct(item=rows[i.code], position=position, material_id=material_ids[code])
            for i in item_specs
            for position, code in enumerate(i.produces)
        ],
        batch_size=1000,
    )

    things = sorted(touched["things"])
    thing_specs = [catalog.things[c] for c in things]
    dept_ids = dict(
        m.Department.objects.filter(code__in={t.lead_department for t in thing_specs}).values_list("code", "id")
    )
    thing_rows = _upsert(
        m.Thing,
        things,
        {
            t.code: {
                "name": t.name,
                "subject": t.subject,
                "lead_department_id": dept_ids[t.lead_department],
                "keywords": list(t.keywords),
                "summary": t.summary or "",
                "notes": list(t.notes),
            }
            for t in thing_specs
        },
    )
    item_ids = dict(
        m.Item.objects.filter(code__in={e.item for t in thing_specs for e in t.items}).values_list("code", "id")
    )
    m.Question.objects.filter(thing__code__in=things).delete()
    m.ThingItem.objects.filter(thing__code__in=things).delete()
    m.Question.objects.bulk_create(
        [
            m.Question(
                thing=thing_rows[t.code],
                position=position,
                key=q.key,
                text=q.text,
                type=q.type,
                options=list(q.options) if q.options is not None else None,
                min=q.min,
                max=q.max,
                required=q.required,
            )
            for t in thing_specs
            for position, q in enumerate(t.questions)
        ],
        batch_size=1000,
    )
    m.ThingItem.objects.bulk_create(
        [
            m.ThingItem(
                thing=thing_rows[t.code],
                position=position,
                item_id=item_ids[e.item],
                when=e.when,
                after=list(e.after),
            )
            for t in thing_specs
            for position, e in enumerate(t.items)
        ],
        batch_size=1000,
    )
