"""Deadline signals (提示 / 黄牌 / 红牌): raised by the sweep at the right working days, once, immutable."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, connection, transaction

import pytest

from lianban.cases.models import Case, CaseEvent
from lianban.intake.services import MaterialPromise, deemed_acceptance_sweep, intake_accept
from lianban.review.services import item_case_request_supplement, item_case_supply, item_case_take
from lianban.supervision.models import AppendOnlySignal, Signal, SignalLevel
from lianban.supervision.services import deadline_sweep
from lianban.supervision.signals import promised_path
from tests.cases.kit import FrozenClock, People, check_all, items, submit
from tests.supervision.test_supervision import accepted, approve

pytestmark = pytest.mark.django_db


def raised(case: Case, subject: str = "ITEM_CASE", subject_id: int | None = None) -> list[tuple[str, date]]:
    """The case's signals about ``subject`` (one subject id), oldest first: (level, due date)."""
    rows = Signal.objects.filter(case=case, subject=subject).order_by("id")
    if subject_id is not None:
        rows = rows.filter(subject_id=subject_id)
    return [(s.level, s.due_on) for s in rows]


def test_an_item_gets_notice_and_yellow_the_working_day_before_and_red_after_once_each(
    people: People, clock: FrozenClock
) -> None:
    case = accepted(people)
    approve(people, case, "SCJG-GSSL")
    spjy = items(case)["SCJG-SPJY"]
    assert spjy.due_on == date(2025, 3, 10)  # Monday, 5 working days
    deadline_sweep()
    clock.set(date(2025, 3, 6))  # Thursday: 2 of 5 left
    deadline_sweep()
    assert raised(case, subject_id=spjy.pk) == []

    clock.set(date(2025, 3, 7))  # Friday: one working day left
    assert deadline_sweep().signals >= 2
    due = date(2025, 3, 10)
    assert raised(case, subject_id=spjy.pk) == [("NOTICE", due), ("YELLOW", due)]
    clock.set(date(2025, 3, 8))  # Saturday: still one left, nothing new
    assert deadline_sweep().signals == 0
    clock.set(date(2025, 3, 11))
    deadline_sweep()
    deadline_sweep()  # idempotent
    assert raised(case, subject_id=spjy.pk) == [("NOTICE", due), ("YELLOW", due), ("RED", due)]

    signal = Signal.objects.get(subject_id=spjy.pk, subject="ITEM_CASE", level="RED")
    assert (signal.department_id, signal.item_case_id) == (spjy.department_id, spjy.pk)
    assert signal.raised_at.date() == date(2025, 3, 11)
    trail = case.events.filter(action="signal.raised", item_case=spjy).order_by("id")
    assert [e.after["level"] for e in trail] == ["NOTICE", "YELLOW", "RED"]
    assert all(e.actor is None and e.actor_role == "SYSTEM" for e in trail)


def test_a_due_date_on_a_make_up_sunday_signals_on_the_saturday_before_and_red_on_monday(
    people: People, clock: FrozenClock
) -> None:
    clock.set(date(2025, 9, 26))  # Friday; Sunday 9-28 is a working day (National Day arrangement)
    case = accepted(people)
    gssl = items(case)["SCJG-GSSL"]
    assert gssl.due_on == date(2025, 9, 28)
    clock.set(date(2025, 9, 27))
    deadline_sweep()
    assert raised(case, subject_id=gssl.pk) == [("NOTICE", gssl.due_on), ("YELLOW", gssl.due_on)]
    clock.set(date(2025, 9, 28))
    deadline_sweep()
    assert raised(case, subject_id=gssl.pk)[2:] == []  # due today: on time
    clock.set(date(2025, 9, 29))
    deadline_sweep()
    assert raised(case, subject_id=gssl.pk)[2:] == [("RED", gssl.due_on)]


