"""Reads of review: the department's queue, supplement requests."""

from __future__ import annotations

from django.db.models import QuerySet

from lianban.accounts.models import Role, User
from lianban.cases.models import ItemCase
from lianban.core import case_flow as flow
from lianban.review.models import SupplementRequest

#: The department's queue: its running item cases (the core's ``RUNNING_ITEM_STATES``).
QUEUE_STATES = sorted(state.value for state in flow.RUNNING_ITEM_STATES)
#: The department queue's order: the earliest due first, unknown due dates last.
QUEUE_ORDER = ("due_on", "id")


def item_case_queue_for_department(user: User) -> QuerySet[ItemCase]:
    """Open item cases of the reviewer's department, most urgent first; empty for anyone else."""
    if user.role != Role.REVIEWER or user.department_id is None:
        return ItemCase.objects.none()
    return (
        ItemCase.objects.filter(department_id=user.department_id, state__in=QUEUE_STATES)
        .select_related("case", "case__thing", "case__applicant", "department")
        .order_by(*QUEUE_ORDER)
    )


def supplement_list(item: ItemCase) -> QuerySet[SupplementRequest]:
    """The supplement requests of an item case, oldest first."""
    return SupplementRequest.objects.filter(item_case=item).order_by("requested_at", "id")


def supplement_file(case_id: int, supplement_id: int) -> SupplementRequest | None:
    """A supplement request of the case whose file the applicant handed in."""
    return SupplementRequest.objects.filter(pk=supplement_id, item_case__case_id=case_id).exclude(file="").first()
