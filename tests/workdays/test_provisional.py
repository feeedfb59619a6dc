"""Years without an official arrangement: a provisional calendar; holiday files confirm them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

import pytest

from lianban.core.errors import CalendarNotCovered
from lianban.workdays import checks
from lianban.workdays.models import DayOverride, YearCoverage
from lianban.workdays.services import (
    HolidayFileInvalid,
    chinese_calendar_years,
    holiday_arrangement_import,
    holiday_file_parse,
    work_calendar,
)
from tests.cases.kit import english

__all__ = ["english"]  # every test here reads the English msgids (autouse)

pytestmark = pytest.mark.django_db

FILE = Path(__file__).parent / "files" / "arrangement-2027.json"
DEC_2026 = date(2026, 12, 6)


@pytest.fixture(autouse=True)
def package_ends_in_2026() -> None:
    """These tests assume what the pinned chinesecalendar knows: up to 2026."""
    if chinese_calendar_years().stop != 2027:
        pytest.skip("the installed chinesecalendar covers 2027: nothing provisional to test")


def file_with(**changes: Any) -> str:
    data = json.loads(FILE.read_text(encoding="utf-8"))
    data.update(changes)
    return json.dumps(data, ensure_ascii=False)


class TestProvisionalCalendar:
    def test_the_years_after_the_last_arrangement_are_provisional(self, settings: Any) -> None:
        settings.LIANBAN_PROVISIONAL_YEARS = 3
        calendar = work_calendar(DEC_2026)
        assert calendar.provisional_years == {2027, 2028, 2029}
        assert 2026 in calendar.covered_years and 2026 not in calendar.provisional_years
        with pytest.raises(CalendarNotCovered):
            calendar.is_working_day(date(2030, 3, 1))

    def test_2027_rests_on_the_laws_days_and_never_works_a_weekend(self) -> None:
        calendar = work_calendar(DEC_2026)
        for rest in ("2027-01-01", "2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10", "2027-04-05"):
            assert not calendar.is_working_day(date.fromisoformat(rest)), rest
        assert calendar.is_working_day(date(2027, 2, 11))
        assert not calendar.is_working_day(date(2027, 2, 20))  # no invented make-up workday
        # Friday 2026-12-25 + 5 working days: 28, 29, 30, 31 Dec, then 1 Jan rests → Monday 4 Jan
        assert calendar.add_working_days(date(2026, 12, 25), 5) == date(2027, 1, 4)

    def test_the_horizon_follows_the_current_year_too(self, settings: Any) -> None:
        settings.LIANBAN_PROVISIONAL_YEARS = 1
        assert work_calendar(date(2029, 5, 1)).provisional_years == {2027, 2028, 2029, 2030}

    def test_no_provisional_years_when_switched_off(self, settings: Any) -> None:
        settings.LIANBAN_PROVISIONAL_YEARS = 0
        with pytest.raises(CalendarNotCovered):
            work_calendar(DEC_2026).is_working_day(date(2027, 3, 1))


class TestHolidayFile:
    def test_the_common_json_is_read(self) -> None:
        arrangement = holiday_file_parse(FILE.read_bytes())
        assert arrangement.year == 2027
        assert arrangement.warnings == ()
        worked = [d.day.isoformat() for d in arrangement.days if not d.off]
        assert worked == ["2027-02-27", "2027-05-08", "2027-09-26", "2027-10-09"]

    @pytest.mark.parametrize(
        ("content", "problem"),
        [
            ("{", "not JSON"),
            ("[1, 2]", 'not a JSON object with "year" and "days"'),
            (file_with(year="2027"), '"year" must be a year such as 2027'),
            (file_with(days=[]), '"days" must be a non-empty list'),
            (
                file_with(days=[{"name": "元旦", "date": "2027-13-01", "isOffDay": True}]),
                'day 1: "date" must be a date',
            ),
            (file_with(days=[{"name": "元旦", "date": "2027-01-01", "isOffDay": "yes"}]), '"isOffDay" must be true'),
            (file_with(days=[{"name": "元旦", "date": "2028-01-01", "isOffDay": True}]), "2028-01-01: not in 2027"),
            (
                file_with(days=[{"date": "2027-01-01", "isOffDay": True}, {"date": "2027-01-01", "isOffDay": True}]),
                "2027-01-01: listed twice",
            ),
            (file_with(days=[{"date": "2027-03-03", "isOffDay": False}]), "2027-03-03: a weekday listed as a workday"),
            (file_with(days=["2027-01-01"]), "day 1: not an object"),
            (b"\xff\xfe\x00", "not JSON"),
        ],
    )
    def test_a_bad_file_is_refused_naming_the_problem(self, content: str | bytes, problem: str) -> None:
        with pytest.raises(HolidayFileInvalid) as refused:
            holiday_file_parse(content)
        assert any(problem in p for p in refused.value.problems), refused.value.problems

    def test_a_file_missing_a_statutory_holiday_is_read_with_a_warning(self) -> None:
        days = [d for d in json.loads(FILE.read_text(encoding="utf-8"))["days"] if d["date"] != "2027-06-09"]
        arrangement = holiday_file_parse(file_with(days=days))
        assert arrangement.warnings == (
            "2027-06-09 is a statutory holiday but the file does not list it as a rest day",
        )


class TestImport:
    def test_the_command_enters_the_year_and_queues_the_recomputation(
        self, capsys: pytest.CaptureFixture[str], django_capture_on_commit_callbacks: Any, caplog: Any
    ) -> None:
        caplog.set_level("INFO")
        DayOverride.objects.create(date=date(2027, 3, 3), is_working_day=False, note="typed by hand")
        with django_capture_on_commit_callbacks(execute=True):
            call_command("holidays", "import", str(FILE), "--source", "国办发明电〔2026〕X号")
        assert "2027: 27 rest day(s), 4 make-up workday(s) entered" in capsys.readouterr().out
        assert YearCoverage.objects.get().year == 2027
        assert not DayOverride.objects.filter(date=date(2027, 3, 3)).exists()  # the file replaces the year
        assert DayOverride.objects.filter(date__year=2027).count() == 31
        calendar = work_calendar(DEC_2026)
        assert 2027 not in calendar.provisional_years
        assert calendar.is_working_day(date(2027, 2, 27)) and not calendar.is_working_day(date(2027, 2, 11))
        assert [r.getMessage() for r in caplog.records if r.name == "lianban.supervision.services"] == [
            "provisional dates recomputed: 0 case(s), 0 due date(s) changed, 0 still provisional"
        ]

    def test_check_changes_nothing(self, capsys: pytest.CaptureFixture[str]) -> None:
        call_command("holidays", "check", str(FILE))
        assert "nothing changed" in capsys.readouterr().out
        assert not YearCoverage.objects.exists()
        assert 2027 in work_calendar(DEC_2026).provisional_years

    def test_a_bad_file_is_refused_with_its_problems_and_nothing_changes(self, tmp_path: Path) -> None:
        bad = tmp_path / "2027.json"
        bad.write_text(file_with(days=[{"date": "2027-01-01", "isOffDay": 1}]), encoding="utf-8")
        with pytest.raises(CommandError, match=r'2027\.json: 2027-01-01: "isOffDay" must be true or false'):
            call_command("holidays", "import", str(bad))
        with pytest.raises(CommandError, match="No such file"):
            call_command("holidays", "import", str(tmp_path / "missing.json"))
        assert not DayOverride.objects.exists() and not YearCoverage.objects.exists()

    def test_status_names_confirmed_and_provisional_years(self, capsys: pytest.CaptureFixture[str]) -> None:
        holiday_arrangement_import(arrangement=holiday_file_parse(FILE.read_bytes()), source="test")
        call_command("holidays", "status")
        out = capsys.readouterr().out
        assert "confirmed: 2004–2027" in out
        assert "2027" not in out.split("provisional")[1].split("]")[0]


def test_problems_are_named_in_chinese_for_the_admins() -> None:
    with translation.override("zh-hans"), pytest.raises(HolidayFileInvalid) as refused:
        holiday_file_parse(file_with(days=[{"date": "2027-01-01", "isOffDay": True}] * 2))
    assert refused.value.problems == ["2027-01-01：重复列出"]


class TestWarning:
    def test_the_system_check_warns_90_days_before_the_last_year_ends(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(checks.timezone, "localdate", lambda: date(2026, 10, 2))
        (warning,) = checks.holiday_arrangement_check(databases=["default"])
        assert warning.id == "lianban.W101"
        assert "entered up to 2026: due dates in 2027 are provisional" in warning.msg
        monkeypatch.setattr(checks.timezone, "localdate", lambda: date(2026, 10, 1))
        assert checks.holiday_arrangement_check(databases=["default"]) == []
        assert checks.holiday_arrangement_check(databases=None) == []  # only with database checks

    def test_entering_the_year_silences_it(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(checks.timezone, "localdate", lambda: date(2026, 12, 6))
        holiday_arrangement_import(arrangement=holiday_file_parse(FILE.read_bytes()), source="test")
        assert checks.holiday_arrangement_check(databases=["default"]) == []
