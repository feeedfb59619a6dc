"""The licence library in the admin: viewed by supervisors; licences are recorded by the case engine."""

from __future__ import annotations

from django.contrib import admin

from lianban.common.admin_base import ReadOnlyCaseAdmin
from lianban.licences.models import Licence


@admin.register(Licence)
class LicenceAdmin(ReadOnlyCaseAdmin):
    list_display = ["material", "number", "holder", "department", "issued_on", "valid_until"]
    list_filter = ["material", "department"]
    search_fields = ["number", "holder__name"]
