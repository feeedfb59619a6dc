"""Which licences a user may see. Anything not allowed answers 404."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from lianban.accounts.models import Role, User
from lianban.cases.models import Case, CaseMaterial
from lianban.licences.models import Licence


def window_licences(user: User) -> Q:
    """The licences of the cases of a clerk's window: produced by one of them, or used as one's material."""
    cases = (
        Case.objects.all() if user.department_id is None else Case.objects.filter(lead_department_id=user.department_id)
    )
    used = CaseMaterial.objects.filter(case__in=cases, licence__isnull=False).values("licence_id")
    return Q(item_case__case__in=cases) | Q(pk__in=used)


def access_licence_for_user(user: User, licence_id: int) -> Licence:
    """The licence, if ``user`` may see it: the holder's members, its window's clerks, its department, supervisors.

    Raises:
        Http404: no such licence, or not visible to ``user``.
    """
    licence = Licence.objects.select_related("material", "holder", "department").filter(pk=licence_id).first()
    if licence is None or not user.is_active:
        raise Http404
    if user.role == Role.APPLICANT and licence.holder.memberships.filter(user=user).exists():
        return licence
    if user.role == Role.CLERK and Licence.objects.filter(window_licences(user), pk=licence.pk).exists():
        return licence
    if user.role == Role.SUPERVISOR:
        return licence
    if user.role == Role.REVIEWER and licence.department_id == user.department_id:
        return licence
    raise Http404
