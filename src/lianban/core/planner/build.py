"""Planning a compiled thing for answers: :func:`plan`, one step per rule of the planning semantics."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from lianban.core.conditions import Value
from lianban.core.planner.answers import validate_answers
from lianban.core.planner.compiled import CompiledThing, NeedSpec, PlanItem
from lianban.core.planner.document import CandidateExplanation, MaterialUse, Plan, PlannedItem, PlannedMaterial
from lianban.core.planner.ordering import layers, ordering


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
    included, preds = ordering(thing, clean)  # rules 1 and 2
    stage, finish = layers(included, preds)  # rule 3
    stages = _stages(included, stage)
    held = frozenset(licences)
    needed = _needs(included, clean)
    materials = _materials(thing, included, needed, held)  # rule 4
    fields = tuple(dict.fromkeys(f for item in included for f in item.fields))  # rule 5
    serial_days = sum(item.legal_days for item in included)  # rule 6
    plan_days = max(finish.values(), default=0)
    return Plan(
        thing=thing.code,
        thing_name=thing.name,
        lead_department=thing.lead_department,
        answers=clean,
        licences=tuple(sorted(held)),
        stages=stages,
        items=_planned_items(included, stages, stage, finish, preds),
        materials=materials,
        fields=fields,
        serial_days=serial_days,
        plan_days=plan_days,
        fee_total=sum(item.fee for item in included),
        reductions=_reductions(included, needed, materials, fields, serial_days, plan_days),  # rule 7
        candidates=_candidates(thing, included, clean),
        field_definitions={key: thing.field_definitions[key] for key in fields if key in thing.field_definitions},
    )


def _stages(included: list[PlanItem], stage: Mapping[str, int]) -> tuple[tuple[str, ...], ...]:
    """The item codes of each stage, in the thing's order inside a stage."""
    grouped: list[list[str]] = [[] for _ in range(max(stage.values(), default=0))]
    for item in included:
        grouped[stage[item.code] - 1].append(item.code)
    return tuple(tuple(codes) for codes in grouped)


def _planned_items(
    included: list[PlanItem],
    stages: tuple[tuple[str, ...], ...],
    stage: Mapping[str, int],
    finish: Mapping[str, int],
    preds: Mapping[str, list[str]],
) -> tuple[PlannedItem, ...]:
    """The included items, stage by stage, with their predecessors and days on the timeline."""
    by_code = {item.code: item for item in included}
    return tuple(
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


#: Material code → (item code, need) of the included items whose need of it holds, in the items' order.
_Needed = dict[str, list[tuple[str, NeedSpec]]]


def _needs(included: list[PlanItem], answers: Mapping[str, Value]) -> _Needed:
    """The needs of the included items whose condition holds, by material."""
    needed: _Needed = {}
    for item in included:
        for need in item.needs:
            if need.when.holds(answers):
                uses_of = needed.get(need.material)
                if uses_of is None:
                    needed[need.material] = [(item.code, need)]
                else:
                    uses_of.append((item.code, need))
    return needed


def _materials(
    thing: CompiledThing, included: list[PlanItem], needed: _Needed, held: frozenset[str]
) -> tuple[PlannedMaterial, ...]:
    """Each needed material once, with one provenance: ``produced`` > ``licence`` > ``submit``.

    Plain loops: this runs for every material of every plan (and of every trial plan of explanations).
    """
    included_codes = {item.code for item in included}
    materials = []
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
        tolerable_all_required = True  # 容缺 only when some use allows it and every required use does
        use_records = []
        for item_code, need in uses:
            required = required or need.required
            tolerable_any = tolerable_any or need.tolerable
            if need.required and not need.tolerable:
                tolerable_all_required = False
            use_records.append(MaterialUse(item_code, need.required, need.tolerable, need.name_override))
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
    return tuple(materials)


def _reductions(
    included: list[PlanItem],
    needed: _Needed,
    materials: tuple[PlannedMaterial, ...],
    fields: tuple[str, ...],
    serial_days: int,
    plan_days: int,
) -> dict[str, dict[str, int]]:
    """The 五减 figures: each item handled separately (``before``) and the one-thing (``after``)."""
    all_online = all(item.online for item in included)
    return {
        "before": {
            "departments": len({item.department for item in included}),
            "trips": sum(0 if item.online else 2 for item in included),
            "forms": len(included),
            "fields": sum(len(item.fields) for item in included),
            "materials": sum(1 for uses in needed.values() for _, need in uses if need.required),
            "days": serial_days,
        },
        "after": {
            "departments": 0 if all_online else 1,
            "trips": 0 if all_online else 1,
            "forms": 1,
            "fields": len(fields),
            "materials": sum(1 for m in materials if m.required and m.provenance == "submit"),
            "days": plan_days,
        },
    }


def _candidates(
    thing: CompiledThing, included: list[PlanItem], answers: Mapping[str, Value]
) -> tuple[CandidateExplanation, ...]:
    """Every candidate item: in or out, its condition and the answers it read."""
    included_codes = {item.code for item in included}
    return tuple(
        CandidateExplanation(
            code=item.code,
            name=item.name,
            included=item.code in included_codes,
            when=item.when.text or None,
            read={key: answers.get(key) for key in item.when_names},
        )
        for item in thing.items
    )
