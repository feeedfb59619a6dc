"""An overdue step of a rectification ticket raises the same 提示 / 黄牌 / 红牌 as an item's deadline: the deadline
sweep asks 好差评 through the hook ``supervision.signals.DUE_STEPS`` (supervision imports nothing of evaluation)."""

from __future__ import annotations

from datetime import date

import pytest

from lianban.cases.models import CaseEvent, ItemCase
from lianban.evaluation import services as ev
from lianban.evaluation.models import RectificationTicket
from lianban.supervision.models import Signal
from lianban.supervision.services import deadline_sweep
from tests.api.kit import Api
from tests.cases.kit import FrozenClock, People
from tests.evaluation.kit import issued

pytestmark = pytest.mark.django_db


def ticket_on_friday_before_a_make_up_sunday(people: People, clock: FrozenClock) -> RectificationTicket:
    case = issued(people, clock)
    item = ItemCase.objects.get(case=case, item_code="SCJG-GSSL")
    clock.set(date(2025, 9, 26))  # Friday; Sunday 9-28 is a make-up working day, 10-1..10-8 off
    rating = ev.rating_give(
        actor=people.applicant_user,
        case_id=case.pk,
        item_case_id=item.pk,
        given=ev.Given(level=2, indicators=["efficiency"]),
    )
    return RectificationTicket.objects.get(rating=rating)


def raised(ticket: RectificationTicket) -> list[tuple[str, date]]:
    rows = Signal.objects.filter(subject="TICKET", subject_id=ticket.pk).order_by("id")
    return list(rows.values_list("level", "due_on"))


def test_the_contact_step_warns_on_the_saturday_and_is_red_on_monday_across_the_make_up_sunday(
    people: People, clock: FrozenClock
) -> None:
    ticket = ticket_on_friday_before_a_make_up_sunday(people, clock)
    assert ticket.contact_due_on == date(2025, 9, 28)
    clock.set(date(2025, 9, 27))
    deadline_sweep()
    assert raised(ticket) == [("NOTICE", date(2025, 9, 28)), ("YELLOW", date(2025, 9, 28))]
    clock.set(date(2025, 9, 28))  # the make-up Sunday is a working day: due today, on time
    deadline_sweep()
    assert raised(ticket)[2:] == []
    clock.set(date(2025, 9, 29))
    deadline_sweep()
    deadline_sweep()  # once per level and due date
    assert raised(ticket)[2:] == [("RED", date(2025, 9, 28))]
    red = Signal.objects.get(subject="TICKET", subject_id=ticket.pk, level="RED")
    assert (red.case_id, red.department_id, red.responsible_id, red.item_case_id) == (
        ticket.case_id,
        ticket.department_id,
        ticket.responsible_id,
        ticket.rating.item_case_id,
    )
    assert (
        CaseEvent.objects.filter(case_id=ticket.case_id, action="signal.raised", after__subject="TICKET").count() == 3
    )


def test_the_rectification_step_is_due_on_its_own_date_and_a_closed_ticket_raises_nothing(
    people: People, clock: FrozenClock
) -> None:
    ticket = ticket_on_friday_before_a_make_up_sunday(people, clock)
    whole = ev.rating_give(  # the case as a whole: the window's (SCJG) ticket, found malicious at once
        actor=people.applicant_user,
        case_id=ticket.case_id,
        item_case_id=None,
        given=ev.Given(level=1, indicators=["guide"]),
    )
    other = RectificationTicket.objects.get(rating=whole)
    unit = people.reviewer("SCJG")
    ev.ticket_precheck(actor=unit, ticket_id=other.pk, verdict="MALICIOUS", note="恶意")
    ev.ticket_precheck(actor=unit, ticket_id=ticket.pk, verdict="TRUE", note="属实")
    ev.ticket_visit(actor=unit, ticket_id=ticket.pk, call_record="已回访")
    clock.set(date(2025, 9, 29))
    deadline_sweep()
    assert raised(ticket) == []  # the contact steps were taken in time; 整改 is due on 10-23
    clock.set(date(2025, 10, 24))
    deadline_sweep()
    assert raised(ticket) == [("RED", ticket.rectify_due_on)]
    assert raised(other) == []


def test_the_unit_sees_the_card_on_its_ticket_and_only_the_supervisor_in_the_signal_list(
    people: People, clock: FrozenClock, client
) -> None:  # type: ignore[no-untyped-def]
    ticket = ticket_on_friday_before_a_make_up_sunday(people, clock)
    clock.set(date(2025, 9, 29))
    deadline_sweep()
    client.force_login(people.reviewer("SCJG"))
    assert 'data-signal="RED"' in client.get(f"/work/rectifications/{ticket.pk}/").content.decode()
    listed = client.get("/work/rectifications/").content.decode()
    assert f'data-ticket="{ticket.pk}"' in listed and 'data-signal="RED"' in listed
    red = Signal.objects.get(subject="TICKET", subject_id=ticket.pk, level="RED")
    supervisor = Api(people.supervisor).call("GET", "/api/supervision/signals").json()["results"]
    assert red.pk in {row["id"] for row in supervisor}
    for unit in (people.reviewer("SCJG"), people.clerk):  # the signal list names the case: masked from the unit
        assert red.pk not in {row["id"] for row in Api(unit).call("GET", "/api/supervision/signals").json()["results"]}
