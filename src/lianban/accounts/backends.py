"""Admin permissions come from the role, never from per-user grants (separation of duties).

Catalog administrators manage the catalog and the working-day calendar;
security administrators manage accounts and read the account audit trail;
nobody else changes anything in the admin. Supervisors read case data there
(``lianban.common.admin_base``). Permissions stored on users or groups are
ignored, so no account can be given more than its role; only superusers,
created by the operator on the command line, keep Django's every permission.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from lianban.accounts.models import Role

#: Per role: the app labels it manages in full, and single permissions (``app.codename``).
ROLE_APPS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({"catalog", "workdays", "outbox"}),
}
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.SECURITY: frozenset(
        {
            "accounts.view_user",
            "accounts.add_user",
            "accounts.change_user",
            "accounts.view_accountevent",
            # API tokens: issue (the clear token shown once), see, revoke
            "accounts.view_apitoken",
            "accounts.add_apitoken",
            "accounts.change_apitoken",
            # who escalated 督办 orders go to
            "supervision.view_departmentleader",
            "supervision.add_departmentleader",
            "supervision.change_departmentleader",
            "supervision.delete_departmentleader",
        }
    ),
    # message templates (texts with placeholders, no personal data); the messages themselves stay out of reach
    Role.ADMIN: frozenset(
        {
            "messaging.view_messagetemplate",
            "messaging.add_messagetemplate",
            "messaging.change_messagetemplate",
            "messaging.view_templateversion",
        }
    ),
}


def role_permissions(role: str) -> set[str]:
    """The single permissions of a role (apps managed in full aside)."""
    return set(ROLE_PERMISSIONS.get(role, frozenset()))


class RoleBackend(ModelBackend):
    """Passwords as Django's model backend; permissions by role (superusers: all)."""

    def _allowed(self, user_obj: Any) -> bool:
        return bool(user_obj.is_active and not user_obj.is_anonymous and user_obj.is_staff)

    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not self._allowed(user_obj) or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj)
        return role_permissions(user_obj.role)

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if not self._allowed(user_obj):
            return False
        if user_obj.is_superuser:
            return True
        app_label = perm.split(".", 1)[0]
        return app_label in ROLE_APPS.get(user_obj.role, frozenset()) or perm in role_permissions(user_obj.role)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        if not self._allowed(user_obj):
            return False
        if user_obj.is_superuser:
            return True
        role = user_obj.role
        return app_label in ROLE_APPS.get(role, frozenset()) or any(
            perm.startswith(f"{app_label}.") for perm in role_permissions(role)
        )
