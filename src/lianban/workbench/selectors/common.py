"""Reads shared by the workbenches: deadlines, materials with their provenance, forms, answers, the trail."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from lianban.accounts.models import User
from lianban.cases import clock, words
from lianban.cases.form_fields import definitions, field_definition, form_masked
from lianban.cases.models import Case, CaseEvent, CaseMaterial, ItemCase, MaterialState
from lianban.cases.selectors import case_event_list
from lianban.cases.workflow import item_view
from lianban.catalog.models import Department, Item, Question
from lianban.core import case_flow as flow
from lianban.core.case_flow import Calendar
from lianban.core.errors import CalendarNotCovered

UNKNOWN = "UNKNOWN"


@dataclass(frozen=True, slots=True)
class Deadline:
    """A due date and its status (ON_TIME, DUE_SOON, OVERDUE or UNKNOWN), always shown with words.

    ``provisional``: the date is counted through a year without an official
    holiday arrangement yet, and shown with 预计.
    """

    due: date | None
    status: str
    note: str = ""
    provisional: bool = False

    @property
    def label(self) -> str:
        """The status in words."""
        return words.word(words.DUE_STATUSES, self.status)

    @property
    def css(self) -> str:
        """The CSS class of the badge (the words carry the meaning; the colour repeats it)."""
        return "due-" + self.status.lower().replace("_", "-")


def deadline_for(
    due: date | None, *, today: date | None = None, calendar: Calendar | None = None, provisional: bool = False
) -> Deadline:
    """The status of a due date today; UNKNOWN when there is none or the calendar does not cover it.

    The deadline is provisional when ``provisional`` says so (the stored flag)
    or the calendar is provisional between today and the date. A list passes
    the ``calendar`` it read once for all its rows.
    """
    if due is None:
        return Deadline(None, UNKNOWN, _("the working-day calendar does not cover the due date yet"))
    calendar = calendar or clock.calendar()
    today = today or clock.today()
    try:
        status = flow.deadline_status(calendar, due, today, settings.LIANBAN_DUE_SOON_DAYS)
    except CalendarNotCovered as exc:
        return Deadline(due, UNKNOWN, _("no working-day calendar for %(year)s") % {"year": exc.year})
    return Deadline(due, status.value, provisional=provisional or calendar.provisional_between(today, due))


def item_deadline(item: ItemCase, *, today: date | None = None, calendar: Calendar | None = None) -> Deadline | None:
    """The deadline of a running item case as it stands today (a paused clock moves it); None when not running.

    A list passes the ``calendar`` it read once for all its rows.
    """
    if item.state not in flow.RUNNING_ITEM_STATES:
        return None
    if item.due_on is None:
        if item.due_year_missing:
            return Deadline(None, UNKNOWN, _("no working-day calendar for %(year)s") % {"year": item.due_year_missing})
        return Deadline(None, UNKNOWN, _("the working-day calendar does not cover the due date yet"))
    day = today or clock.today()
    calendar = calendar or clock.calendar()
    try:
        due = flow.effective_due(calendar, item_view(item), day)
    except CalendarNotCovered as exc:
        return Deadline(item.due_on, UNKNOWN, _("no working-day calendar for %(year)s") % {"year": exc.year})
    if due is None:
        return None
    provisional = item.due_provisional or calendar.provisional_between(item.started_on or day, due)
    return deadline_for(due, today=day, calendar=calendar, provisional=provisional)


def code_text(case: Case) -> str:
    """The tracking code as people read it (XXXX-XXXX-XXXX)."""
    return case.code_for_people


def department_names(codes: Iterable[str] = ()) -> dict[str, str]:
    """Department code → name (all departments when no codes are given)."""
    rows = Department.objects.all() if not codes else Department.objects.filter(code__in=list(codes))
    return dict(rows.values_list("code", "name"))


@dataclass(frozen=True, slots=True)
class MaterialRow:
    """A case material as a workbench shows it: once, with where it comes from."""

    material: CaseMaterial
    source_text: str
    state_text: str
    needed_by: tuple[str, ...]

    @property
    def has_file(self) -> bool:
        """Whether a file was uploaded for it."""
        return bool(self.material.file)

    @property
    def promised(self) -> bool:
        """Missing at acceptance against a written promise (容缺), not supplied yet."""
        return self.material.state == MaterialState.PROMISED


def provenance_text(material: CaseMaterial, items: Mapping[str, ItemCase], departments: Mapping[str, str]) -> str:
    """Where a material comes from, in words (申请人提交 / 电子证照库调取 / 由「…」（…）产生 / 容缺待补)."""
    if material.provenance == "produced":
        producer = items.get(material.produced_by)
        name = producer.item_name if producer else material.produced_by
        department = departments.get(producer.department.code, "") if producer else ""
        text = _("Produced by “%(item)s” (%(department)s)") % {"item": name, "department": department}
        if material.licence is not None:
            text += _(" (No. %(number)s)") % {"number": material.licence.number}
        return text
    if material.provenance == "licence":
        if material.licence is not None:
            return _("From the electronic licence library (No. %(number)s)") % {"number": material.licence.number}
        return _("From the electronic licence library")
    if material.state == "PROMISED":
        return _("Promised for later (容缺)")
    return _("Submitted by the applicant")


def material_rows(materials: Sequence[CaseMaterial], items: Sequence[ItemCase]) -> list[MaterialRow]:
    """Each material once, with its provenance in words and the names of the items that need it."""
    by_code = {item.item_code: item for item in items}
    departments = {item.department.code: item.department.name for item in items}
    rows = []
    for material in materials:
        state = words.word(words.MATERIAL_STATES, material.state)
        if material.state == "RECEIVED" and material.paper and not material.file:
            state = _("Paper original checked")
        if material.state == "PROMISED" and material.promise_due:
            state = _("Promised by %(date)s (容缺)") % {"date": date_text(material.promise_due)}
        rows.append(
            MaterialRow(
                material=material,
                source_text=provenance_text(material, by_code, departments),
                state_text=state,
                needed_by=tuple(by_code[c].item_name if c in by_code else c for c in material.needed_by),
            )
        )
    return rows


def date_text(day: date | datetime | None) -> str:
    """A date as 2026年11月22日 (in any language, the way the documents print it)."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = clock.local_date(day)
    return f"{day.year}年{day.month}月{day.day}日"


