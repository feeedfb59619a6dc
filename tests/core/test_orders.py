"""督办 order rules (``lianban.core.orders``): the step table, the dates, the follow-ups — no database."""

from __future__ import annotations

from datetime import date

import pytest

from lianban.core.orders import (
    TRANSITIONS,
    FollowUp,
    OrderDates,
    OrderEvent,
    OrderState,
    OrderStepRefused,
    allowed_events,
    follow_ups,
    next_state,
    pending_due,
    reply_due,
    sign_due,
    waiting_on,
)
from lianban.core.workdays import WorkCalendar

# 2025 National Day: 10-1..10-8 off, Sunday 9-28 and Saturday 10-11 are make-up working days
CALENDAR = WorkCalendar.from_exceptions(
    {**{date(2025, 10, d): False for d in range(1, 9)}, date(2025, 9, 28): True, date(2025, 10, 11): True},
    covered_years=[2025, 2026],
)
DATES = OrderDates(sign_days=1, reply_days=5, escalate_days=5)


def test_the_step_table_is_the_only_way_forward() -> None:
    path = [OrderEvent.SIGN, OrderEvent.REPLY, OrderEvent.RETURN, OrderEvent.REPLY, OrderEvent.ACCEPT]
    state = OrderState.OPEN
    for event in path:
        state = next_state(state, event)
    assert state == OrderState.CLOSED
    for state in OrderState:
        for event in OrderEvent:
            if (state, event) in TRANSITIONS:
                assert event in allowed_events(state)
            else:
                with pytest.raises(OrderStepRefused) as refused:
                    next_state(state, event)
                assert refused.value.code == "order-step-not-allowed"
    assert allowed_events(OrderState.CLOSED) == ()
    assert allowed_events(OrderState.REPLIED) == (OrderEvent.ACCEPT, OrderEvent.RETURN)


def test_whose_move_it_is() -> None:
    assert [waiting_on(s) for s in OrderState] == ["department", "department", "supervisor", ""]


def test_dates_count_working_days_across_holidays_and_make_up_days() -> None:
    assert sign_due(CALENDAR, date(2025, 9, 26), DATES) == date(2025, 9, 28)  # Friday → make-up Sunday
    assert sign_due(CALENDAR, date(2025, 9, 30), DATES) == date(2025, 10, 9)  # over the holiday
    assert reply_due(CALENDAR, date(2025, 9, 30), DATES) == date(2025, 10, 14)  # 10-9, 10, 11 (Sat), 13, 14
    assert pending_due(OrderState.OPEN, date(2025, 1, 2), None) == date(2025, 1, 2)
    assert pending_due(OrderState.SIGNED, date(2025, 1, 2), date(2025, 1, 9)) == date(2025, 1, 9)
    assert pending_due(OrderState.REPLIED, date(2025, 1, 2), date(2025, 1, 9)) is None
    assert pending_due(OrderState.CLOSED, date(2025, 1, 2), date(2025, 1, 9)) is None


def owed(due: date | None, today: date, urged: date | None = None, escalated: date | None = None) -> tuple[str, ...]:
    return tuple(f.value for f in follow_ups(CALENDAR, due, today, DATES, urged_for=urged, escalated_for=escalated))


def test_a_reminder_the_day_after_the_missed_date_then_escalation_five_working_days_later() -> None:
    due = date(2025, 9, 30)  # Tuesday before the holiday
    assert owed(due, due) == ()  # on the day: still in time
    assert owed(None, date(2025, 12, 1)) == ()  # nothing pending
    assert owed(due, date(2025, 10, 1)) == ("URGE",)  # the next day, a holiday: the reminder goes anyway
    assert owed(due, date(2025, 10, 1), urged=due) == ()  # once per missed date
    # working days after 9-30: 10-9, 10-10, 10-11 (make-up Saturday), 10-13, 10-14
    assert owed(due, date(2025, 10, 13), urged=due) == ()
    assert owed(due, date(2025, 10, 14), urged=due) == ("ESCALATE",)
    assert owed(due, date(2025, 10, 15), urged=due, escalated=due) == ()


def test_a_sweep_that_missed_days_owes_both_at_once_and_a_new_date_owes_again() -> None:
    due = date(2025, 9, 30)
    assert owed(due, date(2025, 10, 20)) == ("URGE", "ESCALATE")
    later = date(2025, 10, 20)  # a returned reply's new date
    assert owed(later, date(2025, 10, 21), urged=due, escalated=due) == (FollowUp.URGE.value,)
