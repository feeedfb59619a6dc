"""The plan as a typed value and as a versioned JSON document.

:class:`Plan` is what :func:`lianban.core.planner.plan` returns and what a
case keeps, frozen, from its submission. :meth:`Plan.to_dict` gives the JSON
shape of the contract plus ``schema_version`` and ``field_definitions``;
:meth:`Plan.from_dict` reads a document of this version or of any older one
that was ever stored, upgrading it step by step (:data:`UPGRADES`).

Schema versions:

1. the contract's plan (no ``schema_version`` key; the version was kept only
   in ``Case.plan_schema_version``), with ``field_definitions`` (the form's
   definitions, each as :func:`lianban.core.form_fields.definition_dict`)
   added by the case service, and absent from cases submitted before field
   definitions were frozen;
2. ``schema_version`` in the document; ``field_definitions`` always present.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from lianban.core.catalog import FieldDef, undefined_field
from lianban.core.conditions import Value
from lianban.core.form_fields import definition_dict, definition_from_dict

#: The version :meth:`Plan.to_dict` writes (``schema_version``).
PLAN_SCHEMA_VERSION = 2


class PlanSchemaError(ValueError):
    """A stored plan document this code cannot read (unknown version, or not a plan)."""


class PlannedItem(NamedTuple):
    """An included item in the plan."""

    code: str
    name: str
    department: str
    stage: int
    after: tuple[str, ...]
    legal_days: int
    promised_days: int
    fee: int | float
    online: bool
    produces: tuple[str, ...]
    start_day: int
    finish_day: int


class MaterialUse(NamedTuple):
    """How one included item needs a material."""

    item: str
    required: bool
    tolerable: bool
    name_override: str | None


class PlannedMaterial(NamedTuple):
    """A material of the plan, listed once."""

    code: str
    name: str
    source: str
    provenance: str  # produced | licence | submit
    required: bool
    tolerable: bool
    needed_by: tuple[str, ...]
    produced_by: str | None
    uses: tuple[MaterialUse, ...]


class CandidateExplanation(NamedTuple):
    """Why a candidate item is in or out of the plan."""

    code: str
    name: str
    included: bool
    when: str | None
    read: Mapping[str, Value | None]


class PlanHeading(NamedTuple):
    """What a list row shows of a plan: the thing it is for (read without the rest of the document)."""

    thing: str
    thing_name: str
    lead_department: str

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlanHeading:
        """The heading of a stored document of any schema version (as :meth:`Plan.from_dict` would read it).

        Raises:
            PlanSchemaError: as :meth:`Plan.from_dict`.
        """
        current = upgrade(data)
        try:
            return cls(current["thing"], current["thing_name"], current["lead_department"])
        except KeyError as exc:
            raise PlanSchemaError(f"not a plan document: {exc!r}") from exc


@dataclass(frozen=True, slots=True)
class Plan:
    """The applicant's customised plan for one thing.

    ``field_definitions`` holds the catalog's definition of each of ``fields``
    that has one, with its defaults written out
    (:func:`lianban.core.form_fields.frozen_definition`); a case's pages show
    the labels the applicant saw. It is empty in plans of cases submitted
    before definitions were frozen: their pages read the catalog's.
    """

    thing: str
    thing_name: str
    lead_department: str
    answers: Mapping[str, Value]
    licences: tuple[str, ...]
    stages: tuple[tuple[str, ...], ...]
    items: tuple[PlannedItem, ...]
    materials: tuple[PlannedMaterial, ...]
    fields: tuple[str, ...]
    serial_days: int
    plan_days: int
    fee_total: int | float
    reductions: Mapping[str, Mapping[str, int]]
    candidates: tuple[CandidateExplanation, ...]
    field_definitions: Mapping[str, FieldDef] = field(default_factory=dict)

    @property
    def heading(self) -> PlanHeading:
        """The thing this plan is for."""
        return PlanHeading(self.thing, self.thing_name, self.lead_department)

    def to_dict(self) -> dict[str, Any]:
        """The plan as the JSON shape of the contract, plus ``schema_version`` and ``field_definitions``.

        The same plan always gives the same document (keys in the same order).
        """
        return {
            "schema_version": PLAN_SCHEMA_VERSION,
            "thing": self.thing,
            "thing_name": self.thing_name,
            "lead_department": self.lead_department,
            "answers": dict(self.answers),
            "licences": list(self.licences),
            "stages": [list(stage) for stage in self.stages],
            "items": [_item_dict(item) for item in self.items],
            "materials": [_material_dict(m) for m in self.materials],
            "fields": list(self.fields),
            "field_definitions": [
                definition_dict(self.field_definitions[key])
                if key in self.field_definitions
                else definition_dict(undefined_field(key), defined=False)
                for key in self.fields
            ],
            "serial_days": self.serial_days,
            "plan_days": self.plan_days,
            "fee_total": self.fee_total,
            "reductions": {side: dict(figures) for side, figures in self.reductions.items()},
            "candidates": [
                {"code": c.code, "name": c.name, "included": c.included, "when": c.when, "read": dict(c.read)}
                for c in self.candidates
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Plan:
        """The plan a stored document of any schema version describes (see the module's list).

        Keys this version does not know (the API's ``explanations``) are ignored.

        Raises:
            PlanSchemaError: a version newer than this code, or a document that is not a plan.
        """
        try:
            return _read(upgrade(data))
        except PlanSchemaError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise PlanSchemaError(f"not a plan document: {exc!r}") from exc


def _item_dict(item: PlannedItem) -> dict[str, Any]:
    return {
        "code": item.code,
        "name": item.name,
        "stage": item.stage,
        "department": item.department,
        "after": list(item.after),
        "legal_days": item.legal_days,
        "promised_days": item.promised_days,
        "fee": item.fee,
        "online": item.online,
        "produces": list(item.produces),
        "start_day": item.start_day,
        "finish_day": item.finish_day,
    }


def _material_dict(m: PlannedMaterial) -> dict[str, Any]:
    return {
        "code": m.code,
        "name": m.name,
        "source": m.source,
        "provenance": m.provenance,
        "required": m.required,
        "tolerable": m.tolerable,
        "needed_by": list(m.needed_by),
        "produced_by": m.produced_by,
        "uses": [
            {"item": u.item, "required": u.required, "tolerable": u.tolerable, "name_override": u.name_override}
            for u in m.uses
        ],
    }


# ----------------------------------------------------------------- versions


def schema_version(data: Mapping[str, Any]) -> int:
    """The schema version of a stored document (1 when it has no ``schema_version``)."""
    version = data.get("schema_version", 1)
    if isinstance(version, bool) or not isinstance(version, int):
        raise PlanSchemaError(f"schema_version must be a whole number, not {version!r}")
    return version


def _upgrade_1(data: Mapping[str, Any]) -> dict[str, Any]:
    """1 → 2: the version moves into the document; missing field definitions become an empty list."""
    upgraded = {"schema_version": 2, **data}
    upgraded["schema_version"] = 2
    upgraded.setdefault("field_definitions", [])
    return upgraded


#: From each older version, the function that turns its document into the next version's.
UPGRADES: Mapping[int, Callable[[Mapping[str, Any]], dict[str, Any]]] = {1: _upgrade_1}


def upgrade(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """A stored document brought to :data:`PLAN_SCHEMA_VERSION` (``data`` itself when it is current).

    Raises:
        PlanSchemaError: a version newer than this code, or older than any that was stored.
    """
    if not isinstance(data, Mapping):
        raise PlanSchemaError(f"a plan document is an object, not {type(data).__name__}")
    version = schema_version(data)
    if version > PLAN_SCHEMA_VERSION or (version < PLAN_SCHEMA_VERSION and version not in UPGRADES):
        raise PlanSchemaError(f"unknown plan schema version {version} (this code reads 1 to {PLAN_SCHEMA_VERSION})")
    while version < PLAN_SCHEMA_VERSION:
        data = UPGRADES[version](data)
        version = schema_version(data)
    return data


def _read(data: Mapping[str, Any]) -> Plan:
    """A plan from a document of the current version."""
    definitions = (definition_from_dict(entry) for entry in data["field_definitions"] if entry.get("defined", True))
    return Plan(
        thing=data["thing"],
        thing_name=data["thing_name"],
        lead_department=data["lead_department"],
        answers=dict(data["answers"]),
        licences=tuple(data["licences"]),
        stages=tuple(tuple(stage) for stage in data["stages"]),
        items=tuple(
            PlannedItem(
                code=i["code"],
                name=i["name"],
                department=i["department"],
                stage=i["stage"],
                after=tuple(i["after"]),
                legal_days=i["legal_days"],
                promised_days=i["promised_days"],
                fee=i["fee"],
                online=i["online"],
                produces=tuple(i["produces"]),
                start_day=i["start_day"],
                finish_day=i["finish_day"],
            )
            for i in data["items"]
        ),
        materials=tuple(
            PlannedMaterial(
                code=m["code"],
                name=m["name"],
                source=m["source"],
                provenance=m["provenance"],
                required=m["required"],
                tolerable=m["tolerable"],
                needed_by=tuple(m["needed_by"]),
                produced_by=m["produced_by"],
                uses=tuple(
                    MaterialUse(u["item"], u["required"], u["tolerable"], u["name_override"]) for u in m["uses"]
                ),
            )
            for m in data["materials"]
        ),
        fields=tuple(data["fields"]),
        serial_days=data["serial_days"],
        plan_days=data["plan_days"],
        fee_total=data["fee_total"],
        reductions={side: dict(figures) for side, figures in data["reductions"].items()},
        candidates=tuple(
            CandidateExplanation(c["code"], c["name"], c["included"], c["when"], dict(c["read"]))
            for c in data["candidates"]
        ),
        field_definitions={d.key: d for d in definitions},
    )
