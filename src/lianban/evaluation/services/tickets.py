"""差评 rectification tickets: 预审 → 回访 → 整改 → 反馈 → 复评, each step a command on the locked case.

The ticket of an anonymous window rating (no case: nobody to call back) runs 预审 → 整改 → closed
(``rules.TICKET_FLOWS``); its steps lock the ticket row and are recorded on the trail of events without a case.
"""

from __future__ import annotations

from typing import Any

from django.core.files import File
from django.utils.translation import gettext as _

from lianban.accounts.models import User
from lianban.cases import clock
from lianban.cases.events import event_record
from lianban.cases.models import Case
from lianban.cases.uploads import upload_store
from lianban.cases.workflow import lock_case
from lianban.common.idempotency import command
from lianban.core import evaluation as rules
from lianban.core.errors import NotAllowed, NotVisible
from lianban.evaluation.access import can_see_ticket, is_evaluator, is_unit_member
from lianban.evaluation.models import Rating, RectificationTicket
from lianban.evaluation.services.base import limits, text_kept

# ------------------------------------------------------------------ 差评 rectification tickets


def ticket_open(rating: Rating, case: Case | None) -> RectificationTicket:
    """Open the ticket of the 差评 ``rating`` for its unit and staff member (``case`` None: an anonymous rating).

    The due dates count working days from today on the calendar (调休 included); audited.
    """
    now = clock.now()
    dates = rules.ticket_dates(clock.calendar(), clock.local_date(now), limits())
    flow = rules.flow_of(anonymous=rating.anonymous)
    ticket = RectificationTicket.objects.create(
        rating=rating,
        case=case,
        flow=flow.value,
        department_id=rating.department_id,
        responsible_id=rating.staff_id,
        opened_at=now,
        contact_due_on=dates.contact_due_on,
        rectify_due_on=dates.rectify_due_on,
    )
    event_record(
        case=case,
        actor=None,
        action="ticket.opened",
        item_case=rating.item_case,
        after={
            "ticket": ticket.pk,
            "rating": rating.pk,
            "flow": flow.value,
            "department": rating.department_id,
            "window": rating.window_id,
            "responsible": rating.staff_id,
            "contact_due_on": dates.contact_due_on.isoformat(),
            "rectify_due_on": dates.rectify_due_on.isoformat(),
        },
    )
    return ticket


def _locked_ticket(actor: User, ticket_id: int, event: rules.TicketEvent) -> tuple[RectificationTicket, Case | None]:
    """The ticket, locked (its case first; the ticket row alone without a case), if ``actor`` may see it.

    Raises:
        NotVisible, TicketStepSkipped (the ticket's flow has no ``event``).
    """
    found = RectificationTicket.objects.filter(pk=ticket_id).values("case_id").first()
    if found is None:
        raise NotVisible
    case = lock_case(found["case_id"]) if found["case_id"] is not None else None
    ticket = (
        RectificationTicket.objects.select_for_update(of=("self",))
        .select_related("rating", "rating__item_case")
        .get(pk=ticket_id)
    )
    if not can_see_ticket(actor, ticket):
        raise NotVisible
    rules.step_check(rules.TicketFlow(ticket.flow), event)
    return ticket, case


def _move(ticket: RectificationTicket, event: rules.TicketEvent, **kwargs: Any) -> rules.TicketMove:
    move = rules.ticket_next(
        rules.TicketState(ticket.state), event, flow=rules.TicketFlow(ticket.flow), reopened=ticket.reopened, **kwargs
    )
    ticket.state = move.state.value
    ticket.version += 1
    if move.state == rules.TicketState.CLOSED:
        ticket.closed_at = clock.now()
    return move


def _record(
    ticket: RectificationTicket, case: Case | None, actor: User, action: str, before: str, **after: Any
) -> None:
    event_record(
        case=case,
        actor=actor,
        action=action,
        item_case=ticket.rating.item_case,
        before={"state": before},
        after={"ticket": ticket.pk, "state": ticket.state, **after},
    )


def _unit(actor: User, ticket: RectificationTicket) -> None:
    if not is_unit_member(actor, ticket):
        raise NotAllowed(_("only the rated unit works the rectification"))


@command(operation="ticket.precheck", model=RectificationTicket)
def ticket_precheck(
    *, actor: User, ticket_id: int, verdict: str, note: str, idempotency_key: str | None = None
) -> RectificationTicket:
    """预审: the unit finds the 差评 true, reasonable or malicious (malicious closes the ticket).

    Raises:
        NotVisible, NotAllowed, TicketStepRefused, ActionInvalid.
    """
    ticket, case = _locked_ticket(actor, ticket_id, rules.TicketEvent.PRECHECK)
    _unit(actor, ticket)
    found = rules.Verdict(verdict)
    text = text_kept(note, required=_("say what the pre-check found"))
    before = ticket.state
    _move(ticket, rules.TicketEvent.PRECHECK, verdict=found)
    ticket.verdict, ticket.precheck_note = found.value, text
    ticket.save()
    _record(ticket, case, actor, "ticket.prechecked", before, verdict=found.value, note=text)
    return ticket


