"""Small catalogs for planner tests, written the way catalogs are: in the contract format."""

from __future__ import annotations

import textwrap
from typing import Any

import yaml

from lianban.core.catalog import Catalog, Department, Item, ItemMaterial, Material, Question, Thing, ThingItem
from lianban.core.catalog_format import check_files
from lianban.core.planner import CompiledThing, Plan, compile_thing, plan


def load(text: str) -> Catalog:
    """Import a YAML catalog (header added), failing the test on any problem."""
    body = "format: lianban-catalog/1\n" + textwrap.dedent(text)
    result = check_files(Catalog(), [("test.yaml", body)])
    assert result.problems == [], [str(p) for p in result.problems]
    return result.catalog


def thing(text: str, code: str = "T") -> CompiledThing:
    """Compile the thing ``code`` of a YAML catalog."""
    return compile_thing(load(text), code)


def run(text: str, answers: dict[str, Any] | None = None, licences: tuple[str, ...] = (), code: str = "T") -> Plan:
    """Plan the thing ``code`` of a YAML catalog."""
    return plan(thing(text, code), answers or {}, licences)


def quick(
    items: dict[str, dict[str, Any]],
    thing_items: list[dict[str, Any]],
    questions: list[dict[str, Any]] | None = None,
    materials: dict[str, str] | None = None,
) -> str:
    """A catalog text from compact Python data: item code → item keys (department D by default)."""
    material_codes: dict[str, str] = dict(materials or {})
    for spec in items.values():
        for m in spec.get("materials", []):
            material_codes.setdefault(m["material"] if isinstance(m, dict) else m, "applicant")
        for p in spec.get("produces", []):
            material_codes.setdefault(p, "licence")
    doc = {
        "departments": [{"code": "D", "name": "部门"}, {"code": "E", "name": "另一部门"}],
        "materials": [{"code": c, "name": f"材料{c}", "source": s} for c, s in material_codes.items()],
        "items": [
            {
                "code": code,
                "name": f"事项{code}",
                "department": spec.get("department", "D"),
                "legal_days": spec.get("legal_days", 10),
                "promised_days": spec.get("promised_days", spec.get("legal_days", 10)),
                "online": spec.get("online", True),
                "fee": spec.get("fee", 0),
                "materials": [m if isinstance(m, dict) else {"material": m} for m in spec.get("materials", [])],
                "produces": spec.get("produces", []),
                "fields": spec.get("fields", []),
            }
            for code, spec in items.items()
        ],
        "things": [
            {
                "code": "T",
                "name": "一件事",
                "lead_department": "D",
                "questions": questions or [],
                "items": thing_items,
            }
        ],
    }
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def raw_thing(items: list[Item], thing_items: list[ThingItem], questions: tuple[Question, ...] = ()) -> CompiledThing:
    """Compile a thing from dataclasses, bypassing import checks (for cycles import would refuse)."""
    catalog = Catalog(
        departments={"D": Department("D", "部门")},
        materials={
            code: Material(code, code, "licence")
            for code in {m.material for i in items for m in i.materials} | {p for i in items for p in i.produces}
        },
        items={i.code: i for i in items},
        things={"T": Thing("T", "一件事", "D", tuple(thing_items), questions=questions)},
    )
    return compile_thing(catalog, "T")


def raw_item(code: str, needs: tuple[str, ...] = (), produces: tuple[str, ...] = (), days: int = 1) -> Item:
    """An item for ``raw_thing``."""
    return Item(
        code=code,
        name=code,
        department="D",
        legal_days=days,
        promised_days=days,
        materials=tuple(ItemMaterial(m) for m in needs),
        produces=produces,
    )
