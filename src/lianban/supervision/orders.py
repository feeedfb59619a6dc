"""督办 orders: raise, sign for, reply, review; the sweep's reminders and escalations (writes).

The steps and dates are the core's (``lianban.core.orders``); here they are
applied under locks — the order row first, then its cases in id order — and
recorded in the audit trail of every case the order concerns.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from lianban.accounts.models import Role, User
from lianban.cases import clock
from lianban.cases.events import event_record
from lianban.cases.models import Case
from lianban.cases.workflow import lock_case
from lianban.catalog.models import Department
from lianban.common.idempotency import command
from lianban.core import orders as rules
from lianban.core.case_errors import NothingChosen, ReferenceUnknown, TextRequired, TextTooLong
from lianban.core.errors import CalendarNotCovered, NotAllowed, NotVisible
from lianban.messaging.models import StaffKind
from lianban.supervision.access import can_see_order
from lianban.supervision.models import DepartmentLeader, OrderOrigin, Signal, SupervisionOrder
from lianban.supervision.reminders import order_remind

#: The longest reason, reply or note kept (a longer text is refused, not cut).
TEXT_MAX = 2000


def order_dates() -> rules.OrderDates:
    """Working days for each step (settings ``LIANBAN_ORDER_*``)."""
    return rules.OrderDates(
        sign_days=settings.LIANBAN_ORDER_SIGN_DAYS,
        reply_days=settings.LIANBAN_ORDER_REPLY_DAYS,
        escalate_days=settings.LIANBAN_ORDER_ESCALATE_DAYS,
    )


def _text(value: str, missing: str | None) -> str:
    """``value`` stripped; required unless ``missing`` (the words when it is empty) is None, never too long."""
    text = (value or "").strip()
    if not text and missing is not None:
        raise TextRequired(missing)
    if len(text) > TEXT_MAX:
        raise TextTooLong(_("at most %(count)d characters") % {"count": TEXT_MAX})
    return text


def _record(order: SupervisionOrder, cases: Sequence[Case], actor: User | None, action: str, **kwargs: object) -> None:
    """One audit event per case the order concerns (cases locked by the caller)."""
    after = {"order": order.pk, "state": order.state, **kwargs.pop("after", {})}  # type: ignore[dict-item]
    for case in cases:
        event_record(case=case, actor=actor, action=action, after=after, **kwargs)  # type: ignore[arg-type]


def _lock_cases(ids: Sequence[int]) -> list[Case]:
    return [lock_case(case_id) for case_id in sorted(set(ids))]


def _sign_due(today: date) -> date:
    return rules.sign_due(clock.calendar(), today, order_dates())


def _dates_when_raised(today: date) -> dict[str, date]:
    """A new order's sign-for date and its first follow-up: the reminder, the day after that date."""
    due = _sign_due(today)
    return {"sign_due_on": due, "follow_up_on": due + timedelta(days=1)}


def _follow_up_set(order: SupervisionOrder, today: date | None = None) -> None:
    """Set the next day the sweep follows the order up (``follow_up_on``; None when nothing can be owed).

    Called whenever a date of the order or its state changes, and after each follow-up. A date the calendar
    cannot count yet is tried again the next day.
    """
    today = today or clock.today()
    due = rules.pending_due(rules.OrderState(order.state), order.sign_due_on, order.reply_due_on)
    try:
        order.follow_up_on = rules.next_follow_up_on(
            clock.calendar(),
            due,
            today,
            order_dates(),
            urged_for=order.urged_for,
            escalated_for=order.escalated_for,
        )
    except CalendarNotCovered:
        order.follow_up_on = today + timedelta(days=1)


@command(operation="order.raise", model=SupervisionOrder)
def order_raise(
    *, actor: User, case_ids: Sequence[int], department_code: str, reason: str, idempotency_key: str | None = None
) -> SupervisionOrder:
    """A supervisor raises a 督办 order to a department about one or more cases.

    Raises:
        NotAllowed (not a supervisor), ActionInvalid (no case, unknown department or case, no reason),
        CalendarNotCovered.
    """
    if actor.role != Role.SUPERVISOR:
        raise NotAllowed(_("only supervisors raise supervision orders"))
    text = _text(reason, _("say why the order is raised"))
    if not case_ids:
        raise NothingChosen(_("name at least one case"))
    department = Department.objects.filter(code=department_code).first()
    if department is None:
        raise ReferenceUnknown(_("unknown department"))
    try:
        cases = _lock_cases(case_ids)
    except Case.DoesNotExist:
        raise ReferenceUnknown(_("unknown case")) from None
    now = clock.now()
    order = SupervisionOrder.objects.create(
        department=department,
        origin=OrderOrigin.SUPERVISOR,
        reason=text,
        raised_by=actor,
        raised_at=now,
        **_dates_when_raised(clock.local_date(now)),
    )
    order.cases.set(cases)
    _record(order, cases, actor, "order.raised", reason=text, after={"department": department.code})
    order_remind(order, cases, StaffKind.ORDER_RAISED, order.sign_due_on)
    return order


