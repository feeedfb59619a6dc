"""Bills and issuances in the admin: read-only, for supervisors."""

from __future__ import annotations

from django.contrib import admin

from lianban.common.admin_base import ReadOnlyCaseAdmin, ReadOnlyInline
from lianban.issuance.models import Bill, BillLine, Issuance, Payment


class BillLineInline(ReadOnlyInline):
    model = BillLine
    fields = readonly_fields = ("item_code", "item_name", "amount")


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = readonly_fields = ("provider", "reference", "amount", "recorded_by", "recorded_at")


@admin.register(Bill)
class BillAdmin(ReadOnlyCaseAdmin):
    list_display = ["case", "total", "status", "created_at", "settled_at"]
    list_filter = ["status"]
    inlines = [BillLineInline, PaymentInline]


@admin.register(Issuance)
class IssuanceAdmin(ReadOnlyCaseAdmin):
    list_display = ["case", "method", "tracking_number", "issued_at", "issued_by"]
