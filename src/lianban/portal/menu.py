"""The customised menu (定制清单) as the guide page shows it, built from a typed plan.

Input: the :class:`lianban.core.planner.Plan` and explanations of
:func:`lianban.catalog.planning.planned`, and the compiled thing (names of
items, materials, departments, questions).
Output: small frozen dataclasses the templates read — the timeline, each
material once with where it comes from, why each item is in or out, the
thresholds that would change the plan, and the 五减 table. Words go through
Django i18n; nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lianban.core.explain import Change, QuestionExplanation
from lianban.core.planner import CompiledThing, Plan, PlannedMaterial
from lianban.portal.wording import answers_in_words, condition_in_words, number_text, value_text

#: The shortest bar drawn for an item, in percent of the timeline (0-day items stay visible).
MIN_BAR_PERCENT = 2.0


@dataclass(frozen=True, slots=True)
class ItemView:
    """One included item on the timeline."""

    code: str
    name: str
    department: str
    stage: int
    legal_days: int
    promised_days: int
    start_day: int
    finish_day: int
    online: bool
    fee: float | int
    produces: tuple[str, ...]
    after: tuple[str, ...]
    bar_left: float
    bar_width: float


@dataclass(frozen=True, slots=True)
class StageView:
    """A stage: items that run in parallel."""

    number: int
    items: tuple[ItemView, ...]
    start_day: int
    finish_day: int


@dataclass(frozen=True, slots=True)
class MaterialUseView:
    """An item that needs a material, and what that item calls it."""

    item: str
    name_override: str | None
    required: bool
    tolerable: bool


@dataclass(frozen=True, slots=True)
class MaterialView:
    """A material, listed once."""

    code: str
    name: str
    provenance: str  # submit | produced | licence
    provenance_text: str
    required: bool
    tolerable: bool
    uses: tuple[MaterialUseView, ...]


@dataclass(frozen=True, slots=True)
class CandidateView:
    """Why a candidate item is in or out."""

    code: str
    name: str
    department: str
    included: bool
    condition: str | None
    answers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OutcomeView:
    """One range or alternative answer of a question and what it does to the plan."""

    label: str
    current: bool
    changes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ThresholdView:
    """A question whose answer changes the plan."""

    key: str
    question: str
    current: str
    outcomes: tuple[OutcomeView, ...]


@dataclass(frozen=True, slots=True)
class ReductionRow:
    """One line of the 五减 table."""

    key: str
    reduction: str
    label: str
    before: int
    after: int
    saved: int
    percent: int


@dataclass(frozen=True, slots=True)
class Menu:
    """Everything the guide shows under the questions."""

    thing: str
    thing_name: str
    lead_department: str
    stages: tuple[StageView, ...]
    items: tuple[ItemView, ...]
    to_submit: tuple[MaterialView, ...]
    not_submitted: tuple[MaterialView, ...]
    candidates: tuple[CandidateView, ...]
    thresholds: tuple[ThresholdView, ...]
    reductions: tuple[ReductionRow, ...]
    serial_days: int
    plan_days: int
    fee_total: float | int
    axis: tuple[tuple[int, float], ...]

    @property
    def days_saved(self) -> int:
        """Working days the one-thing saves over handling each item separately."""
        return self.serial_days - self.plan_days

    @property
    def departments(self) -> int:
        """How many departments decide the included items."""
        return len({item.department for item in self.items})

    @property
    def tolerable_count(self) -> int:
        """Materials to submit that may come later (容缺)."""
        return sum(1 for m in self.to_submit if m.tolerable)


def _provenance_text(material: PlannedMaterial, items: Mapping[str, str], departments: Mapping[str, str]) -> str:
    provenance = material.provenance
    if provenance == "produced" and material.produced_by is not None:
        producer = material.produced_by
        return _("Produced when “%(item)s” (%(department)s) is done; nothing to submit") % {
            "item": items.get(producer, producer),
            "department": departments.get(producer, ""),
        }
    if provenance == "licence":
        return _("Taken from the electronic licence library; nothing to submit")
    return _("To submit")


def _names(codes: Sequence[str], names: Mapping[str, str]) -> str:
    return _(", ").join(names.get(code, code) for code in codes)


def _changes(change: Change, items: Mapping[str, str], materials: Mapping[str, str]) -> tuple[str, ...]:
    lines = []
    if change.items_added:
        lines.append(_("Adds items: %(names)s") % {"names": _names(change.items_added, items)})
    if change.items_removed:
        lines.append(_("No longer needs items: %(names)s") % {"names": _names(change.items_removed, items)})
    if change.materials_added:
        lines.append(_("Adds materials: %(names)s") % {"names": _names(change.materials_added, materials)})
    if change.materials_removed:
        lines.append(_("Drops materials: %(names)s") % {"names": _names(change.materials_removed, materials)})
    delta = change.plan_days_delta
    if delta < 0:
        lines.append(ngettext("%(days)s working day sooner", "%(days)s working days sooner", -delta) % {"days": -delta})
    elif delta > 0:
        lines.append(ngettext("%(days)s working day longer", "%(days)s working days longer", delta) % {"days": delta})
    if not lines:
        lines.append(_("The plan stays the same"))
    return tuple(lines)


def _thresholds(
    explanations: Sequence[QuestionExplanation], items: Mapping[str, str], materials: Mapping[str, str]
) -> tuple[ThresholdView, ...]:
    views = []
    for entry in explanations:
        outcomes: list[OutcomeView] = []
        for r in entry.ranges:
            outcomes.append(OutcomeView(r.label, r.current, () if r.current else _changes(r.change, items, materials)))
        for alt in entry.alternatives:
            label = _("If you answer “%(answer)s”") % {"answer": value_text(alt.value)}
            outcomes.append(OutcomeView(label, False, _changes(alt.change, items, materials)))
        if outcomes:
            views.append(ThresholdView(entry.key, entry.text, value_text(entry.current), tuple(outcomes)))
    return tuple(views)


def _reductions(reductions: Mapping[str, Mapping[str, int]]) -> tuple[ReductionRow, ...]:
    rows = (
        ("departments", _("Fewer steps"), _("Departments to visit")),
        ("trips", _("Fewer trips"), _("Trips to a window")),
        ("forms", _("Fewer forms"), _("Forms to fill in")),
        ("fields", _("Fewer forms"), _("Form fields to fill in")),
        ("materials", _("Fewer materials"), _("Material submissions")),
        ("days", _("Less time"), _("Time (working days)")),
    )
    before, after = reductions["before"], reductions["after"]
    result = []
    for key, reduction, label in rows:
        saved = before[key] - after[key]
        percent = round(100 * saved / before[key]) if before[key] else 0
        result.append(ReductionRow(key, reduction, label, before[key], after[key], saved, percent))
    return tuple(result)


def _axis(plan_days: int) -> tuple[tuple[int, float], ...]:
    """Day marks under the timeline: about five, on round numbers."""
    if plan_days <= 0:
        return ((0, 0.0),)
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 10**9) if plan_days / s <= 5)
    marks = list(range(0, plan_days, step))
    if plan_days - marks[-1] < step / 2 and len(marks) > 1:
        marks.pop()
    marks.append(plan_days)
    return tuple((day, round(100 * day / plan_days, 2)) for day in marks)


def build_menu(plan: Plan, thing: CompiledThing, explanations: Sequence[QuestionExplanation] = ()) -> Menu:
    """The menu for a plan, with the thresholds its ``explanations`` give (none without)."""
    departments = dict(thing.departments)
    item_names = {item.code: item.name for item in thing.items}
    item_departments = {item.code: departments.get(item.department, item.department) for item in thing.items}
    material_names = {code: info.name for code, info in thing.materials.items()}
    scale = max(plan.plan_days, 1)

    items = []
    for item in plan.items:
        left = 100 * item.start_day / scale
        width = max(100 * (item.finish_day - item.start_day) / scale, MIN_BAR_PERCENT)
        items.append(
            ItemView(
                code=item.code,
                name=item.name,
                department=item_departments.get(item.code, item.department),
                stage=item.stage,
                legal_days=item.legal_days,
                promised_days=item.promised_days,
                start_day=item.start_day,
                finish_day=item.finish_day,
                online=item.online,
                fee=item.fee,
                produces=tuple(material_names.get(code, code) for code in item.produces),
                after=tuple(item_names.get(code, code) for code in item.after),
                bar_left=round(min(left, 100 - MIN_BAR_PERCENT), 2),
                bar_width=round(min(width, 100 - min(left, 100 - MIN_BAR_PERCENT)), 2),
            )
        )
    stages = []
    for number, codes in enumerate(plan.stages, start=1):
        members = tuple(i for i in items if i.code in codes)
        stages.append(StageView(number, members, min(i.start_day for i in members), max(i.finish_day for i in members)))

    materials = []
    for material in plan.materials:
        uses = tuple(
            MaterialUseView(item_names.get(use.item, use.item), use.name_override, use.required, use.tolerable)
            for use in material.uses
        )
        materials.append(
            MaterialView(
                code=material.code,
                name=material.name,
                provenance=material.provenance,
                provenance_text=_provenance_text(material, item_names, item_departments),
                required=material.required,
                tolerable=material.tolerable,
                uses=uses,
            )
        )
    # Required before optional; otherwise the planner's order.
    to_submit = sorted((m for m in materials if m.provenance == "submit"), key=lambda m: not m.required)

    candidates = tuple(
        CandidateView(
            code=c.code,
            name=c.name,
            department=item_departments.get(c.code, ""),
            included=c.included,
            condition=condition_in_words(c.when, thing.questions),
            answers=tuple(answers_in_words(c.read, thing.questions)),
        )
        for c in plan.candidates
    )
    return Menu(
        thing=plan.thing,
        thing_name=plan.thing_name or thing.name,
        lead_department=departments.get(thing.lead_department, thing.lead_department),
        stages=tuple(stages),
        items=tuple(items),
        to_submit=tuple(to_submit),
        not_submitted=tuple(m for m in materials if m.provenance != "submit"),
        candidates=candidates,
        thresholds=_thresholds(explanations, item_names, material_names),
        reductions=_reductions(plan.reductions),
        serial_days=plan.serial_days,
        plan_days=plan.plan_days,
        fee_total=plan.fee_total,
        axis=_axis(plan.plan_days),
    )


def fee_text(fee: float | int) -> str:
    """``免费`` for 0, else the amount in yuan."""
    return _("Free") if not fee else _("%(amount)s yuan") % {"amount": number_text(fee)}
