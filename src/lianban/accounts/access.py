"""Which applicants a user may see. Anything not allowed answers 404."""

from __future__ import annotations

from django.http import Http404

from lianban.accounts.models import Applicant, Role, User


def access_applicant_for_user(user: User, applicant_id: int) -> Applicant:
    """The applicant, if ``user`` may see it: its members, clerks and supervisors.

    Raises:
        Http404: no such applicant, or not visible to ``user``.
    """
    applicant = Applicant.objects.filter(pk=applicant_id).first()
    if applicant is None:
        raise Http404
    if not user.is_active:
        raise Http404
    if user.role == Role.APPLICANT and applicant.memberships.filter(user=user).exists():
        return applicant
    if user.role in (Role.CLERK, Role.SUPERVISOR):
        return applicant
    raise Http404
