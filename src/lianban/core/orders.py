"""督办 orders: the supervisor's written demand that a department deal with late or troubled cases.

An order is raised (by a supervisor, or by the deadline sweep when an item
case gets a 红牌), then the responsible department signs for it (签收) within
``sign_days`` working days, replies (回复) with what it did by the reply date,
and the supervisor reviews the reply (审核): accepts it (the order is closed)
or returns it (the department replies again, by a new date).

A date missed is followed up by the deadline sweep: a reminder (催办) on the
first day after it, and an escalation to the department's leader when
``escalate_days`` more working days have passed without the step. Each is
decided once per missed date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from lianban.core.case_flow import Calendar
from lianban.core.errors import DomainError
from lianban.core.text import tx


class OrderState(StrEnum):
    """Where an order stands."""

    OPEN = "OPEN"  # raised, waiting to be signed for
    SIGNED = "SIGNED"  # signed for, waiting for the reply
    REPLIED = "REPLIED"  # replied, waiting for the supervisor's review
    CLOSED = "CLOSED"  # the reply was accepted


class OrderEvent(StrEnum):
    """What can happen to an order."""

    SIGN = "sign"
    REPLY = "reply"
    ACCEPT = "accept"
    RETURN = "return"


#: The one table of the order's steps: (state, event) → the state after it.
TRANSITIONS: dict[tuple[OrderState, OrderEvent], OrderState] = {
    (OrderState.OPEN, OrderEvent.SIGN): OrderState.SIGNED,
    (OrderState.SIGNED, OrderEvent.REPLY): OrderState.REPLIED,
    (OrderState.REPLIED, OrderEvent.ACCEPT): OrderState.CLOSED,
    (OrderState.REPLIED, OrderEvent.RETURN): OrderState.SIGNED,
}


class OrderStepRefused(DomainError):
    """A step the order's state does not allow (signing twice, replying before signing…)."""

    code = "order-step-not-allowed"

    def __init__(self, state: str, event: str) -> None:
        super().__init__(
            tx("a supervision order in state %(state)s cannot take the step %(event)s", state=state, event=event)
        )
        self.state = state
        self.event = event


def allowed_events(state: OrderState) -> tuple[OrderEvent, ...]:
    """The steps an order in ``state`` can take, in table order."""
    return tuple(event for (source, event) in TRANSITIONS if source == state)


def next_state(state: OrderState, event: OrderEvent) -> OrderState:
    """The state after ``event``; :class:`OrderStepRefused` when the table has no such step."""
    after = TRANSITIONS.get((state, event))
    if after is None:
        raise OrderStepRefused(state.value, event.value)
    return after


#: The states in which the department's step is pending (followed up when late).
WAITING_ON_DEPARTMENT = (OrderState.OPEN.value, OrderState.SIGNED.value)


def waiting_on(state: OrderState) -> str:
    """Whose move it is: ``department`` (sign or reply), ``supervisor`` (review) or ``""`` (closed)."""
    if state in (OrderState.OPEN, OrderState.SIGNED):
        return "department"
    if state == OrderState.REPLIED:
        return "supervisor"
    return ""


@dataclass(frozen=True, slots=True)
class OrderDates:
    """How many working days a department has for each step, and the grace before escalation."""

    sign_days: int = 1
    reply_days: int = 5
    escalate_days: int = 5


def sign_due(calendar: Calendar, raised_on: date, dates: OrderDates) -> date:
    """The last day to sign for an order raised on ``raised_on``."""
    return calendar.add_working_days(raised_on, dates.sign_days)


def reply_due(calendar: Calendar, from_day: date, dates: OrderDates) -> date:
    """The last day to reply, counted from signing (or from the day a reply was returned)."""
    return calendar.add_working_days(from_day, dates.reply_days)


class FollowUp(StrEnum):
    """What the sweep does about a missed date."""

    URGE = "URGE"  # 催办: the day after the missed date
    ESCALATE = "ESCALATE"  # to the department's leader, ``escalate_days`` working days later


def pending_due(state: OrderState, sign_due_on: date, reply_due_on: date | None) -> date | None:
    """The date the department's next step is due by (None: nothing of the department's is pending)."""
    if state == OrderState.OPEN:
        return sign_due_on
    if state == OrderState.SIGNED:
        return reply_due_on
    return None


def follow_ups(
    calendar: Calendar,
    due_on: date | None,
    today: date,
    dates: OrderDates,
    *,
    urged_for: date | None,
    escalated_for: date | None,
) -> tuple[FollowUp, ...]:
    """What is owed on ``today`` for the pending date ``due_on`` (each once per missed date).

    ``urged_for`` / ``escalated_for`` are the due dates already followed up.
    A sweep that missed days catches up: both may be owed at once.
    """
    if due_on is None or today <= due_on:
        return ()
    owed: list[FollowUp] = []
    if urged_for != due_on:
        owed.append(FollowUp.URGE)
    if escalated_for != due_on and calendar.working_days_between(due_on, today) >= dates.escalate_days:
        owed.append(FollowUp.ESCALATE)
    return tuple(owed)


def next_follow_up_on(
    calendar: Calendar,
    due_on: date | None,
    today: date,
    dates: OrderDates,
    *,
    urged_for: date | None,
    escalated_for: date | None,
) -> date | None:
    """The first day after ``today`` on which ``follow_ups`` owes something for ``due_on`` (None: never).

    What the sweep stores on the order (``follow_up_on``) to come back on: the reminder the day after the
    date, the escalation on the ``escalate_days``-th working day after it; each only if not done yet.

    Raises:
        CalendarNotCovered: the calendar lacks a year the count runs through.
    """
    if due_on is None:
        return None
    tomorrow = today + timedelta(days=1)
    candidates: list[date] = []
    if urged_for != due_on:
        candidates.append(max(due_on + timedelta(days=1), tomorrow))
    if escalated_for != due_on:
        # the first day with ``escalate_days`` working days after the date (the day after it for none)
        escalate = calendar.add_working_days(due_on, dates.escalate_days) if dates.escalate_days else due_on
        candidates.append(max(escalate, due_on + timedelta(days=1), tomorrow))
    return min(candidates, default=None)
