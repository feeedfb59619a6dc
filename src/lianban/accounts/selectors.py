"""Reads of accounts."""

from __future__ import annotations

from django.db.models import QuerySet

from lianban.accounts.access import window_applicants
from lianban.accounts.models import Applicant, Role, User


def applicant_list_for_user(user: User) -> QuerySet[Applicant]:
    """The applicants ``user`` acts for."""
    return Applicant.objects.filter(memberships__user=user).order_by("name", "id")


def user_acts_for(user: User, applicant_id: int) -> bool:
    """Whether ``user`` may act for the applicant."""
    return Applicant.objects.filter(pk=applicant_id, memberships__user=user).exists()


def applicant_list_visible(user: User) -> QuerySet[Applicant]:
    """The applicants ``user`` may see (same rule as ``access_applicant_for_user``)."""
    if not user.is_active:
        return Applicant.objects.none()
    if user.role == Role.APPLICANT:
        return applicant_list_for_user(user)
    if user.role == Role.CLERK:
        return window_applicants(user).order_by("name", "id")
    if user.role == Role.SUPERVISOR:
        return Applicant.objects.order_by("name", "id")
    return Applicant.objects.none()


def applicant_get_by_identity(*, kind: str, id_number: str) -> Applicant | None:
    """The applicant registered with this (compact) identity number, or None."""
    return Applicant.objects.filter(kind=kind, id_number=id_number).first()
