"""What one statistics fact row adds to the day cells the dashboards sum (pure; no Django).

A dashboard figure over a period is a count over fact rows. Counting the rows
grows with the city; these cells do not: each fact row adds small integers to a
few cells keyed by a day, and a figure is a sum over the cells of the period,
whose number depends on the days and the catalog, not on the cases.

Flows are dated by the day they happen and summed over the period:

* ``R`` (received on the day): received, 即办, online, corrected, signalled,
  督办, the rounds, signals and orders, and the package's 五减 sums;
* ``F`` (finished on the day, status DONE): finished, on time, early, first
  time, promised days, finished late, provisional (预计), the package's days;
* ``H`` (finished on the day): the days-used histogram, one cell per value.

Stocks are intervals ``[a, b)`` of days, written as +1 at ``a`` and -1 at
``b``; the stock at a day ``x`` is the sum of the deltas dated ``<= x``:

* ``O`` open at the period's end: from the day received to the day finished
  or ended;
* ``L`` running late at the cutoff (the period's end, today for the current
  one): ``n`` from the day after the due date to the day finished (never
  ending while open), for a running row not paused or already found late;
  ``provisional`` running (received, not yet finished) with provisional
  working days.

The overdue heat table counts by the due date, whose ordinal is the cell's
``days``: ``X`` a row finished late, dated the day finished (the rows finished
in the period, and those running late at an earlier cutoff: due before it,
finished after it); ``Z`` a running row (clock running, or found late), dated
the day after its due date.

Every contribution is kept at two grains (``add``): its day, and its month
(the cell dated the first of the month), so that a period sums the month cells
of its whole months and the day cells around them.

The rules are those of ``statistics.selectors._metrics`` for rows as the
platform writes them (received on or before the due and finish days, nothing
received after today); ``tests/statistics/test_cells.py`` holds the two equal.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol, cast

ONE_DAY = timedelta(days=1)

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
    ),
    "H": ("n",),
    "O": ("n",),
    "L": ("n", "provisional"),
    "X": ("n", "provisional"),
    "Z": ("n", "provisional"),
}
#: Every value column of a cell.
COLUMNS = tuple(dict.fromkeys(name for names in KINDS.values() for name in names))
FLOWS = ("R", "F", "H")
#: Read at the period's end (``O``) or at the cutoff (``L``).
STOCKS = ("O", "L")
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
    """Values added to the cell of a kind and a day (``days``: the histogram's value, else 0)."""

    kind: str
    day: date
    values: tuple[tuple[str, int], ...]
    days: int = 0


def _interval(kind: str, column: str, start: date, end: date | None) -> Iterator[Contribution]:
    if end is not None and end <= start:
        return
    yield Contribution(kind, start, ((column, 1),))
    if end is not None:
        yield Contribution(kind, end, ((column, -1),))


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
        yield Contribution("F", finished, tuple(values))
        if row.days_used is not None:
            yield Contribution("H", finished, (("n", 1),), days=row.days_used)
    # open at a day: received by it, not finished or ended by it
    yield from _interval("O", "n", received, finished)
    running = row.status == "OPEN" or done
    if running and row.due_on is not None and (row.late if done else not row.paused or row.late):
        # running past the due date at the cutoff: from the day after it until the day finished
        yield from _interval("L", "n", max(row.due_on + ONE_DAY, received), finished if done else None)
    if running and row.provisional:
        yield from _interval("L", "provisional", received, finished if done else None)
    # the overdue heat table, by the due date (``days``: its ordinal): finished late on the day (also running
    # late at a cutoff between the due date and that day), and running late from the day after the due date
    if row.due_on is not None and done and finished is not None and row.late:
        yield Contribution("X", finished, (("n", 1), ("provisional", int(row.provisional))), row.due_on.toordinal())
    if row.due_on is not None and row.status == "OPEN" and (not row.paused or row.late):
        start = max(row.due_on + ONE_DAY, received)
        yield Contribution("Z", start, (("n", 1), ("provisional", int(row.provisional))), row.due_on.toordinal())


#: A cell's key: the dimension key, then (grain, kind, day, days).
Cells = dict[tuple[object, ...], dict[str, int]]


#: The grains a contribution is kept at: its day (``D``), and its month (``M``, dated the first of the month), so
#: that a period of whole months sums a cell per month, not per day.
GRAINS = ("D", "M")


def add(cells: Cells, keys: Iterable[tuple[object, ...]], row: Iterable[Contribution], sign: int = 1) -> None:
    """Add (``sign`` 1) or take out (-1) a row's contributions to the day cells of each of its dimension ``keys``
    (a cell's key: the dimension key, then (grain ``D``, kind, day, days)); ``changed`` adds the month cells."""
    found = list(row)
    for key in keys:
        for c in found:
            cell = cells.setdefault((*key, "D", c.kind, c.day, c.days), {})
            for name, value in c.values:
                if value:
                    cell[name] = cell.get(name, 0) + sign * value


def changed(cells: Cells) -> Cells:
    """The day cells with a non-zero change and the month cells they add up to, the zero columns left out."""
    months: Cells = {}
    for key, values in cells.items():
        day = cast(date, key[-2])
        month = months.setdefault((*key[:-4], "M", key[-3], day.replace(day=1), key[-1]), {})
        for name, value in values.items():
            month[name] = month.get(name, 0) + value
    result: Cells = {}
    for source in (cells, months):
        for key, values in source.items():
            kept = {name: value for name, value in values.items() if value}
            if kept:
                result[key] = kept
    return result
