"""The case engine's pure rules: states and their transition tables, and the decisions.

A one-thing case (一件事办件) and the parts of it one department decides (item
cases) each have one transition table (:mod:`.states`), the single source of
truth for which transition is allowed from which state; the Django models
mirror their state values and a test asserts that the two agree.

Besides the tables, the decisions the shell asks for, all on plain values:

* :mod:`.items`: which items start, which a rejection cancels (transitively),
  which a 容缺 promise holds back, when a case is complete and its outcome;
* :mod:`.intake`: whether intake may accept, and what a correction notice lists;
* :mod:`.deadlines`: due dates, deadline status, overdue, and the ETA over what remains;
* :mod:`.sequencing`: one decision per event (after acceptance, after an item
  is finished, after withdrawal), returned as commands the shell applies.

No Django, no clock (``today`` is passed in), no I/O. Working days come from a
calendar object passed in (see :class:`Calendar`). Everything is importable
from ``lianban.core.case_flow`` itself.
"""

from __future__ import annotations

from lianban.core.case_flow.deadlines import (
    TICKING_ITEM_STATES,
    Calendar,
    deadline_status,
    due_date,
    effective_due,
    eta,
    expected_finish,
    is_overdue,
    item_due_status,
    next_status_on,
    paused_working_days,
)
from lianban.core.case_flow.intake import MaterialAtIntake, acceptance_problems, correction_items
from lianban.core.case_flow.items import (
    ItemView,
    dependents,
    is_complete,
    items_held,
    items_to_cancel,
    items_to_start,
    outcome,
)
from lianban.core.case_flow.sequencing import (
    CancelItem,
    CaseSnapshot,
    Command,
    CompleteCase,
    DispatchItem,
    SetEta,
    SetHeld,
    after_acceptance,
    after_cancellations,
    after_item_finished,
    after_withdrawal,
    apply,
    case_eta,
    hold_changes,
    holds_may_change,
    next_eta_on,
)
from lianban.core.case_flow.states import (
    BEFORE_ACCEPTANCE,
    CASE_EVENTS,
    CASE_TRANSITIONS,
    FINAL_CASE_STATES,
    FINAL_ITEM_STATES,
    HELD_REFUSES,
    ITEM_EVENTS,
    ITEM_TRANSITIONS,
    OPEN_FOR_INTAKE,
    RUNNING_ITEM_STATES,
    CaseOutcome,
    CaseState,
    CheckResult,
    DueStatus,
    ItemState,
    allowed_case_events,
    allowed_events,
    next_case_state,
    next_item_state,
    transitions,
)

__all__ = [
    "BEFORE_ACCEPTANCE",
    "CASE_EVENTS",
    "CASE_TRANSITIONS",
    "FINAL_CASE_STATES",
    "FINAL_ITEM_STATES",
    "HELD_REFUSES",
    "ITEM_EVENTS",
    "ITEM_TRANSITIONS",
    "OPEN_FOR_INTAKE",
    "RUNNING_ITEM_STATES",
    "TICKING_ITEM_STATES",
    "Calendar",
    "CancelItem",
    "CaseOutcome",
    "CaseSnapshot",
    "CaseState",
    "CheckResult",
    "Command",
    "CompleteCase",
    "DispatchItem",
    "DueStatus",
    "ItemState",
    "ItemView",
    "MaterialAtIntake",
    "SetEta",
    "SetHeld",
    "acceptance_problems",
    "after_acceptance",
    "after_cancellations",
    "after_item_finished",
    "after_withdrawal",
    "allowed_case_events",
    "allowed_events",
    "apply",
    "case_eta",
    "correction_items",
    "deadline_status",
    "dependents",
    "due_date",
    "effective_due",
    "eta",
    "expected_finish",
    "hold_changes",
    "holds_may_change",
    "is_complete",
    "is_overdue",
    "item_due_status",
    "items_held",
    "items_to_cancel",
    "items_to_start",
    "next_case_state",
    "next_eta_on",
    "next_item_state",
    "next_status_on",
    "outcome",
    "paused_working_days",
    "transitions",
]
