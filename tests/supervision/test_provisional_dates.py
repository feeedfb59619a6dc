"""A case running into a year without an official arrangement: provisional (预计) dates, confirmed on entry.

Today is pinned at the end of 2026 (chinesecalendar 1.11 covers 2004–2026). The
drugstore's 医保定点 (YB-YDDD) takes 64 working days: dispatched on Friday
2026-11-20 it is due in February 2027, across 春节, whose official arrangement
(tests/workdays/files/arrangement-2027.json, made up for the tests) rests
longer than the law's four days and works a Saturday.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

from django.test import Client
from django.utils import translation

import pytest
from pypdf import PdfReader

from lianban.cases.models import Case, CaseEvent, DueStatus, ItemState
from lianban.cases.selectors import track
from lianban.core.holiday_rules import provisional_exceptions
from lianban.core.workdays import WorkCalendar
from lianban.intake.selectors import acceptance_receipt as receipt_round
from lianban.intake.services import intake_accept
from lianban.review.services import item_case_approve, item_case_take
from lianban.supervision.services import deadline_sweep, provisional_dates_recompute
from lianban.workbench.documents import acceptance_receipt, render_pdf
from lianban.workbench.selectors.supervision import arrangement_warning
from lianban.workbench.views import supervision as supervision_views
from lianban.workdays.services import (
    chinese_calendar_exceptions,
    chinese_calendar_years,
    holiday_arrangement_import,
    holiday_file_parse,
    work_calendar,
)
from tests.cases.kit import FrozenClock, People, check_all, fresh, items, make_user, submit

pytestmark = pytest.mark.django_db

FILE = Path(__file__).parents[1] / "workdays" / "files" / "arrangement-2027.json"
DRUGSTORE = {
    "otc_class_b_only": False,
    "sells_class2_devices": False,
    "sells_health_food": False,
    "apply_medical_insurance": True,
}
INSURANCE = "YB-YDDD"  # 64 working days, after the drug licence
FRIDAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def package_ends_in_2026() -> None:
    if chinese_calendar_years().stop != 2027:
        pytest.skip("the installed chinesecalendar covers 2027: nothing provisional to test")


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


def law_only_2027() -> WorkCalendar:
    """The law's 2027, built here from the rules and the package's 2026 (independently of the services)."""
    exceptions = {**chinese_calendar_exceptions(), **provisional_exceptions([2027])}
    return WorkCalendar.from_exceptions(exceptions, [2026], [2027])


def enter_2027() -> None:
    holiday_arrangement_import(arrangement=holiday_file_parse(FILE.read_bytes()), source="test notice")


def test_a_case_running_into_2027_gets_a_provisional_due_date_and_eta(drugstore: Case) -> None:
    insurance = items(drugstore)[INSURANCE]
    assert insurance.state == ItemState.DISPATCHED
    assert insurance.due_on == law_only_2027().add_working_days(FRIDAY, 64)
    assert insurance.due_on.year == 2027
    assert insurance.due_provisional is True
    assert insurance.due_status == DueStatus.ON_TIME  # the deadline is watched, not unknown
    assert insurance.due_year_missing is None
    dispatched = CaseEvent.objects.get(item_case=insurance, action="item.dispatched")
    assert (dispatched.after["due_on"], dispatched.after["provisional"]) == (insurance.due_on.isoformat(), True)
    case = fresh(drugstore)
    assert case.eta == insurance.due_on and case.eta_provisional is True
    public = track(drugstore.tracking_code)
    assert public is not None
    assert public["eta_provisional"] is True
    (running,) = [i for s in public["stages"] for i in s["items"] if i["code"] == INSURANCE]
    assert running["due_provisional"] is True and running["due_on"] == insurance.due_on.isoformat()


def test_entering_the_arrangement_confirms_the_dates_once(people: People, drugstore: Case) -> None:
    provisional = items(drugstore)[INSURANCE].due_on
    enter_2027()
    confirmed_calendar = work_calendar(date(2026, 11, 20))
    assert 2027 not in confirmed_calendar.provisional_years
    result = provisional_dates_recompute()
    assert (result.cases, result.items, result.still_provisional) == (1, 1, 0)
    insurance = items(drugstore)[INSURANCE]
    assert insurance.due_on == confirmed_calendar.add_working_days(FRIDAY, 64)
    assert insurance.due_on != provisional  # the official 春节 rests longer than the law's four days
    assert insurance.due_provisional is False
    event = CaseEvent.objects.get(item_case=insurance, action="item.due_recomputed")
    assert event.actor is None
    assert event.before == {"due_on": provisional.isoformat(), "paused_days": 0, "provisional": True}
    assert {k: event.after[k] for k in ("due_on", "paused_days", "provisional")} == {
        "due_on": insurance.due_on.isoformat(),
        "paused_days": 0,
        "provisional": False,
    }
    case = fresh(drugstore)
    assert (case.eta, case.eta_provisional) == (insurance.due_on, False)

    events = CaseEvent.objects.count()
    again = provisional_dates_recompute()  # idempotent: nothing left to do, nothing written
    assert (again.cases, again.items) == (0, 0)
    deadline_sweep()
    assert CaseEvent.objects.count() == events
    assert items(drugstore)[INSURANCE].due_on == insurance.due_on


def test_recomputing_without_a_calendar_change_changes_nothing(drugstore: Case) -> None:
    before = (items(drugstore)[INSURANCE].due_on, CaseEvent.objects.count())
    result = provisional_dates_recompute()
    assert (result.cases, result.items, result.still_provisional) == (1, 0, 1)
    assert (items(drugstore)[INSURANCE].due_on, CaseEvent.objects.count()) == before
    assert items(drugstore)[INSURANCE].due_provisional is True


def test_the_sweep_confirms_a_date_whose_year_was_entered_even_without_the_task(drugstore: Case) -> None:
    enter_2027()  # on_commit never fires inside the test's transaction: the task does not run
    assert items(drugstore)[INSURANCE].due_provisional is True
    deadline_sweep()
    insurance = items(drugstore)[INSURANCE]
    assert insurance.due_provisional is False
    assert insurance.due_on == work_calendar(FRIDAY).add_working_days(FRIDAY, 64)


def test_pages_show_the_date_as_provisional_until_confirmed(
    people: People, drugstore: Case, client: Client, settings: Any
) -> None:
    client.force_login(people.reviewer("YB"))
    queue = client.get("/work/department/").content.decode()
    assert '<span class="provisional"' in queue and ">预计<" in queue
    client.force_login(people.supervisor)
    html = client.get("/work/supervision/").content.decode()
    assert 'data-alert="arrangement-2027"' in html and "2027年的日期为预计" in html
    client.force_login(people.applicant_user)
    mine = client.get(f"/my/cases/{drugstore.pk}/").content.decode()
    assert ">预计<" in mine
    enter_2027()
    provisional_dates_recompute()
    client.force_login(people.reviewer("YB"))
    assert ">预计<" not in client.get("/work/department/").content.decode()


def test_the_api_has_a_flag_next_to_each_date(people: People, drugstore: Case, client: Client) -> None:
    client.force_login(people.reviewer("YB"))
    body = client.get(f"/api/cases/{drugstore.pk}").json()
    assert body["eta_provisional"] is True
    (insurance,) = [i for i in body["items"] if i["code"] == INSURANCE]
    assert insurance["due_provisional"] is True


def test_the_acceptance_receipt_marks_the_expected_date_provisional(people: People, drugstore: Case) -> None:
    case = fresh(drugstore)
    round_ = receipt_round(case)
    assert round_ is not None
    with translation.override("zh-hans"):
        pdf = render_pdf(acceptance_receipt(case, round_, "x"))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "（预计）" in text and "尚未公布" in text


def test_the_supervisors_warning_counts_provisional_dates_only_up_to_a_cap(
    people: People, drugstore: Case, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    warning = arrangement_warning()
    assert warning is not None and (warning.item_cases, warning.item_cases_more) == (1, False)
    assert (warning.cases, warning.cases_more) == (1, False)
    capped = arrangement_warning(cap=0)  # at a city's scale: "more than N", not a count of every row
    assert capped is not None and capped.item_cases_more and capped.cases_more
    monkeypatch.setattr(supervision_views, "arrangement_warning", lambda: capped)
    client.force_login(people.supervisor)
    html = client.get("/work/supervision/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "超过 0 个在办事项" in html and "超过 0 件在办办件" in html