def field_label(key: str, case: Case | None = None) -> str:
    """The label of a form field: as the case was submitted with it, else from the catalog (its key when none)."""
    known = definitions([key], case.frozen_plan if case is not None else None)
    return field_definition(key, known).label


@dataclass(frozen=True, slots=True)
class FieldRow:
    """One value of the merged application form."""

    key: str
    label: str
    value: str


def value_text(value: Any) -> str:
    """A form or answer value in words (是/否 for booleans)."""
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def form_rows(case: Case, keys: Iterable[str] | None = None, *, full_keys: Iterable[str] | None = ()) -> list[FieldRow]:
    """The merged form's values (only ``keys`` when given), in the plan's field order.

    Personal values are masked except for ``full_keys`` (``None``: all in full; by default none).
    """
    order = list(case.frozen_plan.fields) or list(case.form)
    wanted = set(keys) if keys is not None else None
    known = definitions(order, case.frozen_plan)
    shown = form_masked(case.form, None if full_keys is None else set(full_keys), known)
    return [
        FieldRow(key, field_definition(key, known).label, value_text(shown.get(key)))
        for key in order
        if key in case.form and (wanted is None or key in wanted)
    ]


def item_field_keys(item_code: str) -> list[str]:
    """The form fields an item reads (from the catalog)."""
    row = Item.objects.filter(code=item_code).values_list("form_fields", flat=True).first()
    return list(row or [])


def answer_rows(case: Case) -> list[FieldRow]:
    """The situational answers with the questions' text."""
    texts = dict(Question.objects.filter(thing_id=case.thing_id).values_list("key", "text"))
    return [FieldRow(key, texts.get(key, key), value_text(value)) for key, value in case.answers.items()]


@dataclass(frozen=True, slots=True)
class EventRow:
    """One line of the audit trail in words."""

    at: datetime
    actor: str
    action: str
    detail: str
    item: str


def _event_detail(event: CaseEvent, materials: Mapping[str, str]) -> str:
    after = event.after or {}
    parts: list[str] = []
    material = str(after.get("material", ""))
    if material:
        parts.append(materials.get(material, material))
    if event.action == "intake.checked":
        parts.append(words.word(words.CHECK_RESULTS, str(after.get("result", ""))))
    if "due_on" in after and after.get("due_on"):
        parts.append(_("due %(date)s") % {"date": date_text(date.fromisoformat(str(after["due_on"])))})
        if after.get("provisional"):
            parts.append(_("provisional (预计)"))
    if after.get("licence_number"):
        parts.append(_("licence No. %(number)s") % {"number": after["licence_number"]})
    if event.reason:
        parts.append(event.reason)
    return "；".join(parts)


def event_rows(case: Case, *, item_case: ItemCase | None = None) -> list[EventRow]:
    """The audit trail (of one item case when given) in words, oldest first."""
    materials = dict(CaseMaterial.objects.filter(case=case).values_list("code", "name"))
    rows = []
    for event in case_event_list(case, item_case=item_case):
        actor = str(event.actor) if event.actor is not None else words.word(words.ACTOR_ROLES, event.actor_role)
        rows.append(
            EventRow(
                at=event.at,
                actor=actor,
                action=words.word(words.ACTIONS, event.action),
                detail=_event_detail(event, materials),
                item=event.item_case.item_name if event.item_case is not None else "",
            )
        )
    return rows


def user_text(user: User | None) -> str:
    """A user's display name ("" for nobody)."""
    return str(user) if user is not None else ""
