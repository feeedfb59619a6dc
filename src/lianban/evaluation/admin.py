"""好差评 in the admin: read-only (ratings are append-only; tickets move only through their steps)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from lianban.evaluation.models import Rating, RectificationTicket


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ("rated_at", "case", "service", "department", "level", "channel", "is_default")
    list_filter = ("level", "channel", "is_default", "kind")


@admin.register(RectificationTicket)
class RectificationTicketAdmin(ReadOnlyAdmin):
    list_display = ("opened_at", "case", "department", "state", "contact_due_on", "rectify_due_on")
    list_filter = ("state",)
