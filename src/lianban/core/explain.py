"""Explanations: what would change the plan, before the applicant signs a lease.

For each number question, the number line is cut at every constant the
conditions compare it with (and the current answers of other number questions,
for conditions comparing two questions). Within each piece every condition has
the same value, so one plan per piece tells the whole story; neighbouring pieces
with the same plan are merged. Each resulting range says which items and
materials it adds or removes and how many working days it adds, compared with
the plan for the current answers.

For yes/no and choice questions, each other answer is tried the same way.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from lianban.core.conditions import Value, literals_compared_with
from lianban.core.planner import CompiledThing, Plan, plan


@dataclass(frozen=True, slots=True)
class Bound:
    """One end of a range of answers."""

    value: float
    inclusive: bool


@dataclass(frozen=True, slots=True)
class Change:
    """How a plan differs from the plan for the current answers."""

    items_added: tuple[str, ...]
    items_removed: tuple[str, ...]
    materials_added: tuple[str, ...]
    materials_removed: tuple[str, ...]
    plan_days_delta: int
    serial_days_delta: int

    @property
    def empty(self) -> bool:
        """True when nothing differs."""
        return not (
            self.items_added
            or self.items_removed
            or self.materials_added
            or self.materials_removed
            or self.plan_days_delta
            or self.serial_days_delta
        )


@dataclass(frozen=True, slots=True)
class NumberRange:
    """A range of a number question's answers that gives one plan."""

    low: Bound | None
    high: Bound | None
    current: bool
    change: Change

    @property
    def label(self) -> str:
        """``≥ 500``, ``< 300``, ``300 ≤ x < 500``, ``= 0``."""
        low, high = self.low, self.high
        if low and high and low.value == high.value:
            return f"= {_fmt(low.value)}"
        if low and high:
            return f"{_fmt(low.value)} {'≤' if low.inclusive else '<'} x {'≤' if high.inclusive else '<'} {_fmt(high.value)}"
        if low:
            return f"{'≥' if low.inclusive else '>'} {_fmt(low.value)}"
        if high:
            return f"{'≤' if high.inclusive else '<'} {_fmt(high.value)}"
        return "any"


@dataclass(frozen=True, slots=True)
class Alternative:
    """Another answer to a yes/no or choice question and what it would change."""

    value: Value | None
    change: Change


@dataclass(frozen=True, slots=True)
class QuestionExplanation:
    """What each question's answer does to the plan."""

    key: str
    text: str
    type: str
    current: Value | None
    ranges: tuple[NumberRange, ...] = ()
    alternatives: tuple[Alternative, ...] = ()


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _signature(p: Plan) -> tuple[Any, ...]:
    return (
        tuple(i.code for i in p.items),
        tuple(sorted((m.code, m.provenance) for m in p.materials)),
        p.plan_days,
        p.serial_days,
        p.stages,
    )


def _change(base: Plan, other: Plan) -> Change:
    base_items = [i.code for i in base.items]
    other_items = [i.code for i in other.items]
    base_materials = [m.code for m in base.materials]
    other_materials = [m.code for m in other.materials]
    return Change(
        items_added=tuple(c for c in other_items if c not in base_items),
        items_removed=tuple(c for c in base_items if c not in other_items),
        materials_added=tuple(c for c in other_materials if c not in base_materials),
        materials_removed=tuple(c for c in base_materials if c not in other_materials),
        plan_days_delta=other.plan_days - base.plan_days,
        serial_days_delta=other.serial_days - base.serial_days,
    )


def explain(
    thing: CompiledThing,
    answers: Mapping[str, Value],
    licences: Collection[str] = (),
    *,
    base: Plan | None = None,
) -> tuple[QuestionExplanation, ...]:
    """Explain, question by question, which answers would change the plan.

    Args:
        thing: the compiled thing.
        answers: valid answers (as returned by ``validate_answers``).
        licences: the applicant's licence codes, as for ``plan``.
        base: the plan for ``answers`` if already computed.

    Returns:
        One explanation per question, in the thing's order.
    """
    base = base or plan(thing, answers, licences, validate=False)
    exprs = [i.when.expr for i in thing.items] + [n.when.expr for i in thing.items for n in i.needs]
    other_numbers = [v for k, v in answers.items() if isinstance(v, int | float) and not isinstance(v, bool)]
    result: list[QuestionExplanation] = []
    for question in thing.questions:
        current = answers.get(question.key)

        def plan_with(value: Value | None, key: str = question.key) -> Plan:
            trial = dict(answers)
            if value is None:
                trial.pop(key, None)
            else:
                trial[key] = value
            return plan(thing, trial, licences, validate=False)

        if question.type == "number":
            constants = {
                float(v)
                for expr in exprs
                for v in literals_compared_with(expr, question.key)
                if isinstance(v, int | float) and not isinstance(v, bool)
            }
            constants |= {float(v) for v in other_numbers}
            ranges = _number_ranges(question.min, question.max, sorted(constants), current, plan_with, base)
            result.append(QuestionExplanation(question.key, question.text, question.type, current, ranges=ranges))
        elif question.type in ("boolean", "choice"):
            values: list[Value | None] = [True, False] if question.type == "boolean" else list(question.options or ())
            if not question.required:
                values.append(None)
            alternatives = []
            for value in values:
                if value == current and type(value) is type(current):
                    continue
                change = _change(base, plan_with(value))
                if not change.empty:
                    alternatives.append(Alternative(value, change))
            result.append(
                QuestionExplanation(
                    question.key, question.text, question.type, current, alternatives=tuple(alternatives)
                )
            )
        else:
            result.append(QuestionExplanation(question.key, question.text, question.type, current))
    return tuple(result)