def order_raise_for_red_card(*, case: Case, signal: Signal) -> SupervisionOrder | None:
    """The deadline sweep's order for a new 红牌 on an item case (the case is locked by the caller).

    None when the signal already has its order or the sign-for date cannot be counted yet.
    """
    if signal.item_case_id is None or SupervisionOrder.objects.filter(signal=signal).exists():
        return None
    now = clock.now()
    try:
        due = _sign_due(clock.local_date(now))
    except CalendarNotCovered:
        return None  # the sweep raises the calendar alert; the order comes once the year is entered
    order = SupervisionOrder.objects.create(
        department_id=signal.department_id,
        item_case_id=signal.item_case_id,
        signal=signal,
        origin=OrderOrigin.RED_CARD,
        reason=_("The item case is overdue (red card of %(due)s).") % {"due": signal.due_on.isoformat()},
        raised_at=now,
        sign_due_on=due,
        follow_up_on=due + timedelta(days=1),  # the reminder, if it is not signed for by then
    )
    order.cases.set([case])
    _record(order, [case], None, "order.raised", reason=order.reason, after={"department": signal.department_id})
    order_remind(order, [case], StaffKind.ORDER_RAISED, order.sign_due_on)
    return order


def _locked_order(actor: User, order_id: int) -> tuple[SupervisionOrder, list[Case]]:
    order = (
        SupervisionOrder.objects.select_for_update(of=("self",))
        .select_related("department", "item_case")  # what the API renders from the returned order
        .filter(pk=order_id)
        .first()
    )
    if order is None or not can_see_order(actor, order):
        raise NotVisible
    cases = _lock_cases(list(order.cases.values_list("id", flat=True)))
    return order, cases


def _step(order: SupervisionOrder, event: rules.OrderEvent) -> str:
    before = order.state
    order.state = rules.next_state(rules.OrderState(order.state), event).value
    order.version += 1
    return before


def _department_member(actor: User, order: SupervisionOrder) -> None:
    if actor.role != Role.REVIEWER or actor.department_id != order.department_id:
        raise NotAllowed(_("only the responsible department signs for and replies to the order"))


@command(operation="order.sign", model=SupervisionOrder)
def order_sign(*, actor: User, order_id: int, idempotency_key: str | None = None) -> SupervisionOrder:
    """The responsible department signs for the order (签收); the reply date is set.

    Raises:
        NotVisible, NotAllowed, OrderStepRefused, CalendarNotCovered.
    """
    order, cases = _locked_order(actor, order_id)
    _department_member(actor, order)
    before = _step(order, rules.OrderEvent.SIGN)
    now = clock.now()
    order.signed_by, order.signed_at = actor, now
    order.reply_due_on = rules.reply_due(clock.calendar(), clock.local_date(now), order_dates())
    _follow_up_set(order)
    order.save()
    _record(
        order, cases, actor, "order.signed", before={"state": before}, after={"reply_due_on": str(order.reply_due_on)}
    )
    return order


@command(operation="order.reply", model=SupervisionOrder)
def order_reply(*, actor: User, order_id: int, reply: str, idempotency_key: str | None = None) -> SupervisionOrder:
    """The responsible department replies with what it did (回复).

    Raises:
        NotVisible, NotAllowed, OrderStepRefused, ActionInvalid (no reply).
    """
    order, cases = _locked_order(actor, order_id)
    _department_member(actor, order)
    text = _text(reply, _("say what was done"))
    before = _step(order, rules.OrderEvent.REPLY)
    order.reply, order.replied_by, order.replied_at = text, actor, clock.now()
    _follow_up_set(order)  # the supervisor's move now: nothing to follow up
    order.save()
    _record(order, cases, actor, "order.replied", reason=text, before={"state": before})
    return order


