"""Reads of accounts."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from lianban.accounts.access import window_applicants
from lianban.accounts.models import ApiToken, Applicant, Role, User
from lianban.common.fields import digest_of

#: Both identity numbers (GB 11643, GB 32100) have 18 characters.
IDENTITY_LENGTH = 18


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
    """The applicant registered with this (compact) identity number, or None (found by the number's digest).

    Never a claim (an unverified applicant sharing the identity, ``Applicant.claim_of``).
    """
    return Applicant.objects.filter(
        kind=kind, id_number_digest=digest_of(Applicant, "id_number", id_number), claim_of__isnull=True
    ).first()


def applicant_claim_of_user(*, registered: Applicant, user: User) -> Applicant | None:
    """The open claim ``user`` acts for on the identity of ``registered``, or None."""
    return (
        Applicant.objects.filter(claim_of=registered, retired_at__isnull=True, memberships__user=user)
        .order_by("id")
        .first()
    )


def identity_digest_search(queryset: QuerySet[Any], term: str, path: str) -> QuerySet[Any]:
    """The rows of ``queryset`` whose applicant (``path`` to it, "" for applicants) has identity number ``term``.

    The number is encrypted, so only a whole number is found (by its digest), spaces and case ignored.
    """
    number = "".join(ch for ch in term if not ch.isspace()).upper()
    if len(number) != IDENTITY_LENGTH:
        return queryset.none()
    prefix = f"{path}__" if path else ""
    return queryset.filter(**{f"{prefix}id_number_digest": digest_of(Applicant, "id_number", number)})


def token_list(user: User | None = None) -> QuerySet[ApiToken]:
    """API tokens (of ``user``, or everyone's), newest first."""
    tokens = ApiToken.objects.select_related("user").order_by("-created_at", "-id")
    return tokens.filter(user=user) if user is not None else tokens


def token_get_by_clear(clear: str) -> ApiToken | None:
    """The token row of a clear token (looked up by its digest), with its user; None if unknown."""
    from lianban.accounts.services import token_digest

    return ApiToken.objects.select_related("user").filter(digest=token_digest(clear)).first()


def user_list() -> QuerySet[User]:
    """Every account, by user name."""
    return User.objects.select_related("department").order_by("username")
