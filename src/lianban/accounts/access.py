"""Which applicants a user may see. Anything not allowed answers 404.

A window clerk sees the applicants of the cases of their window (their
department leads the case; a comprehensive window, without a department,
serves every case), supervisors every applicant, an applicant user those
they act for. Reviewers, catalog and security administrators see none.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from lianban.accounts.models import Applicant, Role, User


def window_applicants(user: User) -> QuerySet[Applicant]:
    """The applicants with a case at the clerk's window (none for other roles)."""
    if user.role != Role.CLERK:
        return Applicant.objects.none()
    served = Q(cases__isnull=False)
    if user.department_id is not None:
        served = Q(cases__lead_department_id=user.department_id)
    return Applicant.objects.filter(pk__in=Applicant.objects.filter(served).values("pk"))


def can_see_applicant(user: User, applicant: Applicant) -> bool:
    """The read rule for applicants, one condition per role."""
    if not user.is_active:
        return False
    if user.role == Role.APPLICANT:
        return applicant.memberships.filter(user=user).exists()
    if user.role == Role.CLERK:
        return window_applicants(user).filter(pk=applicant.pk).exists()
    return user.role == Role.SUPERVISOR


def access_applicant_for_user(user: User, applicant_id: int) -> Applicant:
    """The applicant, if ``user`` may see it: its members, the clerks of its cases' windows, supervisors.

    Raises:
        Http404: no such applicant, or not visible to ``user``.
    """
    applicant = Applicant.objects.filter(pk=applicant_id).first()
    if applicant is None or not can_see_applicant(user, applicant):
        raise Http404
    return applicant


def access_applicant_for_submission(user: User, applicant_id: int) -> Applicant:
    """The applicant a case is submitted for: one the applicant user acts for, or any at a window.

    A window clerk submits for the person standing at the window with their
    papers (registered there, or earlier): the answer is the new case, which
    names the applicant but shows none of its personal data.

    Raises:
        Http404: no such applicant, or not one ``user`` may submit for.
    """
    applicant = Applicant.objects.filter(pk=applicant_id).first()
    if applicant is None or not user.is_active:
        raise Http404
    if user.role == Role.CLERK:
        return applicant
    if user.role == Role.APPLICANT and applicant.memberships.filter(user=user).exists():
        return applicant
    raise Http404
