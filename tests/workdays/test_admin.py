"""Admins edit the override table in the Django admin; the calendar follows at once."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

import pytest

from lianban.core.errors import CalendarNotCovered
from lianban.workdays.models import DayOverride, YearCoverage
from lianban.workdays.services import chinese_calendar_years, day_override_set, work_calendar

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_provisional_years(settings: Any) -> None:
    """These tests are about the confirmed calendar: no provisional years (tests/workdays/test_provisional.py)."""
    settings.LIANBAN_PROVISIONAL_YEARS = 0


def test_adding_an_override_in_the_admin_changes_the_calendar(admin_client: Client) -> None:
    assert not work_calendar().is_working_day(date(2025, 10, 8))
    response = admin_client.post(
        reverse("admin:workdays_dayoverride_add"),
        {"date": "2025-10-08", "is_working_day": "on", "note": "county shift"},
    )
    assert response.status_code == 302, response.content.decode()
    assert DayOverride.objects.get().note == "county shift"
    assert work_calendar().is_working_day(date(2025, 10, 8))


def test_changing_and_deleting_an_override_in_the_admin(admin_client: Client) -> None:
    override = day_override_set(day=date(2025, 3, 3), is_working_day=False)
    assert not work_calendar().is_working_day(date(2025, 3, 3))
    change = reverse("admin:workdays_dayoverride_change", args=[override.pk])
    response = admin_client.post(change, {"date": "2025-03-04", "note": "moved"})
    assert response.status_code == 302, response.content.decode()
    calendar = work_calendar()
    assert calendar.is_working_day(date(2025, 3, 3))
    assert not calendar.is_working_day(date(2025, 3, 4))
    delete = reverse("admin:workdays_dayoverride_delete", args=[override.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    assert work_calendar().is_working_day(date(2025, 3, 4))


def test_bulk_deleting_overrides_in_the_admin(admin_client: Client) -> None:
    first = day_override_set(day=date(2025, 3, 3), is_working_day=False)
    second = day_override_set(day=date(2025, 3, 4), is_working_day=False)
    response = admin_client.post(
        reverse("admin:workdays_dayoverride_changelist"),
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not DayOverride.objects.exists()
    assert work_calendar().is_working_day(date(2025, 3, 3))
    assert work_calendar().is_working_day(date(2025, 3, 4))


def test_a_duplicate_date_is_refused_by_the_form(admin_client: Client) -> None:
    day_override_set(day=date(2025, 3, 3), is_working_day=False)
    response = admin_client.post(reverse("admin:workdays_dayoverride_add"), {"date": "2025-03-03", "note": "again"})
    assert response.status_code == 200
    assert DayOverride.objects.count() == 1


def test_declaring_a_year_in_the_admin_covers_it_and_warns_when_it_has_no_overrides(admin_client: Client) -> None:
    year = chinese_calendar_years().stop
    with pytest.raises(CalendarNotCovered):
        work_calendar().is_working_day(date(year, 5, 6))
    response = admin_client.post(
        reverse("admin:workdays_yearcoverage_add"), {"year": str(year), "note": "notice"}, follow=True
    )
    assert response.status_code == 200
    assert YearCoverage.objects.get().year == year
    assert [m.level_tag for m in response.context["messages"]].count("warning") == 1
    assert work_calendar().is_working_day(date(year, 5, 6)) == (date(year, 5, 6).weekday() < 5)
    coverage = YearCoverage.objects.get()
    delete = reverse("admin:workdays_yearcoverage_delete", args=[coverage.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    with pytest.raises(CalendarNotCovered):
        work_calendar().is_working_day(date(year, 5, 6))


def test_an_override_in_an_undeclared_year_warns(admin_client: Client) -> None:
    year = chinese_calendar_years().stop
    response = admin_client.post(
        reverse("admin:workdays_dayoverride_add"), {"date": f"{year}-01-01", "note": "New Year"}, follow=True
    )
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]].count("warning") == 1


HOLIDAY_FILE = Path(__file__).parent / "files" / "arrangement-2027.json"


def test_a_holiday_file_uploaded_in_the_admin_enters_the_year_and_is_logged(admin_client: Client) -> None:
    url = reverse("admin:workdays_yearcoverage_import")
    assert url in admin_client.get(reverse("admin:workdays_yearcoverage_changelist")).content.decode()
    assert admin_client.get(url).status_code == 200
    upload = SimpleUploadedFile("2027.json", HOLIDAY_FILE.read_bytes(), content_type="application/json")
    response = admin_client.post(url, {"file": upload, "source": "国办发明电"})
    assert response.status_code == 302
    assert YearCoverage.objects.get().note == "国办发明电"
    assert DayOverride.objects.filter(date__year=2027).count() == 31
    assert work_calendar().is_working_day(date(2027, 2, 27))  # the make-up Saturday
    entry = LogEntry.objects.get()
    assert entry.object_repr == "2027" and "2027" in entry.get_change_message()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"not json", "不是 JSON"),
        (b'{"year": 2027, "days": [{"date": "2027-02-30", "isOffDay": true}]}', "第 1 项：&quot;date&quot; 应为日期"),
        (b" " * (300 * 1024), "文件大于 256 KB"),
    ],
)
def test_a_bad_holiday_file_is_refused_on_the_form_naming_the_problem(
    admin_client: Client, content: bytes, problem: str
) -> None:
    upload = SimpleUploadedFile("2027.json", content, content_type="application/json")
    response = admin_client.post(reverse("admin:workdays_yearcoverage_import"), {"file": upload})
    assert response.status_code == 200
    assert problem in response.content.decode()
    assert not YearCoverage.objects.exists() and not DayOverride.objects.exists()
