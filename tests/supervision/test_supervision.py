"""Deadlines, the sweep, ETA and public tracking."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management import call_command

import pytest

from lianban.cases.models import Case, CaseState, DueStatus, ItemState
from lianban.cases.selectors import track
from lianban.core.errors import CalendarNotCovered
from lianban.core.tracking import format_code
from lianban.intake.services import intake_accept
from lianban.review.services import item_case_approve, item_case_request_supplement, item_case_take
from lianban.supervision.models import Signal
from lianban.supervision.selectors import case_counts_by_state, item_case_due_soon_list, item_case_overdue_list
from lianban.supervision.services import deadline_sweep
from lianban.supervision.tasks import deadline_sweep as deadline_sweep_job
from lianban.workdays.services import work_calendar
from tests.cases.kit import FrozenClock, People, check_all, fresh, items, submit

pytestmark = pytest.mark.django_db


def accepted(people: People, thing: str = "KFG") -> Case:
    case = submit(people, thing=thing)
    check_all(people, case)
    intake_accept(actor=people.clerk, case_id=case.pk)
    return case


def approve(people: People, case: Case, code: str) -> None:
    item = items(case)[code]
    reviewer = people.reviewer(item.department.code)
    item_case_take(actor=reviewer, item_case_id=item.pk)
    item_case_approve(actor=reviewer, item_case_id=item.pk, licence_number=f"N-{code}")


def test_the_sweep_moves_items_from_on_time_to_due_soon_to_overdue_once_each(
    people: People, clock: FrozenClock
) -> None:
    case = accepted(people)
    approve(people, case, "SCJG-GSSL")
    spjy = items(case)["SCJG-SPJY"]
    assert spjy.due_on == date(2025, 3, 10)
    assert spjy.due_status == DueStatus.ON_TIME
    assert deadline_sweep().changed == {}

    clock.set(date(2025, 3, 7))  # Friday: one working day left
    result = deadline_sweep()
    assert result.changed.get("DUE_SOON", 0) >= 1
    assert items(case)["SCJG-SPJY"].due_status == DueStatus.DUE_SOON
    assert spjy in item_case_due_soon_list()
    assert deadline_sweep().changed == {}  # idempotent

    clock.set(date(2025, 3, 11))
    deadline_sweep()
    late = items(case)["SCJG-SPJY"]
    assert late.due_status == DueStatus.OVERDUE
    assert late in item_case_overdue_list()
    trail = case.events.filter(action="item.due_status", item_case=late).order_by("id")
    assert [e.after["due_status"] for e in trail] == ["DUE_SOON", "OVERDUE"]
    assert all(e.actor is None and e.actor_role == "SYSTEM" for e in trail)


def test_a_paused_item_does_not_become_overdue_while_its_clock_is_stopped(people: People, clock: FrozenClock) -> None:
    case = accepted(people)
    approve(people, case, "SCJG-GSSL")
    spjy = items(case)["SCJG-SPJY"]
    item_case_take(actor=people.reviewer("SCJG"), item_case_id=spjy.pk)
    item_case_request_supplement(actor=people.reviewer("SCJG"), item_case_id=spjy.pk, reason="补")
    clock.set(date(2025, 3, 20))
    deadline_sweep()
    assert items(case)["SCJG-SPJY"].due_status == DueStatus.ON_TIME


def test_the_eta_follows_the_critical_path_and_is_recomputed_on_every_change(
    people: People, clock: FrozenClock
) -> None:
    case = submit(people, thing="KFG")
    # before acceptance: from today along the plan (1 + 5 working days)
    assert case.eta == date(2025, 3, 11)
    check_all(people, case)
    intake_accept(actor=people.clerk, case_id=case.pk)
    assert fresh(case).eta == date(2025, 3, 11)
    clock.working_days(2)  # GSSL approved two days late
    approve(people, case, "SCJG-GSSL")
    assert fresh(case).eta == date(2025, 3, 12)
    clock.working_days(1)
    deadline_sweep()
    assert fresh(case).eta == date(2025, 3, 12)


def test_the_sweep_command_and_task(people: People, clock: FrozenClock, capsys: pytest.CaptureFixture[str]) -> None:
    case = accepted(people)
    clock.set(date(2025, 3, 10))
    call_command("deadline_sweep")
    out = capsys.readouterr().out
    assert "1 case(s) swept" in out
    assert f"signals raised: {Signal.objects.count()}" in out and Signal.objects.exists()
    assert items(case)["SCJG-GSSL"].due_status == DueStatus.OVERDUE
    result = deadline_sweep_job.enqueue()
    assert "supervision orders raised: 1" in out  # the item's red card
    assert result.return_value == {
        "cases": 0,  # the case's next day (its ETA moves on tomorrow) has not come: not looked at again
        "changed": {},
        "skipped": [],
        "signals": 0,
        "orders": 0,
        "urged": 0,
        "escalated": 0,
    }


def test_an_uncovered_year_leaves_the_dates_unknown_not_guessed_and_the_work_goes_on(
    people: People, clock: FrozenClock, settings: Any
) -> None:
    settings.LIANBAN_PROVISIONAL_YEARS = 0  # not even a provisional calendar
    clock.set(date(2040, 3, 5))
    case = submit(people, thing="KFG")
    assert case.eta is None
    check_all(people, case)
    intake_accept(actor=people.clerk, case_id=case.pk)
    assert fresh(case).state == CaseState.IN_PROGRESS
    first = items(case)["SCJG-GSSL"]
    assert first.state == ItemState.DISPATCHED
    assert (first.due_on, first.due_status, first.due_year_missing) == (None, DueStatus.UNKNOWN, 2040)
    assert fresh(case).eta is None
    with pytest.raises(CalendarNotCovered):
        work_calendar().add_working_days(date(2040, 3, 5), 1)  # the date itself stays an error


def test_public_tracking_shows_progress_without_personal_data(people: People, clock: FrozenClock) -> None:
    case = accepted(people, thing="KJD")
    approve(people, case, "SCJG-GSSL")
    code = format_code(case.tracking_code)
    for typed in (code, code.lower(), code.replace("-", ""), f" {code.lower()} "):
        assert track(typed) is not None
    public = track(code)
    assert public is not None
    assert public["thing_name"] == "我要开酒店、宾馆"
    assert public["state"] == CaseState.IN_PROGRESS
    assert public["eta"] == fresh(case).eta.isoformat()  # type: ignore[union-attr]
    first = public["stages"][0]["items"][0]
    assert first["code"] == "SCJG-GSSL"
    assert first["department"] == "市场监督管理局"
    assert first["state"] == ItemState.APPROVED
    assert first["finished_on"] == "2025-03-03"
    second = public["stages"][1]["items"]
    assert {i["state"] for i in second} == {ItemState.DISPATCHED}
    assert {i["due_status"] for i in second} == {"ON_TIME", "DUE_SOON"}
    assert set(public) == {
        "code",
        "thing",
        "thing_name",
        "state",
        "state_label",
        "outcome",
        "submitted_on",
        "accepted_on",
        "ready_on",
        "eta",
        "eta_provisional",
        "stages",
    }
    text = repr(public)
    for private in (people.applicant.name, people.applicant.id_number, "13800000000", "value", ".pdf", "boss"):
        assert private not in text
    assert track("0000-0000-0000") is None
    assert track("not a code") is None


def test_counts_by_state(people: People, clock: FrozenClock) -> None:
    accepted(people)
    submit(people, thing="KFG")
    assert case_counts_by_state() == {"IN_PROGRESS": 1, "SUBMITTED": 1}
