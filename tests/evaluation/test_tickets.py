"""差评 → rectification ticket: for the unit that handled it, due on working days, 预审 → 回访 → 整改 → 反馈 → 复评;
复评 不满意 reopens once and raises a 督办 order; every step on the case's trail; only the people concerned act."""

from __future__ import annotations

from datetime import date

import pytest

from lianban.cases.models import Case, CaseEvent, ItemCase
from lianban.core.case_errors import TextRequired
from lianban.core.errors import NotAllowed, NotVisible
from lianban.core.evaluation import TicketStepRefused
from lianban.evaluation import services as ev
from lianban.evaluation.models import RectificationTicket
from lianban.supervision.models import OrderOrigin, SupervisionOrder
from tests.cases.kit import FrozenClock, People, pdf
from tests.evaluation.kit import issued

pytestmark = pytest.mark.django_db


def bad_item_rating(people: People, clock: FrozenClock) -> tuple[Case, ItemCase, RectificationTicket]:
    case = issued(people, clock)
    item = ItemCase.objects.get(case=case, item_code="SCJG-GSSL")
    rating = ev.rating_give(
        actor=people.applicant_user,
        case_id=case.pk,
        item_case_id=item.pk,
        given=ev.Given(level=2, indicators=["efficiency"], comment="太慢"),
    )
    return case, item, RectificationTicket.objects.get(rating=rating)


def test_a_bad_rating_opens_a_ticket_for_the_unit_and_person_who_handled_it(people: People, clock: FrozenClock) -> None:
    case, item, ticket = bad_item_rating(people, clock)
    assert (ticket.department_id, ticket.responsible_id, ticket.state) == (
        item.department_id,
        item.decided_by_id,
        "PRECHECK",
    )
    assert CaseEvent.objects.filter(case=case, action="ticket.opened", after__ticket=ticket.pk).exists()


def test_a_good_rating_opens_none(people: People, clock: FrozenClock) -> None:
    case = issued(people, clock)
    ev.rating_give(actor=people.applicant_user, case_id=case.pk, item_case_id=None, given=ev.Given(level=3))
    assert not RectificationTicket.objects.exists()


def test_due_dates_count_working_days_across_a_make_up_weekend(people: People, clock: FrozenClock) -> None:
    case = issued(people, clock)
    clock.set(date(2025, 9, 26))  # Friday; Sunday 9-28 is a make-up working day, 10-1..10-8 off
    rating = ev.rating_give(
        actor=people.applicant_user, case_id=case.pk, item_case_id=None, given=ev.Given(level=1, indicators=["guide"])
    )
    ticket = RectificationTicket.objects.get(rating=rating)
    assert ticket.contact_due_on == date(2025, 9, 28)
    assert ticket.rectify_due_on == date(2025, 10, 23)


def test_the_loop_runs_to_closure_with_every_step_audited(people: People, clock: FrozenClock) -> None:
    case, _item, ticket = bad_item_rating(people, clock)
    unit = people.reviewer("SCJG")
    ev.ticket_precheck(actor=unit, ticket_id=ticket.pk, verdict="TRUE", note="确实超时")
    ev.ticket_visit(actor=unit, ticket_id=ticket.pk, call_record="已电话联系申请人")
    ev.ticket_rectify(actor=unit, ticket_id=ticket.pk, rectification="优化审批流程", evidence=pdf("整改.pdf"))
    ev.ticket_feedback(actor=unit, ticket_id=ticket.pk, feedback="已整改，请复评")
    done = ev.ticket_rerate(actor=people.applicant_user, ticket_id=ticket.pk, rerating="SATISFIED")
    assert (done.state, done.rerating, done.order_id) == ("CLOSED", "SATISFIED", None)
    assert done.closed_at is not None and str(done.evidence.name).startswith(f"evaluation/{ticket.pk}/")
    trail = list(
        CaseEvent.objects.filter(case=case, action__startswith="ticket.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert trail == [
        "ticket.opened",
        "ticket.prechecked",
        "ticket.visited",
        "ticket.rectified",
        "ticket.fed_back",
        "ticket.rerated",
    ]


def test_dissatisfied_reopens_once_and_raises_a_supervision_order(people: People, clock: FrozenClock) -> None:
    case, item, ticket = bad_item_rating(people, clock)
    unit = people.reviewer("SCJG")

    def round_() -> None:
        ev.ticket_rectify(actor=unit, ticket_id=ticket.pk, rectification="整改", evidence=None)
        ev.ticket_feedback(actor=unit, ticket_id=ticket.pk, feedback="请复评")

    ev.ticket_precheck(actor=unit, ticket_id=ticket.pk, verdict="REASONABLE", note="合理")
    ev.ticket_visit(actor=unit, ticket_id=ticket.pk, call_record="已回访")
    round_()
    reopened = ev.ticket_rerate(actor=people.applicant_user, ticket_id=ticket.pk, rerating="DISSATISFIED")
    assert (reopened.state, reopened.reopened) == ("RECTIFY", 1)
    assert reopened.order_id is not None
    order = SupervisionOrder.objects.get(pk=reopened.order_id)
    assert (order.origin, order.department_id, list(order.cases.all())) == (
        OrderOrigin.RATING,
        item.department_id,
        [case],
    )
    assert CaseEvent.objects.filter(case=case, action="order.raised").exists()
    round_()
    closed = ev.ticket_rerate(actor=people.applicant_user, ticket_id=ticket.pk, rerating="DISSATISFIED")
    assert (closed.state, closed.rerating) == ("CLOSED", "DISSATISFIED")
    assert SupervisionOrder.objects.filter(origin=OrderOrigin.RATING).count() == 1  # once


def test_a_malicious_rating_is_closed_at_the_precheck(people: People, clock: FrozenClock) -> None:
    _case, _item, ticket = bad_item_rating(people, clock)
    done = ev.ticket_precheck(actor=people.reviewer("SCJG"), ticket_id=ticket.pk, verdict="MALICIOUS", note="恶意差评")
    assert done.state == "CLOSED"
    with pytest.raises(TicketStepRefused):
        ev.ticket_visit(actor=people.reviewer("SCJG"), ticket_id=ticket.pk, call_record="x")


def test_only_the_unit_works_the_ticket_and_only_the_evaluator_rerates(people: People, clock: FrozenClock) -> None:
    _case, _item, ticket = bad_item_rating(people, clock)
    with pytest.raises(NotVisible):  # another department does not see it
        ev.ticket_precheck(actor=people.reviewer("GA"), ticket_id=ticket.pk, verdict="TRUE", note="x")
    with pytest.raises(NotAllowed):  # the supervisor sees it, but does not work it
        ev.ticket_precheck(actor=people.supervisor, ticket_id=ticket.pk, verdict="TRUE", note="x")
    with pytest.raises(NotAllowed):
        ev.ticket_precheck(actor=people.applicant_user, ticket_id=ticket.pk, verdict="TRUE", note="x")
    with pytest.raises(TicketStepRefused):  # a step out of order
        ev.ticket_feedback(actor=people.reviewer("SCJG"), ticket_id=ticket.pk, feedback="x")
    with pytest.raises(NotAllowed):
        ev.ticket_rerate(actor=people.reviewer("SCJG"), ticket_id=ticket.pk, rerating="SATISFIED")
    with pytest.raises(NotVisible):
        ev.ticket_rerate(actor=people.other_user, ticket_id=ticket.pk, rerating="SATISFIED")
    with pytest.raises(TextRequired):  # a step says what it found
        ev.ticket_precheck(actor=people.reviewer("SCJG"), ticket_id=ticket.pk, verdict="TRUE", note=" ")
