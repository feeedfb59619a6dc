"""The compiled form of a one-thing: conditions parsed and type-checked once, lookups built.

A thing is compiled once; planning then touches only that thing, so its cost
does not depend on the size of the catalog.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from lianban.core.catalog import Catalog, FieldDef, Question, Thing
from lianban.core.conditions import Condition, QuestionType, compile_condition
from lianban.core.errors import UnknownThing
from lianban.core.form_fields import frozen_definition
from lianban.core.text import tx


@dataclass(frozen=True, slots=True)
class NeedSpec:
    """A material an item needs, with its compiled condition."""

    material: str
    when: Condition
    required: bool
    tolerable: bool
    name_override: str | None


@dataclass(frozen=True, slots=True)
class PlanItem:
    """An item as a candidate of one thing, ready for planning."""

    position: int
    code: str
    name: str
    department: str
    category: str
    legal_days: int
    promised_days: int
    fee: int | float
    online: bool
    when: Condition
    when_names: tuple[str, ...]
    after: tuple[str, ...]
    needs: tuple[NeedSpec, ...]
    produces: frozenset[str]
    produces_order: tuple[str, ...]
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MaterialInfo:
    """Name and source of a standard material."""

    code: str
    name: str
    source: str


@dataclass(frozen=True, slots=True)
class CompiledThing:
    """A thing with everything planning needs, conditions compiled."""

    code: str
    name: str
    subject: str
    lead_department: str
    questions: tuple[Question, ...]
    items: tuple[PlanItem, ...]
    materials: Mapping[str, MaterialInfo]
    departments: Mapping[str, str]
    producers: Mapping[str, tuple[str, ...]]
    #: The definitions of the candidate items' form fields, defaults written out
    #: (:func:`lianban.core.form_fields.frozen_definition`); a key without one is absent.
    field_definitions: Mapping[str, FieldDef] = field(default_factory=dict)

    def item(self, code: str) -> PlanItem:
        """The candidate item with this code."""
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)


def question_env(questions: Iterable[Question]) -> dict[str, QuestionType]:
    """The type environment conditions are checked against."""
    return {q.key: QuestionType(q.type, tuple(q.options or ())) for q in questions}


def material_condition_env(catalog: Catalog, item_code: str, thing: Thing) -> dict[str, QuestionType]:
    """Names an item's material conditions may read while planning ``thing``.

    A material condition may use the question keys of every thing that includes
    the item; the planned thing's own questions take precedence. Choice options
    are the union over those things (a value that is an option anywhere is fine).
    """
    env = question_env(thing.questions)
    for other in catalog.things_including(item_code):
        for key, qtype in question_env(other.questions).items():
            if key not in env:
                env[key] = qtype
            elif env[key].type == "choice" and qtype.type == "choice":
                merged = tuple(dict.fromkeys(env[key].options + qtype.options))
                env[key] = QuestionType("choice", merged)
    return env


def compile_thing(catalog: Catalog, code: str) -> CompiledThing:
    """Compile one thing of a validated catalog for planning.

    Only the thing, its items, their materials and departments are read, so
    ``catalog`` may hold just those. Material conditions are not type-checked
    again here (validation did that against every thing including the item);
    names that are not questions of this thing read as unanswered.

    Raises:
        UnknownThing: when the catalog has no such thing.
        ConditionError: when a condition does not check (a catalog that
            passed validation never raises it).
    """
    thing = catalog.things.get(code)
    if thing is None:
        raise UnknownThing(tx("There is no one-thing with the code %(code)s.", code=code))
    env = question_env(thing.questions)
    items: list[PlanItem] = []
    for position, entry in enumerate(thing.items):
        spec = catalog.items[entry.item]
        needs = tuple(
            NeedSpec(
                material=m.material,
                when=compile_condition(m.when, None),
                required=m.required,
                tolerable=m.tolerable,
                name_override=m.name_override,
            )
            for m in spec.materials
        )
        items.append(
            PlanItem(
                position=position,
                code=spec.code,
                name=spec.name,
                department=spec.department,
                category=spec.category,
                legal_days=spec.legal_days,
                promised_days=spec.promised_days,
                fee=spec.fee,
                online=spec.online,
                when=(when := compile_condition(entry.when, env)),
                when_names=when.names,
                after=entry.after,
                needs=needs,
                produces=frozenset(spec.produces),
                produces_order=spec.produces,
                fields=spec.fields,
            )
        )
    material_codes = {n.material for item in items for n in item.needs} | {p for item in items for p in item.produces}
    materials = {
        code: MaterialInfo(code, catalog.materials[code].name, catalog.materials[code].source)
        for code in sorted(material_codes)
    }
    producers: dict[str, list[str]] = {}
    for item in items:
        for produced in item.produces_order:
            producers.setdefault(produced, []).append(item.code)
    departments = {
        code: catalog.departments[code].name
        for code in sorted({item.department for item in items} | {thing.lead_department})
        if code in catalog.departments
    }
    return CompiledThing(
        code=thing.code,
        name=thing.name,
        subject=thing.subject,
        lead_department=thing.lead_department,
        questions=thing.questions,
        items=tuple(items),
        materials=materials,
        departments=departments,
        producers={code: tuple(codes) for code, codes in producers.items()},
        field_definitions={
            key: frozen_definition(catalog.fields[key])
            for item in items
            for key in item.fields
            if key in catalog.fields
        },
    )