def _number_ranges(
    minimum: float | None,
    maximum: float | None,
    constants: list[float],
    current: Value | None,
    plan_with: Any,
    base: Plan,
) -> tuple[NumberRange, ...]:
    lo = -math.inf if minimum is None else float(minimum)
    hi = math.inf if maximum is None else float(maximum)
    cuts = [c for c in constants if lo <= c <= hi]
    # Elementary pieces, in order: the open stretch before each cut, the cut itself,
    # and the stretch after the last cut; conditions are constant on each piece.
    pieces: list[tuple[Bound | None, Bound | None, float]] = []
    low: Bound | None = None if lo == -math.inf else Bound(lo, True)
    previous = lo
    for cut in cuts:
        if cut > previous:
            probe = cut - 1 if previous == -math.inf else (previous + cut) / 2
            pieces.append((low, Bound(cut, False), probe))
        pieces.append((Bound(cut, True), Bound(cut, True), cut))
        low, previous = Bound(cut, False), cut
    if previous < hi:
        if hi == math.inf:
            probe = 0.0 if previous == -math.inf else previous + 1
            pieces.append((low, None, probe))
        else:
            probe = hi - 1 if previous == -math.inf else (previous + hi) / 2
            pieces.append((low, Bound(hi, True), probe))
    merged: list[tuple[Bound | None, Bound | None, tuple[Any, ...], Plan, bool]] = []
    for low, high, probe in pieces:
        value: Value = int(probe) if float(probe).is_integer() else probe
        p = plan_with(value)
        sig = _signature(p)
        holds_current = isinstance(current, int | float) and _inside(float(current), low, high)
        if merged and merged[-1][2] == sig:
            prev = merged[-1]
            merged[-1] = (prev[0], high, sig, prev[3], prev[4] or holds_current)
        else:
            merged.append((low, high, sig, p, holds_current))
    if len(merged) <= 1:
        return ()
    return tuple(NumberRange(low, high, is_current, _change(base, p)) for low, high, _, p, is_current in merged)


def _inside(value: float, low: Bound | None, high: Bound | None) -> bool:
    if low is not None and (value < low.value or (value == low.value and not low.inclusive)):
        return False
    return not (high is not None and (value > high.value or (value == high.value and not high.inclusive)))


def explanations_to_dict(explanations: tuple[QuestionExplanation, ...], thing: CompiledThing) -> list[dict[str, Any]]:
    """JSON shape of explanations, with readable summaries (item names, day deltas)."""
    names = {i.code: i.name for i in thing.items}
    material_names = {code: info.name for code, info in thing.materials.items()}

    def change_dict(change: Change) -> dict[str, Any]:
        parts = [f"+ {names[c]}" for c in change.items_added] + [f"− {names[c]}" for c in change.items_removed]
        parts += [f"+ {material_names[c]}" for c in change.materials_added]
        parts += [f"− {material_names[c]}" for c in change.materials_removed]
        if change.plan_days_delta:
            parts.append(f"{change.plan_days_delta:+d} working days")
        return {
            "items_added": list(change.items_added),
            "items_removed": list(change.items_removed),
            "materials_added": list(change.materials_added),
            "materials_removed": list(change.materials_removed),
            "plan_days_delta": change.plan_days_delta,
            "serial_days_delta": change.serial_days_delta,
            "summary": ", ".join(parts),
        }

    def bound(b: Bound | None) -> dict[str, Any] | None:
        if b is None:
            return None
        value = int(b.value) if float(b.value).is_integer() else b.value
        return {"value": value, "inclusive": b.inclusive}

    out: list[dict[str, Any]] = []
    for e in explanations:
        entry: dict[str, Any] = {"question": e.key, "text": e.text, "type": e.type, "current": e.current}
        if e.type == "number":
            entry["ranges"] = [
                {
                    "label": r.label,
                    "low": bound(r.low),
                    "high": bound(r.high),
                    "current": r.current,
                    "change": change_dict(r.change),
                }
                for r in e.ranges
            ]
        elif e.type in ("boolean", "choice"):
            entry["alternatives"] = [{"value": a.value, "change": change_dict(a.change)} for a in e.alternatives]
        out.append(entry)
    return out
