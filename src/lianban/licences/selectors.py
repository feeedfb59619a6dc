"""Reads of the licence library."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from lianban.accounts.models import Applicant, ApplicantMember, Role, User
from lianban.licences.access import window_licences
from lianban.licences.models import Licence


def licence_list_valid(*, holder: Applicant, on: date) -> QuerySet[Licence]:
    """The holder's licences valid on ``on`` (issued by then, not expired)."""
    return (
        Licence.objects.filter(holder=holder, issued_on__lte=on)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .select_related("material", "department")
        .order_by("material__code", "-issued_on", "-id")
    )


def licence_codes_held(*, holder: Applicant, on: date) -> list[str]:
    """Material codes of the holder's valid licences (what planning calls ``licences``)."""
    return sorted(set(licence_list_valid(holder=holder, on=on).values_list("material__code", flat=True)))


def licence_best(*, holder: Applicant, material_code: str, on: date) -> Licence | None:
    """The holder's most recently issued valid licence for a material, or None."""
    return licence_list_valid(holder=holder, on=on).filter(material__code=material_code).first()


def licence_list_for_holder(*, holder: Applicant) -> QuerySet[Licence]:
    """Every licence of the holder, newest first."""
    return Licence.objects.filter(holder=holder).select_related("material", "department", "item_case")


def licence_list_for_user(user: User) -> QuerySet[Licence]:
    """The licences ``user`` may see (same rule as ``access_licence_for_user``), newest first."""
    licences = Licence.objects.select_related("material", "holder", "department", "item_case__case").order_by(
        "-issued_on", "-id"
    )
    if not user.is_active:
        return licences.none()
    if user.role == Role.APPLICANT:
        # the applicant ids as values, not a subquery: with a literal holder the planner walks
        # (holder, issued_on, id) newest first and stops at the page, even for a holder of thousands
        holders = list(ApplicantMember.objects.filter(user=user).values_list("applicant_id", flat=True))
        return licences.filter(holder_id__in=holders)
    if user.role == Role.CLERK:
        return licences.filter(window_licences(user))
    if user.role == Role.SUPERVISOR:
        return licences
    if user.role == Role.REVIEWER and user.department_id is not None:
        return licences.filter(department_id=user.department_id)
    return licences.none()