@command(operation="ticket.visit", model=RectificationTicket)
def ticket_visit(
    *, actor: User, ticket_id: int, call_record: str, idempotency_key: str | None = None
) -> RectificationTicket:
    """回访核实: the unit calls the evaluator and records the call.

    Raises:
        NotVisible, NotAllowed, TicketStepSkipped (an anonymous rating's ticket), TicketStepRefused, ActionInvalid.
    """
    ticket, case = _locked_ticket(actor, ticket_id, rules.TicketEvent.VISIT)
    _unit(actor, ticket)
    text = text_kept(call_record, required=_("record the call"))
    before = ticket.state
    _move(ticket, rules.TicketEvent.VISIT)
    ticket.call_record = text
    ticket.save()
    _record(ticket, case, actor, "ticket.visited", before, call_record=text)
    return ticket


@command(operation="ticket.rectify", model=RectificationTicket)
def ticket_rectify(
    *, actor: User, ticket_id: int, rectification: str, evidence: File[bytes] | None, idempotency_key: str | None = None
) -> RectificationTicket:
    """整改: the unit says what was done, with an evidence file.

    Raises:
        NotVisible, NotAllowed, TicketStepRefused, ActionInvalid, UploadRefused.
    """
    ticket, case = _locked_ticket(actor, ticket_id, rules.TicketEvent.RECTIFY)
    _unit(actor, ticket)
    text = text_kept(rectification, required=_("say what was done"))
    before = ticket.state
    _move(ticket, rules.TicketEvent.RECTIFY)
    stored = upload_store(file=evidence, folder=f"evaluation/{ticket.pk}") if evidence is not None else None
    ticket.rectification = text
    if stored is not None:
        ticket.evidence = stored.name
    ticket.save()
    _record(
        ticket,
        case,
        actor,
        "ticket.rectified",
        before,
        rectification=text,
        evidence=stored.as_dict() if stored else None,
    )
    return ticket


@command(operation="ticket.feedback", model=RectificationTicket)
def ticket_feedback(
    *, actor: User, ticket_id: int, feedback: str, idempotency_key: str | None = None
) -> RectificationTicket:
    """反馈: the unit tells the evaluator what was done (the evaluator is asked to re-rate).

    Raises:
        NotVisible, NotAllowed, TicketStepSkipped (an anonymous rating's ticket), TicketStepRefused, ActionInvalid.
    """
    ticket, case = _locked_ticket(actor, ticket_id, rules.TicketEvent.FEEDBACK)
    _unit(actor, ticket)
    text = text_kept(feedback, required=_("say what the evaluator is told"))
    before = ticket.state
    _move(ticket, rules.TicketEvent.FEEDBACK)
    ticket.feedback = text
    ticket.save()
    _record(ticket, case, actor, "ticket.fed_back", before, feedback=text)
    return ticket


@command(operation="ticket.rerate", model=RectificationTicket)
def ticket_rerate(
    *, actor: User, ticket_id: int, rerating: str, idempotency_key: str | None = None
) -> RectificationTicket:
    """复评: the evaluator says whether they are satisfied now; 不满意 reopens the ticket once and raises 督办.

    Raises:
        NotVisible, NotAllowed (not the evaluator), TicketStepSkipped, TicketStepRefused, CalendarNotCovered.
    """
    from lianban.supervision.orders import order_raise_for_rating

    ticket, case = _locked_ticket(actor, ticket_id, rules.TicketEvent.RERATE)
    if not is_evaluator(actor, ticket) or case is None:  # no case: an anonymous rating, skipped above
        raise NotAllowed(_("only the evaluator re-rates"))
    answer = rules.Rerating(rerating)
    before = ticket.state
    move = _move(ticket, rules.TicketEvent.RERATE, rerating=answer)
    ticket.rerating = answer.value
    if move.reopened:
        ticket.reopened += 1
        ticket.rerating = ""
        ticket.order = order_raise_for_rating(
            cases=[case],
            department_id=ticket.department_id,
            reason=_("The evaluator is still not satisfied after the rectification of a bad rating (ticket %(id)s).")
            % {"id": ticket.pk},
        )
    ticket.save()
    _record(
        ticket,
        case,
        actor,
        "ticket.reopened" if move.reopened else "ticket.rerated",
        before,
        rerating=answer.value,
        order=ticket.order_id,
    )
    return ticket
