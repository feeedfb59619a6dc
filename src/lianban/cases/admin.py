"""Cases in the admin: read-only, for supervisors (see ``admin_base``)."""

from __future__ import annotations

from django.contrib import admin

from lianban.cases.models import Case, CaseEvent, CaseMaterial, ItemCase, Notification
from lianban.common.admin_base import ReadOnlyCaseAdmin, ReadOnlyInline


class ItemCaseInline(ReadOnlyInline):
    model = ItemCase
    fields = readonly_fields = (
        "item_code",
        "item_name",
        "department",
        "stage",
        "state",
        "held",
        "due_on",
        "due_status",
    )


class CaseMaterialInline(ReadOnlyInline):
    model = CaseMaterial
    fields = readonly_fields = (
        "code",
        "name",
        "provenance",
        "required",
        "tolerable",
        "state",
        "sha256",
        "paper",
        "licence",
    )


@admin.register(Case)
class CaseAdmin(ReadOnlyCaseAdmin):
    list_display = ["tracking_code", "thing", "applicant", "state", "outcome", "channel", "submitted_at", "eta"]
    list_filter = ["state", "outcome", "channel", "thing"]
    search_fields = ["tracking_code", "applicant__name"]
    inlines = [ItemCaseInline, CaseMaterialInline]


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyCaseAdmin):
    list_display = ["at", "case", "item_case", "action", "actor", "actor_role"]
    list_filter = ["action", "actor_role"]
    search_fields = ["case__tracking_code", "action"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyCaseAdmin):
    list_display = ["created_at", "case", "kind", "sent_at"]
    list_filter = ["kind"]
