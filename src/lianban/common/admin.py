"""The periodic-job ledger and the workers' heartbeats in the admin, read-only: the workers write them."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from lianban.common.models import PeriodicJob, WorkerHeartbeat


@admin.register(PeriodicJob)
class PeriodicJobAdmin(admin.ModelAdmin[PeriodicJob]):
    list_display = ["name", "last_enqueued_at"]
    readonly_fields = ["name", "last_enqueued_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PeriodicJob | None = None) -> bool:
        return False


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin[WorkerHeartbeat]):
    """The running workers and when each last beat, read-only: the workers write it."""

    list_display = ["worker_id", "seen_at"]
    readonly_fields = ["worker_id", "seen_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: WorkerHeartbeat | None = None) -> bool:
        return False