def test_the_yellow_share_is_a_setting_and_the_case_has_its_own_signals(
    people: People, clock: FrozenClock, settings: Any
) -> None:
    settings.LIANBAN_SIGNAL_YELLOW_PERCENT = 40
    case = accepted(people)
    approve(people, case, "SCJG-GSSL")
    spjy = items(case)["SCJG-SPJY"]
    item_case_take(actor=people.reviewer("SCJG"), item_case_id=spjy.pk)
    clock.set(date(2025, 3, 6))  # 2 of 5 working days left = 40 %
    deadline_sweep()
    assert raised(case, subject_id=spjy.pk) == [("YELLOW", date(2025, 3, 10))]
    assert Signal.objects.get(subject_id=spjy.pk, subject="ITEM_CASE").responsible == people.reviewer("SCJG")
    # the case: accepted Monday 3-3, the plan's path 1 + 5 working days → due Tuesday 3-11
    assert promised_path(list(items(case).values())) == max(i["finish_day"] for i in case.plan["items"]) == 6
    assert raised(case, "CASE") == []
    clock.set(date(2025, 3, 10))
    deadline_sweep()
    assert raised(case, "CASE") == [("NOTICE", date(2025, 3, 11)), ("YELLOW", date(2025, 3, 11))]
    clock.set(date(2025, 3, 12))
    deadline_sweep()
    assert raised(case, "CASE")[-1] == ("RED", date(2025, 3, 11))
    assert Signal.objects.filter(subject="CASE").get(level="RED").department_id == case.lead_department_id


def test_a_supplement_moves_the_due_date_and_the_signals_come_again_for_the_new_date(
    people: People, clock: FrozenClock
) -> None:
    case = accepted(people)
    approve(people, case, "SCJG-GSSL")
    spjy = items(case)["SCJG-SPJY"]
    reviewer = people.reviewer("SCJG")
    item_case_take(actor=reviewer, item_case_id=spjy.pk)
    clock.set(date(2025, 3, 7))
    deadline_sweep()
    item_case_request_supplement(actor=reviewer, item_case_id=spjy.pk, reason="补平面图")
    clock.set(date(2025, 3, 11))
    deadline_sweep()  # paused: its clock is stopped, no red card
    assert raised(case, subject_id=spjy.pk) == [("NOTICE", date(2025, 3, 10)), ("YELLOW", date(2025, 3, 10))]
    assert raised(case, "CASE") == []  # nor for the case, due 3-11 without the pause
    item_case_supply(actor=people.applicant_user, item_case_id=spjy.pk, note="已补")
    moved = items(case)["SCJG-SPJY"].due_on
    assert moved == date(2025, 3, 12)  # two working days paused
    deadline_sweep()
    deadline_sweep()
    assert raised(case, subject_id=spjy.pk)[2:] == [("NOTICE", moved), ("YELLOW", moved)]
    assert raised(case, "CASE") == [("NOTICE", moved), ("YELLOW", moved)]  # the case's due date moved with it


def test_intake_signals_before_the_deadline_and_red_when_deemed_accepted(people: People, clock: FrozenClock) -> None:
    case = submit(people, thing="KFG")  # Monday 3-3: decision due within 5 working days, by Monday 3-10
    clock.set(date(2025, 3, 6))
    deadline_sweep()
    assert raised(case, "INTAKE") == []
    clock.set(date(2025, 3, 7))
    deadline_sweep()
    due = date(2025, 3, 10)
    assert raised(case, "INTAKE") == [("NOTICE", due), ("YELLOW", due)]
    clock.set(date(2025, 3, 11))
    assert deemed_acceptance_sweep() == [case.pk]
    deadline_sweep()
    assert raised(case, "INTAKE") == [("NOTICE", due), ("YELLOW", due), ("RED", due)]
    red = Signal.objects.get(subject="INTAKE", level="RED")
    assert red.department_id == case.lead_department_id
    assert case.events.filter(action="signal.raised", after__level="RED", after__subject="INTAKE").count() == 1


