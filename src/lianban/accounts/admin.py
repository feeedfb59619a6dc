from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from lianban.accounts.models import Applicant, ApplicantMember, User
from lianban.cases.admin_base import ReadOnlyCaseAdmin, ReadOnlyInline


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "role", "department", "is_active")
    list_filter = ("role", "department", "is_active")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Role"), {"fields": ("role", "department", "display_name", "phone")}),
    )


class ApplicantMemberInline(ReadOnlyInline):
    model = ApplicantMember
    fields = readonly_fields = ("user", "created_at")


@admin.register(Applicant)
class ApplicantAdmin(ReadOnlyCaseAdmin):
    """Applicants are personal data: read-only, for supervisors."""

    list_display = ["name", "kind", "id_number", "contact_name", "contact_phone"]
    list_filter = ["kind"]
    search_fields = ["name", "id_number"]
    inlines = [ApplicantMemberInline]
