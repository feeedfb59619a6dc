"""Which licences a user may see. Anything not allowed answers 404."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from lianban.accounts.models import Role, User
from lianban.licences.models import Licence


def window_licences(user: User) -> Q:
    """The licences of the cases of a clerk's window: produced by one of them, or used as one's material.

    Written through the relations from the licence (``item_case``, ``case_materials``): the licence
    library sits below the cases app and does not import it.
    """
    if user.department_id is None:
        used = Licence.objects.filter(case_materials__isnull=False)
        return Q(item_case__isnull=False) | Q(pk__in=used.values("pk"))
    used = Licence.objects.filter(case_materials__case__lead_department_id=user.department_id)
    return Q(item_case__case__lead_department_id=user.department_id) | Q(pk__in=used.values("pk"))


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