def test_a_promise_past_its_date_gets_a_red_card_once(people: People, clock: FrozenClock) -> None:
    case = submit(people, skip=["WSJC"])
    check_all(people, case, results={"WSJC": ("MISSING", "缺")})
    intake_accept(actor=people.clerk, case_id=case.pk, promises={"WSJC": MaterialPromise(date(2025, 3, 14))})
    clock.set(date(2025, 3, 14))
    deadline_sweep()
    assert raised(case, "PROMISE") == []
    clock.set(date(2025, 3, 17))
    deadline_sweep()
    deadline_sweep()
    assert raised(case, "PROMISE") == [("RED", date(2025, 3, 14))]
    assert Signal.objects.get(subject="PROMISE").responsible == people.clerk


def test_signals_are_immutable_through_the_orm_and_in_the_database(people: People, clock: FrozenClock) -> None:
    case = accepted(people)  # GSSL: one working day promised → notice and yellow at once
    deadline_sweep()
    signal = Signal.objects.filter(case=case).first()
    assert signal is not None
    signal.level = "RED"
    with pytest.raises(AppendOnlySignal):
        signal.save()
    with pytest.raises(AppendOnlySignal):
        signal.delete()
    with pytest.raises(AppendOnlySignal):
        Signal.objects.filter(pk=signal.pk).update(level="RED")
    with pytest.raises(AppendOnlySignal):
        Signal.objects.filter(pk=signal.pk).delete()
    for sql in (
        "UPDATE supervision_signal SET level = 'RED' WHERE id = %s",
        "DELETE FROM supervision_signal WHERE id = %s",
    ):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [signal.pk])
    assert Signal.objects.get(pk=signal.pk).level != "RED"
    assert (
        CaseEvent.objects.filter(case=case, action="signal.raised").count() == Signal.objects.filter(case=case).count()
    )


def test_the_signal_list_shows_each_role_its_own_and_filters(people: People, clock: FrozenClock) -> None:
    from tests.api.kit import Api, every_row

    case = accepted(people, thing="KJD")  # led by SCJG; GSSL (SCJG) runs first
    submit(people, thing="KFG")  # waits for its intake decision
    clock.set(date(2025, 6, 3))  # past every promise
    deadline_sweep()
    ours = Signal.objects.filter(case=case)
    assert ours.filter(subject="ITEM_CASE", department__code="SCJG").exists()

    everything = every_row(Api(people.supervisor), "/api/supervision/signals")
    assert [row["id"] for row in everything] == list(
        Signal.objects.order_by("-raised_at", "-id").values_list("id", flat=True)
    )
    row = next(r for r in everything if r["subject"] == "ITEM_CASE")
    assert (row["level"], row["level_label"], row["department"]) == ("RED", str(SignalLevel.RED.label), "SCJG")
    assert row["case"]["code"] == case.code_for_people and row["item_code"] == "SCJG-GSSL"

    reviewer = every_row(Api(people.reviewer("SCJG")), "/api/supervision/signals")
    assert reviewer and {(r["subject"], r["department"]) for r in reviewer} == {("ITEM_CASE", "SCJG")}
    assert every_row(Api(people.reviewer("GA")), "/api/supervision/signals") == []
    clerk = every_row(Api(people.clerk), "/api/supervision/signals")
    assert {r["subject"] for r in clerk} == {"CASE", "INTAKE"} and {r["department"] for r in clerk} == {"SCJG"}
    assert every_row(Api(people.other_clerk), "/api/supervision/signals") == []
    assert len(every_row(Api(people.window), "/api/supervision/signals")) == len(clerk)
    Api(people.applicant_user).get("/api/supervision/signals", expect=403)

    reds = every_row(Api(people.supervisor), "/api/supervision/signals?level=RED&department=SCJG")
    assert reds and {(r["level"], r["department"]) for r in reds} == {("RED", "SCJG")}
    assert len(reds) == Signal.objects.filter(level="RED", department__code="SCJG").count()
    Api(people.supervisor).get("/api/supervision/signals", {"level": "PURPLE"}, expect=400)
