"""The engine's sequencing decided in the core: one decision per event, returned as commands (no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from lianban.core.case_flow import (
    CancelItem,
    CaseOutcome,
    CaseSnapshot,
    CaseState,
    Command,
    CompleteCase,
    DispatchItem,
    DueStatus,
    ItemState,
    ItemView,
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
    is_overdue,
    next_item_state,
)
from lianban.core.errors import CalendarNotCovered
from tests.core.test_case_flow import HOTEL, MON, Weekdays, with_states


class Covered(Weekdays):
    """Weekdays through ``last_year``; a count beyond it is not covered, a count into ``provisional`` is 预计."""

    def __init__(self, last_year: int = 2100, provisional: int | None = None) -> None:
        super().__init__()
        self.last_year = last_year
        self.provisional = provisional

    def add_working_days(self, start: date, days: int) -> date:
        day = super().add_working_days(start, days)
        if day.year > self.last_year:
            raise CalendarNotCovered(day.year)
        return day

    def provisional_between(self, start: date, end: date) -> bool:
        return self.provisional is not None and start.year <= self.provisional <= end.year


CAL = Covered()


def accepted(items: tuple[ItemView, ...] = HOTEL, **outstanding: tuple[str, ...]) -> CaseSnapshot:
    return CaseSnapshot(CaseState.IN_PROGRESS, items, outstanding=dict(outstanding))


def of(kind: type, commands: tuple[Command, ...]) -> list[Command]:
    return [c for c in commands if isinstance(c, kind)]


# ---------------------------------------------------------------- acceptance


def test_acceptance_dispatches_the_first_stage_with_its_due_date_then_holds_and_sets_the_eta() -> None:
    commands = after_acceptance(accepted(WSJC=("G",)), CAL, MON)
    assert commands[0] == DispatchItem("A", MON, MON + timedelta(days=1), DueStatus.DUE_SOON)
    assert commands[1:-1] == (SetHeld("G", True),)
    assert isinstance(commands[-1], SetEta)
    assert commands[-1].eta is not None and not commands[-1].provisional and not commands[-1].overdue


def test_a_due_date_beyond_the_calendar_is_unknown_with_the_missing_year() -> None:
    items = (ItemView("A", ItemState.WAITING, promised_days=20),)
    commands = after_acceptance(accepted(items), Covered(last_year=2024), date(2024, 12, 20))
    assert commands[0] == DispatchItem("A", date(2024, 12, 20), None, DueStatus.UNKNOWN, due_year_missing=2025)
    assert commands[-1] == SetEta(None, False, False)  # never guessed


def test_a_due_date_through_a_provisional_year_is_provisional_and_so_is_the_eta() -> None:
    items = (ItemView("A", ItemState.WAITING, promised_days=20),)
    commands = after_acceptance(accepted(items), Covered(provisional=2025), date(2024, 12, 20))
    dispatch = commands[0]
    assert isinstance(dispatch, DispatchItem) and dispatch.due_provisional
    assert commands[-1] == SetEta(dispatch.due_on, True, False)


# ------------------------------------------------------------- item finished


def test_an_approval_dispatches_every_item_whose_predecessors_are_now_approved() -> None:
    snapshot = accepted(with_states(HOTEL, A="APPROVED"))
    commands = after_item_finished(snapshot, CAL, MON, finished="A")
    assert [c.code for c in of(DispatchItem, commands)] == ["B", "C", "E", "G", "J"]
    assert not of(CancelItem, commands) and not of(CompleteCase, commands)


def test_a_rejection_cancels_its_dependents_first_and_the_others_go_on() -> None:
    items = with_states(HOTEL, A="APPROVED", B="IN_REVIEW", C="REJECTED", E="APPROVED", G="IN_REVIEW", J="DISPATCHED")
    commands = after_item_finished(accepted(items), CAL, MON, finished="C")
    assert of(CancelItem, commands) == [CancelItem(code, because_of="C") for code in ("D", "F", "H")]
    assert not of(DispatchItem, commands) and not of(CompleteCase, commands)


def test_the_last_finished_item_completes_the_case_with_its_outcome() -> None:
    items = with_states(HOTEL, **dict.fromkeys("ABCDEFGJ", "APPROVED"), H="REJECTED")
    commands = after_item_finished(accepted(items), CAL, MON, finished="H")
    assert of(CompleteCase, commands) == [CompleteCase(CaseOutcome.PARTLY_APPROVED)]
    assert commands[-1] == SetEta(MON, False, False)  # READY still has an ETA: the last finish


def test_a_case_not_in_progress_never_completes() -> None:
    items = with_states(HOTEL, **dict.fromkeys("ABCDEFGHJ", "APPROVED"))
    snapshot = CaseSnapshot(CaseState.READY, items)
    assert not of(CompleteCase, after_item_finished(snapshot, CAL, MON, finished="H"))


def test_holds_are_refreshed_only_when_the_promised_materials_were_read() -> None:
    items = with_states(HOTEL, A="APPROVED")
    items = tuple(replace(i, held=True) if i.code == "G" else i for i in items)
    unread = CaseSnapshot(CaseState.IN_PROGRESS, items)
    assert not of(SetHeld, after_item_finished(unread, CAL, MON, finished="A"))
    kept = CaseSnapshot(CaseState.IN_PROGRESS, items, outstanding={})
    assert of(SetHeld, after_item_finished(kept, CAL, MON, finished="A")) == [SetHeld("G", False)]


def test_the_promised_materials_are_read_only_while_an_item_stays_held_after_the_cancellations() -> None:
    held_d = tuple(replace(i, held=True) if i.code == "D" else i for i in with_states(HOTEL, A="APPROVED"))
    rejected_c = CaseSnapshot(CaseState.IN_PROGRESS, with_states(held_d, C="REJECTED"))
    assert holds_may_change(rejected_c.items)
    assert not holds_may_change(after_cancellations(rejected_c, "C").items)  # D is cancelled with its hold
    approved_c = CaseSnapshot(CaseState.IN_PROGRESS, with_states(held_d, C="APPROVED"))
    assert holds_may_change(after_cancellations(approved_c, "C").items)


# ----------------------------------------------------------------- withdrawal


def test_a_withdrawal_cancels_every_open_item_and_leaves_no_eta() -> None:
    items = with_states(HOTEL, A="APPROVED", B="IN_REVIEW", C="REJECTED", D="CANCELLED", G="SUPPLEMENT")
    items = tuple(replace(i, due_on=MON, due_status=DueStatus.OVERDUE) if i.code == "B" else i for i in items)
    commands = after_withdrawal(CaseSnapshot(CaseState.WITHDRAWN, items), MON + timedelta(days=7))
    assert [c.code for c in of(CancelItem, commands)] == ["B", "E", "F", "G", "H", "J"]
    assert all(c.because_of is None for c in of(CancelItem, commands))
    assert commands[-1] == SetEta(None, False, False)


# ---------------------------------------------------------- holds and the ETA


def test_hold_changes_hold_open_items_needing_a_promise_and_release_the_rest() -> None:
    items = (
        ItemView("A", ItemState.DISPATCHED, held=True),
        ItemView("B", ItemState.WAITING),
        ItemView("C", ItemState.APPROVED),
        ItemView("D", ItemState.WAITING, held=True),
    )
    assert hold_changes(items, {"M": ("B", "C", "D")}) == (SetHeld("A", False), SetHeld("B", True))


def test_overdue_is_past_the_due_date_found_by_the_sweep_or_with_a_running_clock() -> None:
    today = MON + timedelta(days=3)
    late = ItemView("A", ItemState.IN_REVIEW, due_on=MON)
    assert is_overdue(late, today)
    paused = replace(late, state=ItemState.SUPPLEMENT)
    assert not is_overdue(paused, today)  # its clock is stopped: only the sweep, counting the pause, says so
    assert is_overdue(replace(paused, due_status=DueStatus.OVERDUE), today)
    assert not is_overdue(replace(late, state=ItemState.APPROVED, due_status=DueStatus.OVERDUE), today)
    assert not is_overdue(late, MON)  # due today is not late
    assert case_eta(CaseState.IN_PROGRESS, [late], CAL, today).overdue


# ---------------------------------------------------------------- properties


@st.composite
def stage_graphs(draw: st.DrawFn) -> tuple[ItemView, ...]:
    """Any acyclic ordering of 1 to 8 items: each comes after some of the items before it."""
    n = draw(st.integers(min_value=1, max_value=8))
    items = []
    for index in range(n):
        before = [f"I{j}" for j in range(index)]
        after = draw(st.lists(st.sampled_from(before), unique=True, max_size=3)) if before else []
        days = draw(st.integers(min_value=0, max_value=10))
        items.append(ItemView(f"I{index}", ItemState.WAITING, after=tuple(after), promised_days=days))
    return tuple(items)


@given(items=stage_graphs(), data=st.data())
def test_finishing_items_in_any_order_starts_each_item_once_and_completes_the_case_once(
    items: tuple[ItemView, ...], data: st.DataObject
) -> None:
    today = MON
    snapshot = accepted(items)
    commands = after_acceptance(snapshot, CAL, today)
    history = list(commands)
    snapshot = apply(snapshot, commands, today)
    while True:
        running = [i for i in snapshot.items if i.state is ItemState.DISPATCHED]
        if not running:
            break
        item = data.draw(st.sampled_from(running))
        event = data.draw(st.sampled_from(["approve", "reject"]))
        reviewed = next_item_state(next_item_state(item.state, "take"), event)
        finished = replace(item, state=reviewed, finished_on=today)
        snapshot = replace(snapshot, items=tuple(finished if i.code == item.code else i for i in snapshot.items))
        today += timedelta(days=1)
        commands = after_item_finished(snapshot, CAL, today, finished=item.code)
        for command in commands:  # the commands only ever move an item the way its table allows
            if isinstance(command, DispatchItem | CancelItem):
                state = next(i.state for i in snapshot.items if i.code == command.code)
                next_item_state(state, "dispatch" if isinstance(command, DispatchItem) else "cancel")
        assert isinstance(commands[-1], SetEta)
        history += commands
        snapshot = apply(snapshot, commands, today)
    dispatched = [c.code for c in history if isinstance(c, DispatchItem)]
    assert len(dispatched) == len(set(dispatched))
    # every item was started, or cancelled because something it depends on was rejected
    cancelled = {c.code for c in history if isinstance(c, CancelItem)}
    assert set(dispatched) | cancelled == {i.code for i in items}
    assert not set(dispatched) & cancelled  # what depends on a rejected item never started
    assert all(i.state in (ItemState.APPROVED, ItemState.REJECTED, ItemState.CANCELLED) for i in snapshot.items)
    completions = [c for c in history if isinstance(c, CompleteCase)]
    assert len(completions) == 1
    approved = sum(i.state is ItemState.APPROVED for i in snapshot.items)
    expected = (
        CaseOutcome.APPROVED
        if approved == len(items)
        else CaseOutcome.REJECTED
        if approved == 0
        else CaseOutcome.PARTLY_APPROVED
    )
    assert completions[0].outcome is expected
    assert snapshot.state is CaseState.READY


@given(items=stage_graphs())
def test_the_eta_the_decision_returns_is_the_eta_of_the_case_it_leaves(items: tuple[ItemView, ...]) -> None:
    snapshot = accepted(items)
    commands = after_acceptance(snapshot, CAL, MON)
    after = apply(snapshot, commands, MON)
    assert commands[-1] == case_eta(after.state, after.items, CAL, MON)
