"""Planning: a thing plus answers gives the applicant's customised plan.

Implements "Planning semantics" of ``lianban-catalog/1`` to the letter:

1. included items are the thing's items whose ``when`` holds;
2. ordering comes from ``after`` (passing through excluded items by their own
   ``after``) and from produced → needed materials (never from an item to
   itself); a cycle is an error that names it;
3. stages are longest-path layers;
4. materials are listed once with ``needed_by``, ``required`` and one
   provenance (``produced`` > ``licence`` > ``submit``);
5. the form is the union of fields;
6. ``serial_days`` sums ``legal_days``, ``plan_days`` is the longest path of
   ``promised_days``;
7. the 五减 reductions compare separate handling with the one-thing.

A thing is compiled once (conditions parsed and type-checked, lookups built);
planning then touches only that thing, so its cost does not depend on the size
of the catalog.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from lianban.core.catalog import Catalog, FieldDef, Question, Thing
from lianban.core.conditions import Condition, QuestionType, Value, compile_condition
from lianban.core.errors import AnswerProblem, AnswersInvalid, DependencyCycle, UnknownThing
from lianban.core.text import Text, tx

#: Largest magnitude of a number answer: beyond it a number is refused before any comparison
#: (a 400-digit integer cannot even be turned into a float).
MAX_NUMBER = 1e15

# ----------------------------------------------------------------- compiled form


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
    #: The definitions of the candidate items' form fields (a key without one is absent).
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
        field_definitions={key: catalog.fields[key] for item in items for key in item.fields if key in catalog.fields},
    )


# ----------------------------------------------------------------------- answers


def validate_answers(questions: Iterable[Question], answers: Any) -> dict[str, Value]:
    """Check answers against the questions; return them without null entries.

    Raises:
        AnswersInvalid: one problem per offending question (missing required
            answer, wrong type, out of range, unknown option, unknown key), each
            with a stable ``kind``.
    """
    questions = tuple(questions)
    if not isinstance(answers, Mapping):
        raise AnswersInvalid(
            [AnswerProblem("answers", tx("The answers must be an object of question key → value."), "not-an-object")]
        )
    problems: list[AnswerProblem] = []
    by_key = {q.key: q for q in questions}
    for key in answers:
        if key not in by_key:
            problems.append(
                AnswerProblem(
                    str(key), tx("%(question)s is not a question of this guide.", question=str(key)), "unknown-question"
                )
            )
    clean: dict[str, Value] = {}
    for question in questions:
        value = answers.get(question.key)
        if value is None:
            if question.required:
                problems.append(
                    AnswerProblem(question.key, tx("Please answer %(question)s.", question=question.text), "required")
                )
            continue
        problem = _answer_problem(question, value)
        if problem:
            problems.append(problem)
        else:
            clean[question.key] = value
    if problems:
        raise AnswersInvalid(problems)
    return clean


def _answer_problem(question: Question, value: object) -> AnswerProblem | None:
    key = question.key
    label = question.text or key

    def problem(message: Text, kind: str, **params: object) -> AnswerProblem:
        return AnswerProblem(key, message, kind, tuple(params.items()))

    if question.type == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return problem(
                tx("%(question)s must be a number.", question=label), "not-a-number", found=_json_type(value)
            )
        if isinstance(value, float) and not math.isfinite(value):
            return problem(tx("%(question)s must be a number.", question=label), "not-finite")
        if not -MAX_NUMBER <= value <= MAX_NUMBER:
            return problem(tx("%(question)s: the number is too large.", question=label), "out-of-range", max=MAX_NUMBER)
        if question.min is not None and value < question.min:
            return problem(
                tx("%(question)s must be at least %(min)s.", question=label, min=number_text(question.min)),
                "below-minimum",
                value=value,
                min=question.min,
            )
        if question.max is not None and value > question.max:
            return problem(
                tx("%(question)s must be at most %(max)s.", question=label, max=number_text(question.max)),
                "above-maximum",
                value=value,
                max=question.max,
            )
        return None
    if question.type == "boolean":
        if not isinstance(value, bool):
            return problem(
                tx("%(question)s: choose yes or no.", question=label), "not-a-boolean", found=_json_type(value)
            )
        return None
    if not isinstance(value, str):
        if question.type == "choice":
            return problem(tx("%(question)s: choose one of the options.", question=label), "not-text")
        return problem(tx("%(question)s: enter text.", question=label), "not-text", found=_json_type(value))
    if question.type == "choice" and value not in (question.options or ()):
        return problem(
            tx("%(question)s: choose one of %(options)s.", question=label, options="、".join(question.options or ())),
            "unknown-option",
            value=value,
            options=tuple(question.options or ()),
        )
    return None


def number_text(value: float) -> str:
    """A number as people write it: no ``.0`` on whole numbers."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else f"{value:g}"


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


