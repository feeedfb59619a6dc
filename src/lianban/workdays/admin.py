"""The override table in the Django admin; every write goes through the services.

Covered years also take a holiday file (holiday-cn JSON): 工作日历 → 已覆盖年份 → 导入节假日文件.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lianban.workdays import selectors, services
from lianban.workdays.models import DayOverride, YearCoverage

#: A holiday file is small (a year has 366 dates); larger uploads are refused unread.
MAX_FILE_BYTES = 256 * 1024


class HolidayFileForm(forms.Form):
    """Upload of a year's official arrangement."""

    file = forms.FileField(
        label=_("holiday file (JSON)"), help_text=_('{"year": 2027, "days": [{"name", "date", "isOffDay"}]}')
    )
    source = forms.CharField(
        label=_("source"),
        max_length=200,
        required=False,
        help_text=_("For example the notice the dates come from."),
    )


@admin.register(DayOverride)
class DayOverrideAdmin(admin.ModelAdmin[DayOverride]):
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
class YearCoverageAdmin(admin.ModelAdmin[YearCoverage]):
    list_display = ["year", "note"]
    change_list_template = "admin/workdays/yearcoverage/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        """The changelist's URLs and the import page."""
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="workdays_yearcoverage_import"), *super().get_urls()]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a holiday file: every problem named on the form, or the year entered and recomputed."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = HolidayFileForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read(MAX_FILE_BYTES + 1)
            try:
                if len(content) > MAX_FILE_BYTES:
                    raise services.HolidayFileInvalid(
                        [gettext("the file is larger than %(kb)d KB") % {"kb": MAX_FILE_BYTES // 1024}]
                    )
                arrangement = services.holiday_file_parse(content)
            except services.HolidayFileInvalid as exc:
                for problem in exc.problems:
                    form.add_error("file", problem)
            else:
                source = form.cleaned_data["source"] or upload.name
                coverage = services.holiday_arrangement_import(arrangement=arrangement, source=source)
                rest = sum(day.off for day in arrangement.days)
                summary = gettext(
                    "%(year)d entered from %(source)s: %(rest)d rest days, %(work)d make-up workdays; "
                    "provisional dates are recomputed in the background."
                ) % {"year": arrangement.year, "source": source, "rest": rest, "work": len(arrangement.days) - rest}
                self.log_change(request, coverage, summary)
                self.message_user(request, summary, messages.SUCCESS)
                for warning in arrangement.warnings:
                    self.message_user(request, warning, messages.WARNING)
                return HttpResponseRedirect(reverse("admin:workdays_yearcoverage_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import a holiday file"),
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(request, "admin/workdays/yearcoverage/import.html", context)

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
