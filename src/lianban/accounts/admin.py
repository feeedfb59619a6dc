from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from lianban.accounts.models import Applicant, ApplicantMember, User
from lianban.accounts.selectors import identity_digest_search
from lianban.cases.admin_base import ReadOnlyCaseAdmin, ReadOnlyInline
from lianban.core.masking import mask


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
