"""Reads of the department workbench: the queue by due date, the item case page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lianban.accounts.models import User
from lianban.cases.models import CaseMaterial, ItemCase
from lianban.cases.selectors import case_materials_for_item_case, item_case_list
from lianban.catalog.models import Material
from lianban.review.models import SupplementRequest
from lianban.review.selectors import item_case_queue_for_department, supplement_list
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


@dataclass(frozen=True, slots=True)
class DepartmentRow:
    """An open item case of the department."""

    item: ItemCase
    deadline: Deadline | None


def _due_key(row: DepartmentRow) -> tuple[int, date, int]:
    due = row.deadline.due if row.deadline is not None else None
    return (1, date.max, row.item.pk) if due is None else (0, due, row.item.pk)


def department_queue(user: User) -> list[DepartmentRow]:
    """The reviewer's department's open item cases by due date (unknown due dates last)."""
    rows = [DepartmentRow(item, item_deadline(item)) for item in item_case_queue_for_department(user)]
    return sorted(rows, key=_due_key)


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
    )