# -------------------------------------------------------------------------- plan


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


@dataclass(frozen=True, slots=True)
class Plan:
    """The applicant's customised plan for one thing."""

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

    def to_dict(self) -> dict[str, Any]:
        """The plan as the JSON shape of the contract (plus extra keys)."""
        return {
            "thing": self.thing,
            "thing_name": self.thing_name,
            "lead_department": self.lead_department,
            "answers": dict(self.answers),
            "licences": list(self.licences),
            "stages": [list(stage) for stage in self.stages],
            "items": [
                {
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
                for item in self.items
            ],
            "materials": [
                {
                    "code": m.code,
                    "name": m.name,
                    "source": m.source,
                    "provenance": m.provenance,
                    "required": m.required,
                    "tolerable": m.tolerable,
                    "needed_by": list(m.needed_by),
                    "produced_by": m.produced_by,
                    "uses": [
                        {
                            "item": use.item,
                            "required": use.required,
                            "tolerable": use.tolerable,
                            "name_override": use.name_override,
                        }
                        for use in m.uses
                    ],
                }
                for m in self.materials
            ],
            "fields": list(self.fields),
            "serial_days": self.serial_days,
            "plan_days": self.plan_days,
            "fee_total": self.fee_total,
            "reductions": {side: dict(figures) for side, figures in self.reductions.items()},
            "candidates": [
                {
                    "code": c.code,
                    "name": c.name,
                    "included": c.included,
                    "when": c.when,
                    "read": dict(c.read),
                }
                for c in self.candidates
            ],
        }


def ordering(thing: CompiledThing, answers: Mapping[str, Value]) -> tuple[list[PlanItem], dict[str, list[str]]]:
    """Rules 1 and 2: the included items and each one's direct predecessors.

    Predecessor lists are in the order of the thing's items. Linear in the size
    of the thing (no recursion: chains of thousands of excluded items are fine).
    """
    included = [item for item in thing.items if item.when.holds(answers)]
    included_codes = {item.code for item in included}
    by_code = {item.code: item for item in thing.items}
    position = {item.code: item.position for item in thing.items}
    through = _through_excluded(by_code, included_codes)

    producers: dict[str, list[str]] = {}
    for item in included:
        for material in item.produces_order:
            producers.setdefault(material, []).append(item.code)

    preds: dict[str, list[str]] = {}
    for item in included:
        found: set[str] = set()
        for before in item.after:
            if before in included_codes:
                found.add(before)
            else:
                found |= through.get(before, frozenset())
        for need in item.needs:
            if need.material in producers and need.when.holds(answers):
                found.update(p for p in producers[need.material] if p != item.code)
        found.discard(item.code)
        preds[item.code] = sorted(found, key=position.__getitem__)
    return included, preds


def _through_excluded(by_code: Mapping[str, PlanItem], included: set[str]) -> dict[str, frozenset[str]]:
    """For each excluded item, the included items its ``after`` reaches through excluded ones.

    Iterative depth-first search with memoisation; a loop among excluded items
    (which import refuses) contributes nothing instead of recursing forever.
    """
    result: dict[str, frozenset[str]] = {}
    for root in by_code:
        if root in included or root in result:
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        on_stack = {root}
        gathered: dict[str, set[str]] = {root: set()}
        while stack:
            code, index = stack[-1]
            after = by_code[code].after
            if index < len(after):
                stack[-1] = (code, index + 1)
                before = after[index]
                if before in included:
                    gathered[code].add(before)
                elif before in result:
                    gathered[code] |= result[before]
                elif before not in on_stack and before in by_code:
                    stack.append((before, 0))
                    on_stack.add(before)
                    gathered[before] = set()
                continue
            stack.pop()
            on_stack.discard(code)
            result[code] = frozenset(gathered.pop(code))
            if stack:
                gathered[stack[-1][0]] |= result[code]
    return result


def find_cycle(nodes: Iterable[str], preds: Mapping[str, Iterable[str]]) -> tuple[str, ...] | None:
    """A cycle in the predecessor graph as ``(a, b, ..., a)`` in execution order, or None.

    Iterative (an explicit stack), so very long chains do not hit Python's recursion limit.
    """
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(nodes, white)
    for root in list(colour):
        if colour[root] != white:
            continue
        path: list[str] = [root]
        iterators = [iter(preds.get(root, ()))]
        colour[root] = grey
        while path:
            pred = next(iterators[-1], None)
            if pred is None:
                colour[path.pop()] = black
                iterators.pop()
                continue
            state = colour.get(pred)
            if state == grey:
                loop = [*path[path.index(pred) :], pred]
                return tuple(reversed(loop))
            if state == white:
                colour[pred] = grey
                path.append(pred)
                iterators.append(iter(preds.get(pred, ())))
    return None


def _layers(included: list[PlanItem], preds: Mapping[str, list[str]]) -> tuple[dict[str, int], dict[str, int]]:
    """Longest-path stage numbers and finish days (promised_days) per item.

    Kahn's algorithm: each item is settled once all its predecessors are, so the
    cost is linear in items plus ordering edges.
    """
    stage: dict[str, int] = {}
    finish: dict[str, int] = {}
    promised = {item.code: item.promised_days for item in included}
    waiting = {code: len(before) for code, before in preds.items()}
    successors: dict[str, list[str]] = {code: [] for code in preds}
    for code, before in preds.items():
        for pred in before:
            successors[pred].append(code)
    ready = [item.code for item in included if not preds[item.code]]
    while ready:
        code = ready.pop()
        before = preds[code]
        stage[code] = 1 + max((stage[p] for p in before), default=0)
        finish[code] = promised[code] + max((finish[p] for p in before), default=0)
        for succ in successors[code]:
            waiting[succ] -= 1
            if waiting[succ] == 0:
                ready.append(succ)
    if len(stage) < len(included):
        left = [item.code for item in included if item.code not in stage]
        cycle = find_cycle(left, {c: [p for p in preds[c] if p not in stage] for c in left})
        raise DependencyCycle(cycle or tuple(left))
    return stage, finish


def plan(
    thing: CompiledThing,
    answers: Mapping[str, Any],
    licences: Collection[str] = (),
    *,
    validate: bool = True,
) -> Plan:
    """Plan a thing for the given answers.

    Args:
        thing: the compiled thing.
        answers: question key → answer (validated unless ``validate`` is False).
        licences: material codes the applicant holds in the e-licence library;
            empty when the applicant is not known.
        validate: check the answers first (skip only for answers already checked).

    Returns:
        The plan.

    Raises:
        AnswersInvalid: bad answers, one problem per question.
        DependencyCycle: when the included items' ordering is cyclic.
    """
    clean = validate_answers(thing.questions, answers) if validate else dict(answers)
    included, preds = ordering(thing, clean)
    stage, finish = _layers(included, preds)

    by_code = {item.code: item for item in included}
    stage_count = max(stage.values(), default=0)
    grouped: list[list[str]] = [[] for _ in range(stage_count)]
    for item in included:  # the thing's order inside each stage
        grouped[stage[item.code] - 1].append(item.code)
    stages = tuple(tuple(codes) for codes in grouped)
    items = tuple(
        PlannedItem(
            code=item.code,
            name=item.name,
            department=item.department,
            stage=stage[item.code],
            after=tuple(preds[item.code]),
            legal_days=item.legal_days,
            promised_days=item.promised_days,
            fee=item.fee,
            online=item.online,
            produces=item.produces_order,
            start_day=finish[item.code] - item.promised_days,
            finish_day=finish[item.code],
        )
        for stage_codes in stages
        for item in (by_code[c] for c in stage_codes)
    )

    # materials: union over included items of the needs whose condition holds
    needed: dict[str, list[tuple[str, NeedSpec]]] = {}
    before_total = 0
    for item in included:
        for need in item.needs:
            if need.when.holds(clean):
                uses_of = needed.get(need.material)
                if uses_of is None:
                    needed[need.material] = [(item.code, need)]
                else:
                    uses_of.append((item.code, need))
                if need.required:
                    before_total += 1
    held = frozenset(licences)
    included_codes = {item.code for item in included}
    materials: list[PlannedMaterial] = []
    submitted_required = 0
    for code, uses in needed.items():
        needers = [item_code for item_code, _ in uses]
        produced_by = None
        for producer in thing.producers.get(code, ()):
            if producer in included_codes and producer not in needers:
                produced_by = producer
                break
        info = thing.materials[code]
        if produced_by is not None:
            provenance = "produced"
        elif info.source == "licence" and code in held:
            provenance = "licence"
        else:
            provenance = "submit"
        required = False
        tolerable_any = False
        tolerable_all_required = True
        use_records = []
        for item_code, need in uses:
            required = required or need.required
            tolerable_any = tolerable_any or need.tolerable
            if need.required and not need.tolerable:
                tolerable_all_required = False
            use_records.append(MaterialUse(item_code, need.required, need.tolerable, need.name_override))
        if required and provenance == "submit":
            submitted_required += 1
        materials.append(
            PlannedMaterial(
                code=code,
                name=info.name,
                source=info.source,
                provenance=provenance,
                required=required,
                tolerable=tolerable_any and tolerable_all_required,
                needed_by=tuple(needers),
                produced_by=produced_by,
                uses=tuple(use_records),
            )
        )

    fields = tuple(dict.fromkeys(f for item in included for f in item.fields))
    serial_days = sum(item.legal_days for item in included)
    plan_days = max(finish.values(), default=0)
    all_online = all(item.online for item in included)
    reductions = {
        "before": {
            "departments": len({item.department for item in included}),
            "trips": sum(0 if item.online else 2 for item in included),
            "forms": len(included),
            "fields": sum(len(item.fields) for item in included),
            "materials": before_total,
            "days": serial_days,
        },
        "after": {
            "departments": 0 if all_online else 1,
            "trips": 0 if all_online else 1,
            "forms": 1,
            "fields": len(fields),
            "materials": submitted_required,
            "days": plan_days,
        },
    }
    candidates = tuple(
        CandidateExplanation(
            code=item.code,
            name=item.name,
            included=item.code in included_codes,
            when=item.when.text or None,
            read={key: clean.get(key) for key in item.when_names},
        )
        for item in thing.items
    )
    fee_total = sum(item.fee for item in included)
    return Plan(
        thing=thing.code,
        thing_name=thing.name,
        lead_department=thing.lead_department,
        answers=clean,
        licences=tuple(sorted(held)),
        stages=stages,
        items=items,
        materials=tuple(materials),
        fields=fields,
        serial_days=serial_days,
        plan_days=plan_days,
        fee_total=fee_total,
        reductions=reductions,
        candidates=candidates,
    )
