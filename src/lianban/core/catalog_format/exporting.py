"""The catalog → ``lianban-catalog/1`` text (YAML or JSON), deterministically.

Entries are sorted by code (fields by key); lists keep their order; every
default is written out for items and things (so an export reads the same
whatever the input omitted), ``type`` and ``required`` of fields too; optional
keys of materials, fields and questions only when set. The guide texts (an
item's ``basis``; a thing's ``keywords``, ``summary``, ``notes``) are written
last and only when set: an empty list means the same as none. Exporting
what an export imported gives the same bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import yaml

from lianban.core.catalog import Catalog, FieldDef, ItemMaterial, Question, ThingItem
from lianban.core.catalog_format.loading import YAML12_FLOAT
from lianban.core.catalog_format.reading import FORMAT

__all__ = ["dump_json", "dump_yaml", "export_document"]


class _Flow(dict[str, Any]):
    """A mapping written in flow style: {a: 1, b: 2}."""


class _FlowList(list[Any]):
    """A list written in flow style: [a, b]."""


class _Dumper(yaml.SafeDumper):
    """Safe dumper with flow-style markers and no aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


# Quote strings a YAML 1.2 reader would take for numbers ("1e3"), as the loader reads them.
_Dumper.add_implicit_resolver("tag:yaml.org,2002:float", YAML12_FLOAT, list("-+0123456789."))
_Dumper.add_representer(_Flow, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=True))
_Dumper.add_representer(_FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))


#: Characters a YAML reader takes for line breaks or refuses raw: written escaped, in double quotes.
_ESCAPE = re.compile("[\x85\u2028\u2029\ufeff]|[^\x09\x0a\x0d\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if _ESCAPE.search(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def _num(value: int | float) -> int | float:
    return int(value) if isinstance(value, float) and value.is_integer() and abs(value) <= 2**53 else value


def export_document(catalog: Catalog) -> dict[str, Any]:
    """The whole catalog as a ``lianban-catalog/1`` document (entries sorted by code)."""

    def sort(table: Mapping[str, Any]) -> list[Any]:
        return [table[code] for code in sorted(table)]

    def material_entry(m: ItemMaterial) -> _Flow:
        entry = _Flow(material=m.material)
        if m.name_override is not None:
            entry["name_override"] = m.name_override
        if m.when is not None:
            entry["when"] = m.when
        if not m.required:
            entry["required"] = False
        if m.tolerable:
            entry["tolerable"] = True
        return entry

    def question_entry(q: Question) -> _Flow:
        entry = _Flow(key=q.key, text=q.text, type=q.type)
        if q.options is not None:
            entry["options"] = _FlowList(q.options)
        if q.min is not None:
            entry["min"] = _num(q.min)
        if q.max is not None:
            entry["max"] = _num(q.max)
        if not q.required:
            entry["required"] = False
        return entry

    def field_entry(f: FieldDef) -> dict[str, Any]:
        entry: dict[str, Any] = {"key": f.key, "label": f.label, "type": f.type, "required": f.required}
        if f.help is not None:
            entry["help"] = f.help
        if f.options is not None:
            entry["options"] = _FlowList(f.options)
        for bound, value in (("min", f.min), ("max", f.max)):
            if value is not None:
                entry[bound] = value if isinstance(value, str) else _num(value)
        if f.max_length is not None:
            entry["max_length"] = f.max_length
        if f.prefill is not None:
            entry["prefill"] = f.prefill
        if f.personal is not None:
            entry["personal"] = f.personal
        return entry

    def thing_item_entry(t: ThingItem) -> _Flow:
        entry = _Flow(item=t.item)
        if t.when is not None:
            entry["when"] = t.when
        if t.after:
            entry["after"] = _FlowList(t.after)
        return entry

    document = {
        "format": FORMAT,
        "departments": [_Flow(code=d.code, name=d.name) for d in sort(catalog.departments)],
        "materials": [_Flow(code=m.code, name=m.name, source=m.source) for m in sort(catalog.materials)],
        "fields": [field_entry(f) for f in sort(catalog.fields)],
        "items": [
            {
                "code": i.code,
                "name": i.name,
                "department": i.department,
                "category": i.category,
                "legal_days": i.legal_days,
                "promised_days": i.promised_days,
                "fee": _num(i.fee),
                "online": i.online,
                "materials": [material_entry(m) for m in i.materials],
                "produces": _FlowList(i.produces),
                "fields": _FlowList(i.fields),
            }
            for i in sort(catalog.items)
        ],
        "things": [
            {
                "code": t.code,
                "name": t.name,
                "subject": t.subject,
                "lead_department": t.lead_department,
                "questions": [question_entry(q) for q in t.questions],
                "items": [thing_item_entry(ti) for ti in t.items],
            }
            for t in sort(catalog.things)
        ],
    }
    _add_guide_texts(document, catalog)
    return document


def _add_guide_texts(document: dict[str, Any], catalog: Catalog) -> None:
    """Append the guide texts that are set to the exported items and things."""
    for entry in document["items"]:
        basis = catalog.items[entry["code"]].basis
        if basis is not None:
            entry["basis"] = basis
    for entry in document["things"]:
        thing = catalog.things[entry["code"]]
        if thing.keywords:
            entry["keywords"] = _FlowList(thing.keywords)
        if thing.summary is not None:
            entry["summary"] = thing.summary
        if thing.notes:
            entry["notes"] = list(thing.notes)


def dump_yaml(catalog: Catalog) -> str:
    """The whole catalog as ``lianban-catalog/1`` YAML text (deterministic)."""
    return yaml.dump(
        export_document(catalog),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=100_000,
        default_flow_style=False,
    )


def dump_json(catalog: Catalog) -> str:
    """The whole catalog as ``lianban-catalog/1`` JSON text (deterministic)."""
    return json.dumps(export_document(catalog), ensure_ascii=False, indent=2) + "\n"
