"""Which licences a user may see. Anything not allowed answers 404."""

from __future__ import annotations

from django.http import Http404

from lianban.accounts.models import Role, User
from lianban.licences.models import Licence


def access_licence_for_user(user: User, licence_id: int) -> Licence:
    """The licence, if ``user`` may see it: the holder's members, clerks, supervisors.

    Raises:
        Http404: no such licence, or not visible to ``user``.
    """
    licence = Licence.objects.select_related("material", "holder", "department").filter(pk=licence_id).first()
    if licence is None or not user.is_active:
        raise Http404
    if user.role == Role.APPLICANT and licence.holder.memberships.filter(user=user).exists():
        return licence
    if user.role in (Role.CLERK, Role.SUPERVISOR):
        return licence
    if user.role == Role.REVIEWER and licence.department_id == user.department_id:
        return licence
    raise Http404
