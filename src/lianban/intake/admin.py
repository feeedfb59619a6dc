"""Intake rounds in the admin: read-only, for supervisors."""

from __future__ import annotations

from django.contrib import admin

from lianban.common.admin_base import ReadOnlyCaseAdmin, ReadOnlyInline
from lianban.intake.models import IntakeRound, MaterialCheck


class MaterialCheckInline(ReadOnlyInline):
    model = MaterialCheck
    fields = readonly_fields = ("material", "result", "reason", "paper", "checked_by", "checked_at")


@admin.register(IntakeRound)
class IntakeRoundAdmin(ReadOnlyCaseAdmin):
    list_display = ["case", "number", "decision", "decided_at", "decided_by"]
    list_filter = ["decision"]
    inlines = [MaterialCheckInline]
