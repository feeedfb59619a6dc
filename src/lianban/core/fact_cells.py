"""What one statistics fact row adds to the month cells the dashboards sum (pure; no Django).

A dashboard figure over a period is a count over fact rows. Counting the rows
grows with the city; these cells do not: each fact row adds small integers to a
few cells keyed by a month and one dimension value, and a figure over whole
months is a sum over cells whose number depends on the months and the catalog,
not on the cases (one row per month and value, the kinds below apart).

Flows are dated by the day they happen and summed over the months of the period:

* ``R`` (received): received, 即办, online, corrected, signalled, 督办, the
  rounds, signals and orders, and the package's 五减 sums;
* ``F`` (finished, status DONE): finished, on time, early, first time,
  promised days, finished late, provisional (预计), the package's days, and
  the days-used histogram up to ``HISTOGRAM_MAX`` days as columns ``h00``…;
* ``H`` (finished): the days used beyond ``HISTOGRAM_MAX``, one cell per value.

Stocks are intervals ``[a, b)`` of days, written as +1 dated ``a`` and -1 dated
``b``; the stock at a day is the sum of the deltas dated on or before it:

* ``O`` open: from the day received to the day finished or ended;
* ``L`` running late (``n``): from the day after the due date to the day
  finished (never ending while open), for a running row not paused or already
  found late; running with provisional working days (``provisional``): from
  the day received to the day finished.

The overdue heat table counts by the due date's month (the cell's ``days``:
its first day's ordinal), for the department's whole only: ``X`` a row
finished late (a flow dated the day finished), ``Z`` the running-late
interval of ``L``.

A stock read at the end of a month sums the cells of the months up to it. Read
at today, it needs the deltas dated up to today and no later: the cells hold
the contributions dated on or before a day ``through`` (today, moved on by
``statistics.cells.roll``), the later ones (a due date not yet passed) wait.

The rules are those of ``statistics.selectors._metrics`` for rows as the
platform writes them (received on or before the due and finish days, nothing
received or finished after today); ``tests/statistics/test_cells.py`` holds
the two equal.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol, cast

ONE_DAY = timedelta(days=1)
#: The days used kept as a column of the ``F`` cell (``h00``…``h30``); more go to ``H`` cells, one per value.
HISTOGRAM_MAX = 30
HISTOGRAM = tuple(f"h{days:02}" for days in range(HISTOGRAM_MAX + 1))

#: The kinds of cell and the columns each one carries (any other column of the kind stays 0).
KINDS = {
    "R": (
        "n",
        "instant",
        "online",
        "corrected",
        "signalled",
        "ordered",
        "rounds",
        "signals",
        "orders",
        "trips_separate",
        "trips_promised",
        "trips_realised",
        "materials_separate",
        "materials_promised",
        "materials_realised",
        "forms_separate",
        "forms_promised",
        "forms_realised",
    ),
    "F": (
        "n",
        "on_time",
        "early",
        "first_time",
        "promised",
        "late",
        "provisional",
        "days_separate",
        "days_realised",
        "days_measured",
        "days_provisional",
        *HISTOGRAM,
    ),
    "H": ("n",),
    "O": ("n",),
    "L": ("n", "provisional"),
    "X": ("n", "provisional"),
    "Z": ("n", "provisional"),
}
#: Every value column of a cell.
COLUMNS = tuple(dict.fromkeys(name for names in KINDS.values() for name in names))
#: The heat table's kinds: kept for the department's whole only (the first of a row's keys).
HEAT = ("X", "Z")
FIVE = ("trips", "materials", "forms")


class FactRow(Protocol):
    """The fields of a fact row the cells read (``statistics.models._Dimensions``, plus the package's 五减)."""

    channel: str
    received_on: date | None
    finished_on: date | None
    status: str
    promised_days: int
    days_used: int | None
    due_on: date | None
    late: bool
    paused: bool
    early: bool
    instant: bool
    corrections: int
    supplements: int
    signals: int
    orders: int
    provisional: bool


class PackageRow(FactRow, Protocol):
    """A package's fact row: the 五减 as handled separately, as promised, as realised."""

    trips_separate: int
    trips_promised: int
    trips_realised: int
    materials_separate: int
    materials_promised: int
    materials_realised: int
    forms_separate: int
    forms_promised: int
    forms_realised: int
    days_separate: int


@dataclass(frozen=True, slots=True)
class Contribution:
    """Values added, dated ``day``, to the cell of a kind (``days``: the histogram's or the due month's value)."""

    kind: str
    day: date
    values: tuple[tuple[str, int], ...]
    days: int = 0


def _interval(
    kind: str, values: tuple[tuple[str, int], ...], start: date, end: date | None, days: int = 0
) -> Iterator[Contribution]:
    if end is not None and end <= start:
        return
    yield Contribution(kind, start, values, days)
    if end is not None:
        yield Contribution(kind, end, tuple((name, -value) for name, value in values), days)


def contributions(row: FactRow, *, package: bool) -> Iterator[Contribution]:
    """What one fact row adds to the cells (``package``: a ``CaseFact``, which adds the 五减 sums).

    Status values are those of ``statistics.models.FactStatus`` (OPEN, DONE, ENDED, WAITING).
    """
    received = row.received_on
    if received is None:  # not received: counted by no figure
        return
    done = row.status == "DONE"
    rounds = row.corrections + row.supplements
    flows: list[tuple[str, int]] = [
        ("n", 1),
        ("instant", int(row.instant)),
        ("online", int(row.channel == "ONLINE")),
        ("corrected", int(rounds > 0)),
        ("signalled", int(row.signals > 0)),
        ("ordered", int(row.orders > 0)),
        ("rounds", rounds),
        ("signals", row.signals),
        ("orders", row.orders),
    ]
    if package:
        for name in FIVE:
            for part in ("separate", "promised", "realised"):
                column = f"{name}_{part}"
                flows.append((column, int(getattr(row, column))))
    yield Contribution("R", received, tuple(flows))
    finished = row.finished_on
    if done and finished is not None:
        measured = row.days_used is not None
        values: list[tuple[str, int]] = [
            ("n", 1),
            ("on_time", int(not row.late)),
            ("early", int(row.early)),
            ("first_time", int(rounds == 0)),
            ("promised", row.promised_days),
            ("late", int(row.late)),
            ("provisional", int(row.provisional)),
        ]
        if package:
            values += [
                ("days_separate", int(cast("PackageRow", row).days_separate)),
                ("days_realised", row.days_used or 0),
                ("days_measured", int(measured)),
                ("days_provisional", int(measured and row.provisional)),
            ]
        if row.days_used is not None and row.days_used <= HISTOGRAM_MAX:
            values.append((HISTOGRAM[row.days_used], 1))
        yield Contribution("F", finished, tuple(values))
        if row.days_used is not None and row.days_used > HISTOGRAM_MAX:
            yield Contribution("H", finished, (("n", 1),), days=row.days_used)
    # open at a day: received by it, not finished or ended by it
    yield from _interval("O", (("n", 1),), received, finished)
    running = row.status == "OPEN" or done
    until = finished if done else None
    heat = (("n", 1), ("provisional", int(row.provisional)))
    if running and row.due_on is not None and (row.late if done else not row.paused or row.late):
        # running past the due date at the cutoff: from the day after it until the day finished
        start = max(row.due_on + ONE_DAY, received)
        due_month = row.due_on.replace(day=1).toordinal()
        yield from _interval("L", (("n", 1),), start, until)
        yield from _interval("Z", heat, start, until, due_month)
    if running and row.provisional:
        yield from _interval("L", (("provisional", 1),), received, until)
    if row.due_on is not None and done and finished is not None and row.late:
        yield Contribution("X", finished, heat, row.due_on.replace(day=1).toordinal())


#: A cell's key: the dimension key, then (kind, month, days).
Cells = dict[tuple[object, ...], dict[str, int]]


def add(
    cells: Cells,
    keys: Iterable[tuple[object, ...]],
    row: Iterable[Contribution],
    sign: int = 1,
    *,
    through: date,
    after: date | None = None,
) -> None:
    """Add (``sign`` 1) or take out (-1) a row's contributions dated after ``after`` (None: any) and on or before
    ``through`` to the month cells of each of its dimension ``keys`` (the first: the department's whole, the
    only one the heat table's kinds are kept for)."""
    found = [c for c in row if c.day <= through and (after is None or c.day > after)]
    for index, key in enumerate(keys):
        for c in found:
            if c.kind in HEAT and index:
                continue
            cell = cells.setdefault((*key, c.kind, c.day.replace(day=1), c.days), {})
            for name, value in c.values:
                if value:
                    cell[name] = cell.get(name, 0) + sign * value


def changed(cells: Cells) -> Cells:
    """The cells with a non-zero change, the zero columns left out."""
    result: Cells = {}
    for key, values in cells.items():
        kept = {name: value for name, value in values.items() if value}
        if kept:
            result[key] = kept
    return result
