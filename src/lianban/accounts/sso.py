"""Single sign-on with an identity platform through OpenID Connect (mozilla-django-oidc).

Off unless ``LIANBAN_OIDC_CLIENT_ID`` is set (docs/configuration.md). The
platform's identity (``iss`` + ``sub``) is kept in :class:`SingleSignOnIdentity`
and signs in the same user every time. The first sign-in creates an applicant
user (no password: they sign in through the platform) named by the ``name``
claim; when the claims carry a valid 公民身份号码 (``LIANBAN_OIDC_ID_NUMBER_CLAIM``)
with the name and a phone, the person's applicant record is registered as in
the portal (``applicant_create``: an identity another account registered becomes
a claim, confirmed at the window). Permissions come from the role only, as
with every other way of signing in (``accounts.backends``).
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from lianban.accounts.models import ApplicantKind, Role, SingleSignOnIdentity, User
from lianban.accounts.services import account_event_write, applicant_create
from lianban.core.case_errors import ApplicantInvalid

logger = logging.getLogger(__name__)


def sso_enabled() -> bool:
    """Whether single sign-on is configured."""
    return bool(getattr(settings, "LIANBAN_OIDC_ENABLED", False))


def _issuer() -> str:
    return str(settings.LIANBAN_OIDC_ISSUER)


def _claim(claims: dict[str, Any], setting: str) -> str:
    name = str(getattr(settings, setting, "") or "")
    value = claims.get(name) if name else None
    return str(value).strip() if value not in (None, "") else ""


def _register_applicant(user: User, claims: dict[str, Any]) -> None:
    """Register the person's applicant from the claims when they carry the identity number, name and phone."""
    if user.applicants.filter(kind=ApplicantKind.PERSON).exists():
        return
    id_number = _claim(claims, "LIANBAN_OIDC_ID_NUMBER_CLAIM")
    name = _claim(claims, "LIANBAN_OIDC_NAME_CLAIM")
    phone = _claim(claims, "LIANBAN_OIDC_PHONE_CLAIM")
    if not (id_number and name and phone):
        return
    try:
        applicant_create(
            actor=user,
            kind=ApplicantKind.PERSON,
            id_number=id_number,
            name=name,
            contact_name=name,
            contact_phone=phone,
        )
    except ApplicantInvalid as exc:  # the platform's number does not validate: the person registers later
        logger.warning("single sign-on: the identity number claim was refused (%s)", ", ".join(exc.problems))


@transaction.atomic
def sso_user_create(claims: dict[str, Any]) -> User:
    """The user (and applicant) of a platform identity signing in for the first time; on the account trail."""
    subject = str(claims["sub"])
    digest = hashlib.sha256(f"{_issuer()}\x00{subject}".encode()).hexdigest()[:20]
    user = User(username=f"sso-{digest}", role=Role.APPLICANT, display_name=_claim(claims, "LIANBAN_OIDC_NAME_CLAIM"))
    user.phone = _claim(claims, "LIANBAN_OIDC_PHONE_CLAIM")[:32]
    user.set_unusable_password()
    user.save()
    SingleSignOnIdentity.objects.create(user=user, issuer=_issuer(), subject=subject)
    account_event_write(
        actor=user, target=user, username=user.username, action="account.sso_signed_up", detail=_issuer()
    )
    _register_applicant(user, claims)
    return user


@transaction.atomic
def sso_user_update(user: User, claims: dict[str, Any]) -> User:
    """A returning identity: the display name follows the platform; the applicant registered if still missing."""
    name = _claim(claims, "LIANBAN_OIDC_NAME_CLAIM")
    if name and name != user.display_name:
        user.display_name = name
        user.save(update_fields=["display_name"])
    _register_applicant(user, claims)
    return user


class SingleSignOnBackend(OIDCAuthenticationBackend):  # type: ignore[misc]  # mozilla-django-oidc is untyped
    """mozilla-django-oidc's backend, users found by their platform identity; no per-user permissions."""

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(claims.get("sub"))

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[User]:
        subject = claims.get("sub")
        if not subject:
            return User.objects.none()
        return User.objects.filter(sso_identities__issuer=_issuer(), sso_identities__subject=str(subject))

    def create_user(self, claims: dict[str, Any]) -> User:
        return sso_user_create(claims)

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        return sso_user_update(user, claims)  # a deactivated user is refused by the callback view

    # permissions: by role only (lianban.accounts.backends.RoleBackend); none from this backend
    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return False

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return False
