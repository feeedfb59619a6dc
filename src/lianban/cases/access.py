"""Who may see which case. The only way views and services get a case a user might not see.

Anything not allowed raises ``Http404`` (a case of another applicant, of
another window, with no item of the reviewer's department…): the caller
cannot tell "forbidden" from "absent". One condition per line.
"""

from __future__ import annotations

from typing import Protocol

from django.db.models import Q
from django.http import Http404

from lianban.accounts.models import Applicant, Role, User
from lianban.cases.models import Case, ItemState

#: Item states in which the item's department works with the case: running or decided (not waiting, not cancelled).
REVIEWER_VISIBLE_STATES = (
    ItemState.DISPATCHED,
    ItemState.IN_REVIEW,
    ItemState.SUPPLEMENT,
    ItemState.APPROVED,
    ItemState.REJECTED,
)


class ForSubject(Protocol):
    """A one-thing as the application rule sees it (the catalog row or the compiled thing)."""

    @property
    def subject(self) -> str:
        """The kind of applicant it is for (``enterprise`` or ``person``)."""
        ...


def may_apply(applicant: Applicant, thing: ForSubject) -> bool:
    """Whether ``applicant`` may apply for ``thing``: a one-thing is for applicants of one kind (its subject).

    The one rule, applied by the submission service (API, portal, window) and the portal's pages;
    ``applicants_who_may_apply`` is its query.
    """
    return applicant.kind == thing.subject


def applicants_who_may_apply(thing: ForSubject) -> Q:
    """``may_apply`` as a condition on applicants."""
    return Q(kind=thing.subject)


def clerk_serves(user: User, case: Case) -> bool:
    """Whether a window clerk handles the case: their department leads it, or they are a comprehensive window."""
    return user.role == Role.CLERK and (user.department_id is None or user.department_id == case.lead_department_id)


def user_acts_for_case(user: User, case: Case) -> bool:
    """Whether an applicant user acts for the case's applicant."""
    return user.role == Role.APPLICANT and case.applicant.memberships.filter(user=user).exists()


def reviewer_has_item(user: User, case: Case) -> bool:
    """Whether a reviewer's department has an item of the case running or decided (not waiting, not cancelled)."""
    if user.role != Role.REVIEWER or user.department_id is None:
        return False
    return case.item_cases.filter(department_id=user.department_id, state__in=REVIEWER_VISIBLE_STATES).exists()


def reviewer_item_codes(user: User, case: Case) -> set[str]:
    """The item codes of the case a reviewer works on now (their department's, running or decided)."""
    if user.role != Role.REVIEWER or user.department_id is None:
        return set()
    items = case.item_cases.filter(department_id=user.department_id, state__in=REVIEWER_VISIBLE_STATES)
    return set(items.values_list("item_code", flat=True))


def can_see_case(user: User, case: Case) -> bool:
    """The read rule for cases, one condition per role."""
    if not user.is_active:
        return False
    if user.role == Role.APPLICANT:
        return user_acts_for_case(user, case)
    if user.role == Role.CLERK:
        return clerk_serves(user, case)
    if user.role == Role.REVIEWER:
        return reviewer_has_item(user, case)
    if user.role == Role.ADMIN:
        return False  # admins manage the catalog, not case data
    return user.role == Role.SUPERVISOR


def access_case_for_user(user: User, case_id: int) -> Case:
    """The case, if ``user`` may see it (reviewers get it for a department-limited view).

    Raises:
        Http404: no such case, or not visible to ``user``.
    """
    case = Case.objects.select_related("applicant", "thing", "lead_department").filter(pk=case_id).first()
    if case is None or not can_see_case(user, case):
        raise Http404
    return case


def sees_personal_data(user: User, case: Case) -> bool:
    """Whether ``user`` needs the case's personal values in full: the applicant's own users, the serving clerk.

    Everyone else who may see the case (reviewers, supervisors) gets them
    masked (``lianban.core.masking``), except the form fields their own items
    need (``personal_form_keys``).
    """
    if user.role == Role.APPLICANT:
        return user_acts_for_case(user, case)
    return clerk_serves(user, case)


def personal_form_keys(user: User, case: Case) -> set[str] | None:
    """The form fields ``user`` sees in full: ``None`` = all; a reviewer, those their department's items read."""
    if sees_personal_data(user, case):
        return None
    if user.role != Role.REVIEWER or user.department_id is None:
        return set()
    from lianban.catalog.models import Item

    codes = case.item_cases.filter(department_id=user.department_id).values_list("item_code", flat=True)
    keys: set[str] = set()
    for fields in Item.objects.filter(code__in=list(codes)).values_list("form_fields", flat=True):
        keys.update(fields or [])
    return keys
