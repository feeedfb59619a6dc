"""The audit trail is append-only: in the ORM and in the database itself."""

from __future__ import annotations

from django.db import DatabaseError, connection, transaction

import pytest

from lianban.cases.models import AppendOnly, CaseEvent
from lianban.cases.models import CaseOutcome as CaseOutcomeChoices
from lianban.cases.models import CaseState as CaseStateChoices
from lianban.cases.models import DueStatus as DueStatusChoices
from lianban.cases.models import ItemState as ItemStateChoices
from lianban.core import case_flow as flow
from lianban.intake.models import CheckResult as CheckResultChoices
from tests.cases.kit import FrozenClock, People, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(people: People, clock: FrozenClock) -> CaseEvent:
    case = submit(people, thing="KFG", answers={"area": 200})
    return case.events.get()


def test_an_event_cannot_be_saved_again(event: CaseEvent) -> None:
    event.reason = "rewritten"
    with pytest.raises(AppendOnly):
        event.save()


def test_an_event_cannot_be_deleted(event: CaseEvent) -> None:
    with pytest.raises(AppendOnly):
        event.delete()


def test_querysets_cannot_update_or_delete_events(event: CaseEvent) -> None:
    with pytest.raises(AppendOnly):
        CaseEvent.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(AppendOnly):
        CaseEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnly):
        CaseEvent.objects.all().delete()
    with pytest.raises(AppendOnly):
        CaseEvent.objects.bulk_update([event], ["reason"])
    assert CaseEvent.objects.filter(pk=event.pk, reason="").exists()


def test_the_database_rejects_raw_updates(event: CaseEvent) -> None:
    table = CaseEvent._meta.db_table
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET reason = 'forged' WHERE id = %s", [event.pk])  # noqa: S608
    assert CaseEvent.objects.get(pk=event.pk).reason == ""


def test_the_database_rejects_raw_deletes(event: CaseEvent) -> None:
    table = CaseEvent._meta.db_table
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [event.pk])  # noqa: S608
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608
    assert CaseEvent.objects.filter(pk=event.pk).exists()


def test_new_events_can_still_be_added(event: CaseEvent) -> None:
    CaseEvent.objects.create(case=event.case, actor=None, actor_role="SYSTEM", at=event.at, action="note")
    assert event.case.events.count() == 2


def test_the_model_choices_mirror_the_core_state_machines() -> None:
    assert set(CaseStateChoices.values) == {s.value for s in flow.CaseState}
    assert set(ItemStateChoices.values) == {s.value for s in flow.ItemState}
    assert set(CaseOutcomeChoices.values) == {s.value for s in flow.CaseOutcome}
    assert set(DueStatusChoices.values) == {s.value for s in flow.DueStatus}
    assert set(CheckResultChoices.values) == {s.value for s in flow.CheckResult}


def _replays(events: list[CaseEvent], table: frozenset[tuple[str, str, str]], start: str, end: str) -> None:
    """The state changes recorded in ``events`` are a path of the machine from ``start`` to ``end``."""
    moves = {(source, target) for source, _, target in table}
    state = start
    for event in events:
        if "state" not in event.after or event.before.get("state") == event.after["state"]:
            continue
        if "state" not in event.before:  # the creation
            assert event.after["state"] == start == state, event.action
            continue
        assert event.before["state"] == state, event.action
        assert (state, event.after["state"]) in moves, event.action
        state = event.after["state"]
    assert state == end


def test_the_trail_replays_every_transition_of_the_case_and_its_items(people: People, clock: FrozenClock) -> None:
    from lianban.cases.services import case_withdraw
    from lianban.intake.services import intake_accept, intake_request_correction
    from lianban.review.services import (
        item_case_approve,
        item_case_reject,
        item_case_request_supplement,
        item_case_supply,
        item_case_take,
    )
    from tests.cases.kit import check_all, items

    case = submit(people)
    check_all(people, case, results={"GSZC": ("WRONG", "x")})
    intake_request_correction(actor=people.clerk, case_id=case.pk)
    from lianban.cases.services import case_resubmit

    case_resubmit(actor=people.applicant_user, case_id=case.pk)
    check_all(people, case)
    intake_accept(actor=people.clerk, case_id=case.pk)
    gssl = items(case)["SCJG-GSSL"]
    item_case_take(actor=people.reviewer("SCJG"), item_case_id=gssl.pk)
    item_case_request_supplement(actor=people.reviewer("SCJG"), item_case_id=gssl.pk, reason="补")
    item_case_supply(actor=people.applicant_user, item_case_id=gssl.pk, note="好")
    item_case_approve(actor=people.reviewer("SCJG"), item_case_id=gssl.pk, licence_number="N")
    xfsj = items(case)["ZJ-XFSJ"]
    item_case_take(actor=people.reviewer("ZJ"), item_case_id=xfsj.pk)
    item_case_reject(actor=people.reviewer("ZJ"), item_case_id=xfsj.pk, reason="不合格")
    case_withdraw(actor=people.applicant_user, case_id=case.pk, reason="不办了")

    case.refresh_from_db()
    case_events = list(case.events.filter(item_case__isnull=True).order_by("at", "id"))
    _replays(case_events, flow.transitions(flow.CASE_TRANSITIONS), "SUBMITTED", case.state)
    assert case.state == "WITHDRAWN"
    for item in items(case).values():
        trail = list(item.events.order_by("at", "id"))
        _replays(trail, flow.transitions(flow.ITEM_TRANSITIONS), "WAITING", item.state)
        assert all(e.actor_role for e in trail)
    assert {i.state for i in items(case).values()} == {"APPROVED", "REJECTED", "CANCELLED"}
