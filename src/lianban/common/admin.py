"""The periodic-job ledger in the admin, read-only: the workers write it."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from lianban.common.models import PeriodicJob


@admin.register(PeriodicJob)
class PeriodicJobAdmin(admin.ModelAdmin):
    list_display = ["name", "last_enqueued_at"]
    readonly_fields = ["name", "last_enqueued_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PeriodicJob | None = None) -> bool:
        return False
