"""Read-only admin for case data (cases, licences, accounts' personal data…): supervisors may look, nobody edits through the admin.

Case data changes only through the services (which lock, check and write the
audit trail). Catalog administrators (role ADMIN) see no case data at all.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

#: The role that views case data in the admin: ``lianban.accounts.models.Role.SUPERVISOR`` (``common`` sits
#: below ``accounts`` and does not import it; a test holds the two equal).
CASE_DATA_ROLE = "SUPERVISOR"


def may_view_case_data(request: HttpRequest) -> bool:
    """Only active staff users with the supervisor role view case data in the admin."""
    user: Any = request.user
    return bool(user.is_active and user.is_staff and getattr(user, "role", None) == CASE_DATA_ROLE)


class ReadOnlyCaseAdmin(admin.ModelAdmin[Any]):
    """Viewable by supervisors, never added, changed or deleted here."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_view_case_data(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_view_case_data(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline[Any, Any]):
    """A read-only inline of case data."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
