"""Accounts in the admin: security administrators manage users and roles, every change on the account trail."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import models
from django.db.models import QuerySet
from django.forms import TypedChoiceField
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from lianban.accounts.models import AccountEvent, Applicant, ApplicantMember, Role, User
from lianban.accounts.selectors import identity_digest_search
from lianban.cases.admin_base import ReadOnlyCaseAdmin, ReadOnlyInline
from lianban.core.masking import mask

#: What a user's rights are: written on the account trail after every change.
RIGHTS = ("role", "department_id", "is_active", "is_staff", "is_superuser")
#: Fields nobody may change on their own account (no one grants themselves a role).
OWN_LOCKED = ("role", "department", "is_active", "is_staff")


def account_event(request: HttpRequest, target: User | None, username: str, action: str, detail: str) -> None:
    """Append one event to the account trail."""
    actor = request.user if isinstance(request.user, User) else None
    after = {name: getattr(target, name) for name in RIGHTS} if target is not None else {}
    AccountEvent.objects.create(
        actor=actor,
        target=target if target is not None and target.pk else None,
        target_username=username,
        action=action,
        detail=detail,
        after=after,
    )


def _message_text(message: Any) -> str:
    return message if isinstance(message, str) else json.dumps(message, ensure_ascii=False)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Users and roles, for security administrators (and the operator's superuser).

    A security administrator cannot change their own role, department or
    status, cannot give the security-administrator role, and cannot change
    (or reset the password of) another security administrator or a superuser.
    """

    list_display = ("username", "display_name", "role", "department", "is_active")
    list_filter = ("role", "department", "is_active")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Role"), {"fields": ("role", "department", "display_name", "phone")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk and not request.user.is_superuser:
            fields += list(OWN_LOCKED)
        return fields

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or request.user.is_superuser or obj.pk == request.user.pk:
            return True
        return not (obj.is_superuser or obj.role == Role.SECURITY)

    def formfield_for_choice_field(
        self, db_field: models.Field, request: HttpRequest, **kwargs: Any
    ) -> TypedChoiceField | None:
        if db_field.name == "role" and not request.user.is_superuser:
            kwargs["choices"] = [(value, label) for value, label in Role.choices if value != Role.SECURITY]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        account_event(request, obj, obj.username, "account.added", _message_text(message))
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        account_event(request, obj, obj.username, "account.changed", _message_text(message))
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        for user in queryset:
            account_event(request, None, user.username, "account.deleted", str(user))
        return super().log_deletions(request, queryset)


@admin.register(AccountEvent)
class AccountEventAdmin(admin.ModelAdmin):
    """The account trail: read by security administrators, written only by the user admin."""

    list_display = ("at", "actor", "action", "target_username", "detail")
    list_filter = ("action",)
    search_fields = ("target_username",)
    readonly_fields = ("at", "actor", "target", "target_username", "action", "detail", "after")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ApplicantMemberInline(ReadOnlyInline):
    model = ApplicantMember
    fields = readonly_fields = ("user", "created_at")


@admin.register(Applicant)
class ApplicantAdmin(ReadOnlyCaseAdmin):
    """Applicants are personal data: read-only, for supervisors."""

    list_display = ["name", "kind", "masked_id_number", "contact_name", "masked_contact_phone"]
    list_filter = ["kind"]
    search_fields = ["name"]
    fields = readonly_fields = (
        "kind",
        "name",
        "masked_id_number",
        "contact_name",
        "masked_contact_phone",
        "address",
        "created_at",
    )
    inlines = [ApplicantMemberInline]

    @admin.display(description=_("identity number"))
    def masked_id_number(self, applicant: Applicant) -> str:
        return mask(applicant.id_number, "id_number")

    @admin.display(description=_("contact phone"))
    def masked_contact_phone(self, applicant: Applicant) -> str:
        return mask(applicant.contact_phone, "phone")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        """Name words, or a whole identity number (matched by its digest: the number is encrypted)."""
        found, duplicates = super().get_search_results(request, queryset, search_term)
        return found | identity_digest_search(queryset, search_term, ""), duplicates
