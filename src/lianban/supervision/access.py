"""Who may see which 督办 order: supervisors every one, a department's reviewers their department's, a leader
the orders escalated to them. Anything else is absent (404)."""

from __future__ import annotations

from django.db.models import Q

from lianban.accounts.models import Role, User
from lianban.supervision.models import SupervisionOrder


def order_visibility(user: User) -> Q | None:
    """The orders ``user`` may see as a filter (None: none at all)."""
    if user.role == Role.SUPERVISOR:
        return Q()
    seen = Q(escalated_to=user)
    if user.role == Role.REVIEWER and user.department_id is not None:
        seen |= Q(department_id=user.department_id)
    return None if user.is_applicant else seen


def can_see_order(user: User, order: SupervisionOrder) -> bool:
    """Whether ``user`` may see ``order``."""
    if user.role == Role.SUPERVISOR:
        return True
    if order.escalated_to_id is not None and order.escalated_to_id == user.pk:
        return True
    return user.role == Role.REVIEWER and user.department_id is not None and user.department_id == order.department_id
