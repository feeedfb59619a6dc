"""Supplement requests in the admin: read-only, for supervisors."""

from __future__ import annotations

from django.contrib import admin

from lianban.common.admin_base import ReadOnlyCaseAdmin
from lianban.review.models import SupplementRequest


@admin.register(SupplementRequest)
class SupplementRequestAdmin(ReadOnlyCaseAdmin):
    list_display = ["item_case", "requested_at", "requested_by", "supplied_at", "paused_days"]
