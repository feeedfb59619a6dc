"""The month cells' rule for one fact row (pure): what it adds, dated when, kept for which keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lianban.core import fact_cells
from lianban.core.fact_cells import HISTOGRAM_MAX, Cells, contributions


@dataclass
class Row:
    channel: str = "WINDOW"
    received_on: date | None = date(2025, 3, 3)
    finished_on: date | None = None
    status: str = "OPEN"
    promised_days: int = 5
    days_used: int | None = None
    due_on: date | None = date(2025, 3, 10)
    late: bool = False
    paused: bool = False
    early: bool = False
    instant: bool = False
    corrections: int = 0
    supplements: int = 0
    signals: int = 0
    orders: int = 0
    provisional: bool = False


def _by_kind(row: Row) -> dict[str, list[tuple[date, dict[str, int], int]]]:
    found: dict[str, list[tuple[date, dict[str, int], int]]] = {}
    for c in contributions(row, package=False):
        found.setdefault(c.kind, []).append((c.day, dict(c.values), c.days))
    return found


def test_a_row_not_received_adds_nothing() -> None:
    assert list(contributions(Row(received_on=None, due_on=None), package=False)) == []


def test_a_running_row_is_open_from_its_receipt_and_late_from_the_day_after_its_due_date() -> None:
    kinds = _by_kind(Row())
    assert kinds["R"][0][0] == date(2025, 3, 3)
    assert kinds["O"] == [(date(2025, 3, 3), {"n": 1}, 0)]  # open with no end
    assert kinds["L"] == [(date(2025, 3, 11), {"n": 1}, 0)]
    assert kinds["Z"] == [(date(2025, 3, 11), {"n": 1, "provisional": 0}, date(2025, 3, 1).toordinal())]
    assert "F" not in kinds and "X" not in kinds


def test_a_paused_row_is_late_only_once_found_so() -> None:
    assert "L" not in _by_kind(Row(paused=True))
    assert "L" in _by_kind(Row(paused=True, late=True))


def test_a_row_finished_late_counts_as_finished_late_and_was_running_late_until_then() -> None:
    row = Row(status="DONE", finished_on=date(2025, 4, 2), days_used=20, late=True)
    kinds = _by_kind(row)
    assert kinds["F"] == [(date(2025, 4, 2), {**kinds["F"][0][1], "n": 1, "late": 1, "h20": 1}, 0)]
    assert kinds["F"][0][1]["on_time"] == 0
    assert kinds["O"] == [(date(2025, 3, 3), {"n": 1}, 0), (date(2025, 4, 2), {"n": -1}, 0)]
    assert kinds["L"] == [(date(2025, 3, 11), {"n": 1}, 0), (date(2025, 4, 2), {"n": -1}, 0)]
    assert kinds["X"] == [(date(2025, 4, 2), {"n": 1, "provisional": 0}, date(2025, 3, 1).toordinal())]


def test_a_long_count_of_days_goes_to_its_own_histogram_cell() -> None:
    row = Row(status="DONE", finished_on=date(2025, 6, 2), days_used=HISTOGRAM_MAX + 5, late=True)
    kinds = _by_kind(row)
    assert not any(name.startswith("h") for name in kinds["F"][0][1])
    assert kinds["H"] == [(date(2025, 6, 2), {"n": 1}, HISTOGRAM_MAX + 5)]


def test_provisional_running_rows_are_a_stock_from_receipt_to_finish() -> None:
    kinds = _by_kind(Row(provisional=True, due_on=None))
    assert kinds["L"] == [(date(2025, 3, 3), {"provisional": 1}, 0)]


def test_add_keeps_what_is_dated_in_its_window_and_the_heat_table_for_the_first_key_only() -> None:
    found = list(contributions(Row(), package=False))
    whole, window = ("I", "", 1, ""), ("I", "window", 1, "7")
    cells: Cells = {}
    fact_cells.add(cells, [whole, window], found, through=date(2025, 3, 10))  # the due date not yet passed
    assert not any(key[4] in ("L", "Z") for key in cells)
    assert (*window, "R", date(2025, 3, 1), 0) in cells
    later: Cells = {}
    fact_cells.add(later, [whole, window], found, through=date(2025, 3, 31), after=date(2025, 3, 10))
    assert set(later) == {
        (*whole, "L", date(2025, 3, 1), 0),
        (*window, "L", date(2025, 3, 1), 0),
        (*whole, "Z", date(2025, 3, 1), date(2025, 3, 1).toordinal()),
    }
    fact_cells.add(later, [whole, window], found, -1, through=date(2025, 3, 31), after=date(2025, 3, 10))
    assert fact_cells.changed(later) == {}
