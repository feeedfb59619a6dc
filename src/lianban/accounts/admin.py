"""Accounts in the admin: security administrators manage users and roles, every change on the account trail."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.db import models
from django.db.models import QuerySet
from django.forms import TypedChoiceField
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from lianban.accounts.models import (
    AccountEvent,
    ApiToken,
    Applicant,
    ApplicantMember,
    Role,
    SingleSignOnIdentity,
    User,
)
from lianban.accounts.selectors import identity_digest_search
from lianban.accounts.services import (
    account_event_write,
    staff_account_problems,
    token_create,
    token_revoke,
)
from lianban.common.admin_base import ReadOnlyCaseAdmin, ReadOnlyInline
from lianban.core.masking import mask

#: Fields nobody may change on their own account (no one grants themselves a role).
OWN_LOCKED = ("role", "department", "is_active", "is_staff")


def account_event(request: HttpRequest, target: User | None, username: str, action: str, detail: str) -> None:
    """Append one event to the account trail."""
    actor = request.user if isinstance(request.user, User) else None
    account_event_write(actor=actor, target=target, username=username, action=action, detail=detail)


def _message_text(message: Any) -> str:
    return message if isinstance(message, str) else json.dumps(message, ensure_ascii=False)


class StaffCreationForm(AdminUserCreationForm[Any]):
    """The add page: user name, role and department, password; a reviewer needs a department.

    A clerk without a department is the comprehensive window (综合窗口): it serves every case.
    """

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "role", "department", "display_name")

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or self.cleaned_data
        role = cleaned.get("role")
        if role:
            for field, problem in staff_account_problems(role=role, department=cleaned.get("department")).items():
                self.add_error(field, problem)
        return cleaned

    def save(self, commit: bool = True) -> Any:
        user = super().save(commit=False)
        user.is_staff = user.role in (Role.ADMIN, Role.SECURITY)  # the admin site is theirs
        if commit:
            user.save()
        return user


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
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
        (_("Role"), {"fields": ("role", "department", "display_name", "phone", "sso_identities")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined", "sso_identities")
    add_form = StaffCreationForm
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "role",
                    "department",
                    "display_name",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    @admin.display(description=_("single sign-on identities"))
    def sso_identities(self, user: User) -> str:
        """The identity platform's identities that sign in this user (made by single sign-on only)."""
        return "; ".join(f"{i.issuer} · {i.subject}" for i in SingleSignOnIdentity.objects.filter(user=user)) or "-"

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
        self, db_field: models.Field[Any, Any], request: HttpRequest, **kwargs: Any
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


class ApiTokenAddForm(forms.ModelForm[ApiToken]):
    """A new token: its user, a name, how many days it is valid (empty: until revoked)."""

    days = forms.IntegerField(label=_("valid for (days)"), min_value=1, max_value=3650, required=False)

    class Meta:
        model = ApiToken
        fields = ("user", "name")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    """API tokens, for security administrators: issue (the token shown once), see, revoke; on the account trail.

    Only the token's digest is stored: a lost token is revoked and a new one issued.
    A security administrator issues tokens for active accounts other than
    security administrators and superusers (the same reach as the user admin).
    """

    list_display = ("prefix", "user", "name", "created_at", "expires_at", "revoked_at", "last_used_at")
    list_filter = ("revoked_at",)
    search_fields = ("user__username", "name", "prefix")
    list_select_related = ("user",)
    readonly_fields = ("user", "name", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at")
    actions = ["revoke"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("user", "name", "days")
        return self.readonly_fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else self.readonly_fields

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "user":
            users = User.objects.filter(is_active=True)
            if not request.user.is_superuser:
                users = users.exclude(is_superuser=True).exclude(role=Role.SECURITY)
            kwargs["queryset"] = users.order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Issue the token through the service; its clear text is shown once, in the message."""
        actor = request.user if isinstance(request.user, User) else None
        # the form offers active accounts only, and ``days`` is bounded: token_create does not refuse them
        issued = token_create(actor=actor, user=obj.user, name=obj.name, days=form.cleaned_data.get("days"))
        obj.pk = issued.token.pk
        obj.prefix, obj.created_at, obj.expires_at = (
            issued.token.prefix,
            issued.token.created_at,
            issued.token.expires_at,
        )
        obj._state.adding = False
        messages.warning(
            request,
            _("The token is shown only this once; copy it now: %(token)s") % {"token": issued.clear},
        )

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        """Revoke every selected token (on the account trail)."""
        actor = request.user if isinstance(request.user, User) else None
        for token in queryset:
            token_revoke(actor=actor, token=token)
        messages.success(request, _("%(count)d token(s) revoked.") % {"count": queryset.count()})


@admin.register(AccountEvent)
class AccountEventAdmin(admin.ModelAdmin[AccountEvent]):
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
