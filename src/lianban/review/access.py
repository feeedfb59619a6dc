"""Who may see which item case. Anything not allowed raises ``Http404``; one condition per line."""

from __future__ import annotations

from django.http import Http404

from lianban.accounts.models import Role, User
from lianban.cases.access import REVIEWER_VISIBLE_STATES, clerk_serves, user_acts_for_case
from lianban.cases.models import ItemCase


def can_see_item_case(user: User, item: ItemCase) -> bool:
    """The read rule for item cases, one condition per role."""
    if not user.is_active:
        return False
    if user.role == Role.REVIEWER:
        return item.department_id == user.department_id and item.state in REVIEWER_VISIBLE_STATES
    if user.role == Role.APPLICANT:
        return user_acts_for_case(user, item.case)
    if user.role == Role.CLERK:
        return clerk_serves(user, item.case)
    if user.role == Role.ADMIN:
        return False  # admins manage the catalog, not case data
    return user.role == Role.SUPERVISOR


def access_item_case_for_user(user: User, item_case_id: int) -> ItemCase:
    """The item case, if ``user`` may see it (reviewers: their department's only).

    Raises:
        Http404: no such item case, or not visible to ``user``.
    """
    item = ItemCase.objects.select_related("case", "case__applicant", "department").filter(pk=item_case_id).first()
    if item is None or not can_see_item_case(user, item):
        raise Http404
    return item
