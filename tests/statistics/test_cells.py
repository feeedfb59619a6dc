"""The month cells against the fact rows: the rows' counts (``selectors`` without cells) are the oracle.

Random fact rows as the platform writes them (received on or before the due and
finish days, nothing received or finished after today) in every status; for
many filters and periods of whole months, every figure the dashboards read from
the cells equals the count over the rows. Moving rows (``cells.move``, what
``facts.build`` does) and moving the day the cells are kept through
(``cells.roll``) leave the same cells as computing them again from the rows.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

import pytest

from lianban.core.fact_cells import COLUMNS
from lianban.statistics import cells, selectors, services
from lianban.statistics.models import CaseFact, FactCell, FactStatus, ItemFact
from lianban.statistics.selectors import Filters
from tests.cases.kit import FrozenClock, People
from tests.statistics.kit import three_cases

pytestmark = pytest.mark.django_db

FIRST = date(2025, 1, 1)
SPAN = 120
DEPARTMENTS, THINGS, WINDOWS, ITEMS = (1, 2, 3), (11, 12), (None, 21, 22), ("A-1", "A-2", "B-1")


def _dates(rng: random.Random, today: date) -> dict[str, Any]:
    status = rng.choice([FactStatus.WAITING, FactStatus.OPEN, FactStatus.OPEN, FactStatus.DONE, FactStatus.ENDED])
    if status == FactStatus.WAITING:
        return {"status": status, "received_on": None, "finished_on": None, "due_on": None, "days_used": None}
    received = FIRST + timedelta(days=rng.randrange((today - FIRST).days + 1))
    promised = rng.randrange(0, 15)
    due = received + timedelta(days=promised) if rng.random() > 0.1 else None
    finished = None
    days_used = None
    if status == FactStatus.DONE or (status == FactStatus.ENDED and rng.random() > 0.2):
        finished = received + timedelta(days=rng.randrange((today - received).days + 1))
    if status == FactStatus.DONE and rng.random() > 0.1:
        days_used = rng.randrange(0, 20)
    late = (
        (finished is not None and due is not None and finished > due)
        if status == FactStatus.DONE
        else status == FactStatus.OPEN and rng.random() < 0.3
    )
    return {
        "status": status,
        "received_on": received,
        "finished_on": finished,
        "due_on": due,
        "days_used": days_used,
        "promised_days": promised,
        "late": late,
        "early": status == FactStatus.DONE and finished is not None and due is not None and finished < due,
        "paused": status == FactStatus.OPEN and rng.random() < 0.3,
    }


def _shared(rng: random.Random, today: date) -> dict[str, Any]:
    return {
        **_dates(rng, today),
        "thing_id": rng.choice(THINGS),
        "window_id": rng.choice(WINDOWS),
        "channel": rng.choice(["WINDOW", "ONLINE"]),
        "department_id": rng.choice(DEPARTMENTS),
        "instant": rng.random() < 0.2,
        "corrections": rng.choice([0, 0, 1, 2]),
        "supplements": rng.choice([0, 0, 1]),
        "signals": rng.choice([0, 0, 1, 3]),
        "orders": rng.choice([0, 0, 1]),
        "provisional": rng.random() < 0.2,
        "built_at": timezone.now(),
    }


def _package(rng: random.Random, today: date, pk: int) -> CaseFact:
    five = {
        f"{n}_{k}": rng.randrange(0, 9)
        for n in ("trips", "materials", "forms")
        for k in ("separate", "promised", "realised")
    }
    return CaseFact(case_id=pk, items=2, days_separate=rng.randrange(0, 40), **five, **_shared(rng, today))


def _item(rng: random.Random, today: date, pk: int) -> ItemFact:
    code = rng.choice(ITEMS)
    return ItemFact(item_case_id=pk, case_id=pk // 3, item_code=code, item_name=code, **_shared(rng, today))


def _filters(rng: random.Random, today: date, level: str) -> Filters:
    """A period of whole months (the last ending today or later), its department and at most one dimension."""
    first = FIRST + timedelta(days=rng.randrange((today - FIRST).days + 1))
    start = first.replace(day=1)
    last = start + timedelta(days=rng.randrange(0, 120))
    end = selectors.period_end(last.replace(day=1), "month") if rng.random() < 0.7 else max(today, last)
    if end < today <= selectors.period_end(end.replace(day=1), "month"):
        end = rng.choice([end, today, selectors.period_end(today.replace(day=1), "month") + timedelta(days=40)])
    one = rng.choice(["", "window", "thing", "channel"] + (["item"] if level == "items" else []))
    return Filters(
        start=start,
        end=end,
        grain=rng.choice(["month", "year"]),
        today=today,
        department=rng.choice([None, None, *DEPARTMENTS]),
        window=rng.choice([w for w in WINDOWS if w]) if one == "window" else None,
        thing=rng.choice(THINGS) if one == "thing" else None,
        channel=rng.choice(["WINDOW", "ONLINE"]) if one == "channel" else "",
        item=rng.choice(ITEMS) if one == "item" else "",
    )


def _oracle(monkeypatch: pytest.MonkeyPatch, read: Any, *args: Any) -> Any:
    """``read(*args)`` counted over the fact rows."""
    with monkeypatch.context() as patch:
        patch.setattr(selectors, "_cell_plan", lambda *args, **kwargs: None)
        return read(*args)


def _stored() -> dict[tuple[Any, ...], dict[str, int]]:
    """The cells as stored, zero cells left out (moving rows may leave cells that add up to nothing)."""
    found = {}
    for cell in FactCell.objects.all():
        values = {c: getattr(cell, c) for c in COLUMNS if getattr(cell, c)}
        if values:
            key = (cell.level, cell.dimension, cell.department_id, cell.value, cell.kind, cell.month, cell.days)
            found[key] = values
    return found


@pytest.mark.parametrize("seed", range(8))
def test_the_figures_read_from_the_cells_equal_the_rows_counted(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    today = FIRST + timedelta(days=rng.randrange(20, SPAN))
    CaseFact.objects.bulk_create([_package(rng, today, pk) for pk in range(1, 61)])
    ItemFact.objects.bulk_create([_item(rng, today, pk) for pk in range(3, 183)])
    assert cells.rebuild(today=today) > 0
    for _ in range(25):
        level = rng.choice(selectors.LEVELS)
        f = _filters(rng, today, level)
        assert selectors._cell_plan(level, f) is not None  # the cells answer it (else this test proves nothing)
        assert selectors.totals(level, f) == _oracle(monkeypatch, selectors.totals, level, f)
        assert selectors.trend(level, f) == _oracle(monkeypatch, selectors.trend, level, f)
        for by in ["department", "window", "thing", "channel"] + (["item_code"] if level == "items" else []):
            if selectors._cell_plan(level, f, by) is not None:
                got = selectors.breakdown(level, f, by)
                assert got == _oracle(monkeypatch, selectors.breakdown, level, f, by), (by, f)
        if not (f.window or f.thing or f.channel or f.item):
            assert selectors.overdue_heat(level, f) == _oracle(monkeypatch, selectors.overdue_heat, level, f)
        if selectors._cell_plan("packages", f, "thing") is not None:
            assert selectors.five_reductions(f) == _oracle(monkeypatch, selectors.five_reductions, f)


@pytest.mark.parametrize("seed", range(4))
def test_moving_rows_leaves_the_cells_a_rebuild_computes(seed: int) -> None:
    rng = random.Random(100 + seed)
    today = FIRST + timedelta(days=rng.randrange(20, SPAN))
    packages = [_package(rng, today, pk) for pk in range(1, 31)]
    items = [_item(rng, today, pk) for pk in range(3, 93)]
    CaseFact.objects.bulk_create(packages)
    ItemFact.objects.bulk_create(items)
    cells.rebuild(today=today)
    # rebuild some rows the way facts.build does: the old rows out, the new ones in, the rows replaced
    replaced_packages = [_package(rng, today, p.case_id) for p in rng.sample(packages, 12)]
    replaced_items = [_item(rng, today, i.item_case_id) for i in rng.sample(items, 40)]
    old_packages = list(CaseFact.objects.filter(case_id__in=[p.case_id for p in replaced_packages]))
    old_items = list(ItemFact.objects.filter(item_case_id__in=[i.item_case_id for i in replaced_items]))
    cells.move(old_packages, replaced_packages, old_items, replaced_items, through=today)
    for row in (*replaced_packages, *replaced_items):
        row.save()
    moved = _stored()
    cells.rebuild(today=today)
    assert moved == _stored()
    assert moved  # not trivially equal


@pytest.mark.parametrize("seed", range(4))
def test_rolling_the_cells_on_or_back_leaves_what_a_rebuild_computes_that_day(seed: int) -> None:
    rng = random.Random(200 + seed)
    today = FIRST + timedelta(days=rng.randrange(40, SPAN))
    CaseFact.objects.bulk_create([_package(rng, today, pk) for pk in range(1, 31)])
    ItemFact.objects.bulk_create([_item(rng, today, pk) for pk in range(3, 93)])
    for earlier in (today - timedelta(days=rng.randrange(1, 30)), today - timedelta(days=1)):
        cells.rebuild(today=earlier)
        assert cells.roll(today=today) == today
        rolled = _stored()
        cells.rebuild(today=today)
        assert rolled == _stored(), earlier
        cells.roll(today=earlier)  # the clock set back: the contributions after it taken out again
        back = _stored()
        cells.rebuild(today=earlier)
        assert back == _stored(), earlier
    assert cells.through() == earlier
    assert rolled != back  # the days in between count (else the test proves nothing)


def test_requests_the_cells_do_not_keep_are_counted_from_the_rows() -> None:
    today = date(2025, 3, 12)
    cells.rebuild(today=today)
    base = Filters(start=date(2025, 3, 1), end=date(2025, 3, 31), today=today)
    assert selectors._cell_plan("items", base) is not None
    assert selectors._cell_plan("items", Filters(start=date(2025, 1, 1), end=date(2025, 2, 28), today=today))
    assert selectors._cell_plan("items", Filters(start=date(2025, 1, 1), end=today, today=today))
    two = Filters(start=base.start, end=base.end, today=today, window=21, channel="ONLINE")
    assert selectors._cell_plan("items", two) is None  # two dimensions besides the department
    assert selectors._cell_plan("packages", Filters(start=base.start, end=base.end, today=today, item="A-1")) is None
    assert selectors._cell_plan("items", base, "window") is not None
    by_other = Filters(start=base.start, end=base.end, today=today, thing=11)
    assert (
        selectors._cell_plan("items", by_other, "window") is None
    )  # filtered by one dimension, broken down by another
    assert selectors._cell_plan("items", by_other, "department") is not None
    heat_cell = Filters(start=base.start, end=base.end, today=today, due_from=date(2025, 3, 3), due_to=date(2025, 3, 9))
    assert selectors._cell_plan("items", heat_cell) is None  # the cases behind a heat cell are listed from the rows
    future = Filters(start=date(2025, 4, 1), end=date(2025, 4, 30), today=today)
    assert selectors._cell_plan("items", future) is None
    part = Filters(start=date(2025, 1, 2), end=date(2025, 2, 28), today=today)
    assert selectors._cell_plan("items", part) is None  # not from the first of a month
    part = Filters(start=date(2025, 1, 1), end=date(2025, 2, 27), today=today)
    assert selectors._cell_plan("items", part) is None  # a past period ending before its month's end
    assert (
        selectors._cell_plan("items", Filters(start=date(2025, 1, 1), end=today, today=today + timedelta(days=1)))
        is None
    )  # a new day, not yet moved on


def test_the_fact_refresh_keeps_the_cells_as_a_rebuild_computes_them(people: People, clock: FrozenClock) -> None:
    three_cases(people, clock)
    services.facts_refresh()
    kept = _stored()
    assert kept
    assert cells.through() == clock.today()
    cells.rebuild(today=clock.today())
    assert _stored() == kept
    month = Filters(start=date(2025, 3, 1), end=date(2025, 3, 31), today=clock.today())
    assert selectors._cell_plan("items", month) is not None
    assert selectors.totals("items", month)["received"] == ItemFact.objects.filter(received_on__month=3).count()
