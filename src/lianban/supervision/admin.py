"""Supervision in the admin: who a department's escalated 督办 orders go to (kept by the security role)."""

from __future__ import annotations

from django.contrib import admin

from lianban.supervision.models import DepartmentLeader


@admin.register(DepartmentLeader)
class DepartmentLeaderAdmin(admin.ModelAdmin[DepartmentLeader]):
    list_display = ("department", "leader")
    autocomplete_fields = ()
    raw_id_fields = ("leader",)
