"""Who may see which rectification ticket and appeal: supervisors every one; the rated department's staff
(reviewers and clerks) their department's; the evaluator (the applicant of the case) their own tickets, never the
appeals. Anything else is absent (404).

The evaluator's identity is masked from the rated unit: only a supervisor (or the evaluator) sees who rated, and
the unit is never shown the case the rating belongs to (``evaluator_shown``).
"""

from __future__ import annotations

from django.db.models import Q

from lianban.accounts.models import Role, User
from lianban.evaluation.models import Appeal, RectificationTicket

#: The roles of the rated unit's staff who work a ticket.
UNIT_ROLES = (Role.REVIEWER, Role.CLERK)


def ticket_visibility(user: User) -> Q | None:
    """The tickets ``user`` may see as a filter (None: none at all)."""
    if user.role == Role.SUPERVISOR:
        return Q()
    if user.role in UNIT_ROLES and user.department_id is not None:
        return Q(department_id=user.department_id)
    if user.is_applicant:
        return Q(case__applicant__memberships__user=user)
    return None


def is_unit_member(user: User, ticket: RectificationTicket) -> bool:
    """Whether ``user`` works for the rated unit of ``ticket``."""
    return user.role in UNIT_ROLES and user.department_id is not None and user.department_id == ticket.department_id


def is_evaluator(user: User, ticket: RectificationTicket) -> bool:
    """Whether ``user`` is the applicant who gave the rating."""
    applicant = ticket.rating.applicant
    return user.is_applicant and applicant is not None and applicant.memberships.filter(user=user).exists()


def can_see_ticket(user: User, ticket: RectificationTicket) -> bool:
    """Whether ``user`` may see ``ticket``."""
    return user.role == Role.SUPERVISOR or is_unit_member(user, ticket) or is_evaluator(user, ticket)


def evaluator_shown(user: User) -> bool:
    """Whether ``user`` may see who gave a rating (and its case): the supervisors; never the rated unit."""
    return user.role == Role.SUPERVISOR


def appeal_visibility(user: User) -> Q | None:
    """The appeals ``user`` may see as a filter (None: none at all)."""
    if user.role == Role.SUPERVISOR:
        return Q()
    if user.role in UNIT_ROLES and user.department_id is not None:
        return Q(department_id=user.department_id)
    return None


def can_see_appeal(user: User, appeal: Appeal) -> bool:
    """Whether ``user`` may see ``appeal``: a supervisor, or the staff of the appealing unit."""
    return user.role == Role.SUPERVISOR or (
        user.role in UNIT_ROLES and user.department_id is not None and user.department_id == appeal.department_id
    )