@command(operation="order.review", model=SupervisionOrder)
def order_review(
    *, actor: User, order_id: int, accept: bool, note: str = "", idempotency_key: str | None = None
) -> SupervisionOrder:
    """The supervisor accepts the reply (the order is closed) or returns it with a note (a new reply date).

    Raises:
        NotVisible, NotAllowed, OrderStepRefused, ActionInvalid (a return without a note), CalendarNotCovered.
    """
    order, cases = _locked_order(actor, order_id)
    if actor.role != Role.SUPERVISOR:
        raise NotAllowed(_("only supervisors review the reply"))
    text = _text(note, None if accept else _("say why the reply is returned"))
    before = _step(order, rules.OrderEvent.ACCEPT if accept else rules.OrderEvent.RETURN)
    now = clock.now()
    order.review_note, order.reviewed_by, order.reviewed_at = text, actor, now
    if accept:
        order.closed_at = now
        action = "order.accepted"
    else:
        order.returns += 1
        order.reply_due_on = rules.reply_due(clock.calendar(), clock.local_date(now), order_dates())
        action = "order.returned"
    _follow_up_set(order)
    order.save()
    _record(order, cases, actor, action, reason=text, before={"state": before})
    return order


def orders_follow_up(today: date | None = None) -> dict[str, int]:
    """The sweep's part: remind (催办) and escalate the orders whose department missed a date.

    Only the orders whose ``follow_up_on`` has come are read (one transaction each), never every open one;
    each follow-up is owed once per missed date. Returns how many of each were made.
    """
    today = today or clock.today()
    calendar = clock.calendar()
    dates = order_dates()
    done = {rules.FollowUp.URGE.value: 0, rules.FollowUp.ESCALATE.value: 0}
    waiting = SupervisionOrder.objects.filter(follow_up_on__lte=today).order_by("follow_up_on", "id")
    for order_id in list(waiting.values_list("id", flat=True)):
        with transaction.atomic():
            order = SupervisionOrder.objects.select_for_update(of=("self",)).get(pk=order_id)
            due = rules.pending_due(rules.OrderState(order.state), order.sign_due_on, order.reply_due_on)
            try:
                owed = rules.follow_ups(
                    calendar, due, today, dates, urged_for=order.urged_for, escalated_for=order.escalated_for
                )
            except CalendarNotCovered:
                owed = ()  # the deadline sweep raises the calendar alert; tried again tomorrow
            if not owed:
                _follow_up_set(order, today)
                order.save(update_fields=["follow_up_on"])
                continue
            cases = _lock_cases(list(order.cases.values_list("id", flat=True)))
            now = clock.now()
            for follow_up in owed:
                if follow_up == rules.FollowUp.URGE:
                    order.urged_for, order.urged_at = due, now
                    _record(order, cases, None, "order.urged", after={"missed": str(due)})
                    order_remind(order, cases, StaffKind.ORDER_URGED, due)
                else:
                    leader = DepartmentLeader.objects.filter(department_id=order.department_id).first()
                    order.escalated_for, order.escalated_at = due, now
                    order.escalated_to = leader.leader if leader else None
                    _record(
                        order,
                        cases,
                        None,
                        "order.escalated",
                        after={"missed": str(due), "leader": leader.leader_id if leader else None},
                    )
                    # no leader recorded: the LEADER audience falls back to the supervisors (messaging)
                    order_remind(
                        order, cases, StaffKind.ORDER_ESCALATED, due, leader_id=leader.leader_id if leader else None
                    )
                done[follow_up.value] += 1
            order.version += 1
            _follow_up_set(order, today)
            order.save()
    return done


def order_raise_for_rating(*, cases: Sequence[Case], department_id: int, reason: str) -> SupervisionOrder:
    """The 督办 order a 差评's rectification ticket raises when the evaluator is still not satisfied.

    The cases are locked by the caller (the rectification service). Raises CalendarNotCovered.
    """
    now = clock.now()
    order = SupervisionOrder.objects.create(
        department_id=department_id,
        origin=OrderOrigin.RATING,
        reason=reason,
        raised_at=now,
        **_dates_when_raised(clock.local_date(now)),
    )
    order.cases.set(cases)
    _record(order, list(cases), None, "order.raised", reason=reason, after={"department": department_id})
    order_remind(order, cases, StaffKind.ORDER_RAISED, order.sign_due_on)
    return order
