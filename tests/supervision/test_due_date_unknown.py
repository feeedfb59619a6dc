"""A due date in a year the calendar does not cover: unknown, never guessed, and it blocks nothing else.

Today is pinned at the end of 2026 (chinesecalendar 1.11 covers 2004–2026).
The drugstore's 医保定点 (YB-YDDD) takes 64 working days: dispatched in
late November 2026 it is due in 2027.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.core.management import call_command

import pytest

from lianban.cases.models import Case, CaseEvent, CaseState, DueStatus, ItemCase, ItemState
from lianban.cases.selectors import track
from lianban.intake.services import deemed_acceptance_sweep, deemed_acceptance_sweep_run, intake_accept
from lianban.review.services import (
    item_case_approve,
    item_case_request_supplement,
    item_case_supply,
    item_case_take,
)
from lianban.supervision.selectors import calendar_alert_list, item_case_due_unknown_list
from lianban.supervision.services import deadline_sweep
from lianban.workdays.services import work_calendar, year_coverage_declare
from tests.cases.kit import FrozenClock, People, check_all, fresh, items, make_user, submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_provisional_years(settings: Any) -> None:
    """These tests are about a year with no calendar at all, not even a provisional one."""
    settings.LIANBAN_PROVISIONAL_YEARS = 0


DRUGSTORE = {
    "otc_class_b_only": False,
    "sells_class2_devices": False,
    "sells_health_food": False,
    "apply_medical_insurance": True,
}
INSURANCE = "YB-YDDD"  # 64 working days, after the drug licence
FRIDAY = date(2026, 11, 20)


def approve(people: People, case: Case, code: str) -> None:
    item = items(case)[code]
    reviewer = people.reviewer(item.department.code)
    item_case_take(actor=reviewer, item_case_id=item.pk)
    item_case_approve(actor=reviewer, item_case_id=item.pk, licence_number=f"N-{case.pk}-{code}")


@pytest.fixture
def drugstore(people: People, clock: FrozenClock) -> Case:
    """A drugstore whose medical-insurance item has just been dispatched, due in 2027."""
    people.reviewers["YB"] = make_user("rev_YB", "REVIEWER", "YB")
    clock.set(FRIDAY)
    case = submit(people, thing="KYD", answers=DRUGSTORE)
    check_all(people, case)
    intake_accept(actor=people.clerk, case_id=case.pk)
    approve(people, case, "SCJG-GSSL")
    approve(people, case, "SCJG-YPLS")  # this approval dispatches the 64-day item
    return case


def test_approving_the_drug_licence_dispatches_the_64_day_item_without_a_due_date(drugstore: Case) -> None:
    insurance = items(drugstore)[INSURANCE]
    assert items(drugstore)["SCJG-YPLS"].state == ItemState.APPROVED
    assert insurance.state == ItemState.DISPATCHED
    assert insurance.started_on == FRIDAY
    assert insurance.due_on is None
    assert insurance.due_status == DueStatus.UNKNOWN
    assert insurance.due_year_missing == 2027
    event = CaseEvent.objects.get(item_case=insurance, action="item.due_unknown")
    assert event.actor is None
    assert event.after == {"due_status": "UNKNOWN", "year": 2027}
    assert event.reason == "unknown: calendar year 2027 not entered"
    assert fresh(drugstore).eta is None


def test_tracking_says_why_the_due_date_and_the_eta_are_unknown(drugstore: Case) -> None:
    public = track(drugstore.tracking_code)
    assert public is not None
    assert public["eta"] is None
    (row,) = [i for stage in public["stages"] for i in stage["items"] if i["code"] == INSURANCE]
    assert row["due_on"] is None
    assert row["due_status"] == "UNKNOWN"
    assert row["due_note"] == "unknown: calendar year 2027 not entered"
    others = [i for stage in public["stages"] for i in stage["items"] if i["code"] != INSURANCE]
    assert {i["due_note"] for i in others} == {""}


def test_the_sweep_logs_and_raises_one_alert_per_missing_year_that_supervisors_see(
    people: People, clock: FrozenClock, drugstore: Case, caplog: pytest.LogCaptureFixture
) -> None:
    clock.set(FRIDAY)
    second = submit(people, thing="KYD", answers=DRUGSTORE)
    check_all(people, second)
    intake_accept(actor=people.clerk, case_id=second.pk)
    approve(people, second, "SCJG-GSSL")
    approve(people, second, "SCJG-YPLS")
    with caplog.at_level(logging.ERROR, logger="lianban.supervision.services"):
        result = deadline_sweep()
    assert result.missing_years == {2027: 2}
    assert sorted(result.skipped) == sorted([drugstore.pk, second.pk])
    assert any("2027" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)
    (alert,) = calendar_alert_list()
    assert (alert.year, alert.item_cases, alert.resolved_at) == (2027, 2, None)
    assert {i.case_id for i in item_case_due_unknown_list()} == {drugstore.pk, second.pk}
    events = CaseEvent.objects.count()
    deadline_sweep()  # idempotent: still one alert, nothing new in the trail
    assert calendar_alert_list().count() == 1
    assert CaseEvent.objects.count() == events
    assert items(drugstore)[INSURANCE].due_status == DueStatus.UNKNOWN


def test_the_sweep_fills_in_the_due_date_once_the_year_is_entered(
    people: People, clock: FrozenClock, drugstore: Case
) -> None:
    deadline_sweep()
    clock.set(date(2026, 12, 7))
    year_coverage_declare(year=2027, note="国务院办公厅通知")
    result = deadline_sweep()
    assert result.missing_years == {}
    insurance = items(drugstore)[INSURANCE]
    assert insurance.due_on == work_calendar().add_working_days(FRIDAY, 64)
    assert insurance.due_on.year == 2027
    assert insurance.due_status == DueStatus.ON_TIME
    assert insurance.due_year_missing is None
    known = CaseEvent.objects.get(item_case=insurance, action="item.due_known")
    assert known.actor is None
    assert known.after["due_on"] == insurance.due_on.isoformat()
    assert "2027" in known.reason
    status = CaseEvent.objects.filter(item_case=insurance, action="item.due_status").last()
    assert status is not None
    assert (status.before["due_status"], status.after["due_status"]) == ("UNKNOWN", "ON_TIME")
    assert fresh(drugstore).eta == insurance.due_on
    assert calendar_alert_list().count() == 0
    (alert,) = calendar_alert_list(include_resolved=True)
    assert alert.resolved_at is not None
    assert list(item_case_due_unknown_list()) == []


def test_paused_working_days_count_in_the_filled_in_due_date_even_across_the_new_year(
    people: People, clock: FrozenClock, drugstore: Case
) -> None:
    insurance = items(drugstore)[INSURANCE]
    reviewer = people.reviewer("YB")
    item_case_take(actor=reviewer, item_case_id=insurance.pk)
    clock.set(date(2026, 12, 1))
    item_case_request_supplement(actor=reviewer, item_case_id=insurance.pk, reason="药师劳动合同")
    clock.set(date(2026, 12, 3))  # Tuesday to Thursday: 2 working days paused, countable
    item_case_supply(actor=people.applicant_user, item_case_id=insurance.pk, note="已补")
    assert items(drugstore)[INSURANCE].paused_days == 2
    item_case_request_supplement(actor=reviewer, item_case_id=insurance.pk, reason="门店照片")
    clock.set(date(2027, 1, 6))  # this pause runs into 2027: not countable yet, supplying is not refused
    item_case_supply(actor=people.applicant_user, item_case_id=insurance.pk, note="照片")
    insurance = items(drugstore)[INSURANCE]
    assert (insurance.state, insurance.due_on, insurance.due_status) == (ItemState.IN_REVIEW, None, "UNKNOWN")
    assert insurance.due_year_missing == 2027

    year_coverage_declare(year=2027)
    deadline_sweep()
    calendar = work_calendar()
    paused = 2 + calendar.working_days_between(date(2026, 12, 3), date(2027, 1, 6))
    insurance = items(drugstore)[INSURANCE]
    assert insurance.paused_days == paused
    assert insurance.due_on == calendar.add_working_days(FRIDAY, 64 + paused)


def test_a_case_whose_intake_deadline_falls_in_a_missing_year_is_not_deemed_accepted(
    people: People, clock: FrozenClock, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    clock.set(date(2026, 12, 28))  # five working days later is 2027
    case = submit(people, thing="KFG")
    clock.set(date(2027, 1, 11))
    with caplog.at_level(logging.ERROR, logger="lianban.intake.services"):
        result = deemed_acceptance_sweep_run()
    assert result.accepted == []
    assert result.not_computable == {case.pk: 2027}
    assert fresh(case).state == CaseState.SUBMITTED
    assert any(str(case.pk) in r.getMessage() and "2027" in r.getMessage() for r in caplog.records)
    (alert,) = calendar_alert_list()
    assert (alert.year, alert.cases) == (2027, 1)
    call_command("deemed_acceptance")
    assert f"case {case.pk} (2027)" in capsys.readouterr().err

    year_coverage_declare(year=2027)
    assert deemed_acceptance_sweep() == [case.pk]
    assert fresh(case).acceptance == "DEEMED"
    first = ItemCase.objects.get(case=case, item_code="SCJG-GSSL")
    assert first.due_on is not None
