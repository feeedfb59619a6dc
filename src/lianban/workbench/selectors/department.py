"""Reads of the department workbench: the queue by due date, the item case page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import QuerySet

from lianban.accounts.models import User
from lianban.cases import clock
from lianban.cases.models import CaseMaterial, ItemCase
from lianban.cases.selectors import (
    ItemActions,
    applicant_matching,
    case_materials_for_item_case,
    item_actions,
    item_case_list,
    start_of_day,
)
from lianban.catalog.models import Material
from lianban.core.tracking import normalise_code
from lianban.review.models import SupplementRequest
from lianban.review.selectors import item_case_queue_for_department, supplement_list
from lianban.supervision.selectors import item_signal_levels
from lianban.workbench.selectors.common import (
    Deadline,
    EventRow,
    FieldRow,
    MaterialRow,
    event_rows,
    form_rows,
    item_deadline,
    item_field_keys,
    material_rows,
)
from lianban.workbench.selectors.window import LIST_DEFERRED, QueueSearch


@dataclass(frozen=True, slots=True)
class DepartmentRow:
    """An open item case of the department."""

    item: ItemCase
    deadline: Deadline | None
    signal: str = ""


def item_search(items: QuerySet[ItemCase], search: QueueSearch) -> QuerySet[ItemCase]:
    """Item cases narrowed by their case's tracking code, applicant and submission dates."""
    if search.code:
        items = items.filter(case__tracking_code=normalise_code(search.code) or "")
    if search.applicant.strip():
        items = items.filter(case__applicant_id__in=applicant_matching(search.applicant))
    if search.submitted_from:
        items = items.filter(case__submitted_at__gte=start_of_day(search.submitted_from))
    if search.submitted_to:
        items = items.filter(case__submitted_at__lt=start_of_day(search.submitted_to + timedelta(days=1)))
    return items


def department_list(user: User, search: QueueSearch) -> QuerySet[ItemCase]:
    """The reviewer's department's open item cases, the earliest due first (unknown due dates last)."""
    deferred = [f"case__{name}" for name in LIST_DEFERRED]
    return item_search(item_case_queue_for_department(user), search).defer(*deferred)


def department_rows(items: list[ItemCase]) -> list[DepartmentRow]:
    """Queue rows with each item's deadline as it stands today."""
    calendar = clock.calendar()
    signals = item_signal_levels(item.pk for item in items)
    return [DepartmentRow(item, item_deadline(item, calendar=calendar), signals.get(item.pk, "")) for item in items]


@dataclass
class ItemPage:
    """Everything the department's item case page shows."""

    item: ItemCase
    deadline: Deadline | None
    materials: list[MaterialRow]
    form: list[FieldRow]
    supplements: list[SupplementRequest]
    open_supplement: SupplementRequest | None
    events: list[EventRow]
    promised: list[CaseMaterial]
    produces: list[str]
    actions: ItemActions


def item_page(item: ItemCase, *, personal: bool = False) -> ItemPage:
    """The item case page: its materials with provenance, its form fields, supplements and history.

    Personal form values are masked unless ``personal`` (the reviewer deciding the item needs them).
    """
    case = item.case
    items = item_case_list(case)
    needed = case_materials_for_item_case(item)
    supplements = list(supplement_list(item).select_related("requested_by", "supplied_by"))
    names = dict(Material.objects.filter(code__in=item.produces).values_list("code", "name"))
    produces = [names.get(code, code) for code in item.produces]
    return ItemPage(
        item=item,
        deadline=item_deadline(item),
        materials=material_rows(needed, items),
        form=form_rows(case, item_field_keys(item.item_code), full_keys=None if personal else ()),
        supplements=supplements,
        open_supplement=next((s for s in reversed(supplements) if s.supplied_at is None), None),
        events=event_rows(case, item_case=item),
        promised=[m for m in needed if m.state == "PROMISED"],
        produces=produces,
        actions=item_actions(item),
    )
