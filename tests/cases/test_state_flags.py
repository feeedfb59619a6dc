"""The pages' flags come from the transition tables (never a state compared in a template)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from lianban.cases.models import Case, CaseState, ItemCase, ItemState
from lianban.cases.selectors import case_can_issue, case_can_rate, case_intake_open, item_actions
from lianban.core import case_flow as flow
from lianban.core.orders import OrderState
from lianban.supervision.models import SupervisionOrder
from lianban.supervision.selectors import order_row


@pytest.mark.parametrize("state", list(ItemState))
def test_item_actions_are_what_the_item_table_allows(state: ItemState) -> None:
    actions = item_actions(ItemCase(state=state))
    allowed = flow.allowed_events(state)
    assert actions.can_take == ("take" in allowed) == (state == ItemState.DISPATCHED)
    assert actions.can_approve == actions.can_request_supplement == (state == ItemState.IN_REVIEW)
    assert actions.can_supply == actions.clock_stopped == (state == ItemState.SUPPLEMENT)
    assert actions.can_reject == (state in (ItemState.IN_REVIEW, ItemState.SUPPLEMENT))
    assert actions.has_result == (state == ItemState.APPROVED)


@pytest.mark.parametrize("state", list(CaseState))
def test_case_flags_are_what_the_case_table_allows(state: CaseState) -> None:
    case = Case(state=state)
    assert case_can_issue(case) == (state == CaseState.READY)
    assert case_can_rate(case) == (state in (CaseState.ISSUED, CaseState.REFUSED, CaseState.WITHDRAWN))
    assert case_intake_open(case) == (state in (CaseState.SUBMITTED, CaseState.RESUBMITTED))


@pytest.mark.parametrize("state", list(OrderState))
def test_an_order_row_says_what_is_due_next_and_whether_it_is_open(state: OrderState) -> None:
    sign, reply = date(2025, 3, 4), date(2025, 3, 11)
    order = SupervisionOrder(state=state, sign_due_on=sign, reply_due_on=reply)
    row = order_row(order)
    assert row.is_open == (state != OrderState.CLOSED)
    assert row.sign_by == (sign if state == OrderState.OPEN else None)
    assert row.reply_by == (reply if state == OrderState.SIGNED else None)
    assert not row.escalated
    order.escalated_at = datetime(2025, 3, 12, 9, tzinfo=UTC)
    assert order_row(order).escalated == (state != OrderState.CLOSED)
