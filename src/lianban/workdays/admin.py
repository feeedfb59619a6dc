"""The override table in the Django admin; every write goes through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from lianban.workdays import selectors, services
from lianban.workdays.models import DayOverride, YearCoverage


@admin.register(DayOverride)
class DayOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_working_day", "note"]
    list_filter = ["is_working_day"]
    search_fields = ["note"]
    date_hierarchy = "date"

    def save_model(self, request: HttpRequest, obj: DayOverride, form: Any, change: bool) -> None:
        services.day_override_save(override=obj)
        year = obj.date.year
        if year not in services.chinese_calendar_years() and year not in selectors.declared_years():
            self.message_user(
                request,
                _("%(year)s is not covered yet: declare it in covered years once all its days are entered.")
                % {"year": year},
                messages.WARNING,
            )

    def delete_model(self, request: HttpRequest, obj: DayOverride) -> None:
        services.day_override_delete(override=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[DayOverride]) -> None:
        for override in queryset:
            services.day_override_delete(override=override)


@admin.register(YearCoverage)
class YearCoverageAdmin(admin.ModelAdmin):
    list_display = ["year", "note"]

    def save_model(self, request: HttpRequest, obj: YearCoverage, form: Any, change: bool) -> None:
        services.year_coverage_save(coverage=obj)
        if not selectors.day_overrides_in_year(obj.year):
            self.message_user(
                request,
                _("No day overrides are entered for %(year)s: only weekends will be rest days.") % {"year": obj.year},
                messages.WARNING,
            )

    def delete_model(self, request: HttpRequest, obj: YearCoverage) -> None:
        services.year_coverage_delete(coverage=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[YearCoverage]) -> None:
        for coverage in queryset:
            services.year_coverage_delete(coverage=coverage)
