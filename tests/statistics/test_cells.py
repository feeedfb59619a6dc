"""The day cells against the fact rows: the rows' counts (``selectors`` without cells) are the oracle.

Random fact rows as the platform writes them (received on or before the due and
finish days, nothing received after today) in every status; for many filters
and periods, every figure the dashboards read from the cells equals the count
over the rows. Moving rows (``cells.move``, what ``facts.build`` does) leaves
the same cells as computing them again from the rows.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

import pytest

from lianban.statistics import cells, selectors, services
from lianban.statistics.models import CaseFact, FactCell, FactStatus, ItemFact
from lianban.statistics.selectors import Filters
from tests.cases.kit import FrozenClock, People
from tests.statistics.kit import MARCH, three_cases

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
    start = FIRST + timedelta(days=rng.randrange((today - FIRST).days + 1))
    end = start + timedelta(days=rng.randrange(0, 90))
    one = rng.choice(["", "window", "thing", "channel"] + (["item"] if level == "items" else []))
    return Filters(
        start=start,
        end=end,
        grain=rng.choice(["day", "week", "month", "year"]),
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
        values = {c: getattr(cell, c) for c in cells.COLUMNS if getattr(cell, c)}
        if values:
            key = (
                cell.level,
                cell.dimension,
                cell.department_id,
                cell.value,
                cell.grain,
                cell.kind,
                cell.day,
                cell.days,
            )
            found[key] = values
    return found


@pytest.mark.parametrize("seed", range(8))
def test_the_figures_read_from_the_cells_equal_the_rows_counted(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    today = FIRST + timedelta(days=rng.randrange(20, SPAN))
    CaseFact.objects.bulk_create([_package(rng, today, pk) for pk in range(1, 61)])
    ItemFact.objects.bulk_create([_item(rng, today, pk) for pk in range(3, 183)])
    assert cells.rebuild() > 0
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
        if selectors._cell_plan(level, f, "department") is not None:
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
    cells.rebuild()
    # rebuild some rows the way facts.build does: the old rows out, the new ones in, the rows replaced
    replaced_packages = [_package(rng, today, p.case_id) for p in rng.sample(packages, 12)]
    replaced_items = [_item(rng, today, i.item_case_id) for i in rng.sample(items, 40)]
    old_packages = list(CaseFact.objects.filter(case_id__in=[p.case_id for p in replaced_packages]))
    old_items = list(ItemFact.objects.filter(item_case_id__in=[i.item_case_id for i in replaced_items]))
    cells.move(old_packages, replaced_packages, old_items, replaced_items)
    for row in (*replaced_packages, *replaced_items):
        row.save()
    moved = _stored()
    cells.rebuild()
    assert moved == _stored()
    assert moved  # not trivially equal


def test_requests_the_cells_do_not_keep_are_counted_from_the_rows() -> None:
    today = date(2025, 3, 12)
    base = Filters(start=date(2025, 3, 1), end=date(2025, 3, 31), today=today)
    assert selectors._cell_plan("items", base) is not None
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


def test_the_fact_refresh_keeps_the_cells_as_a_rebuild_computes_them(people: People, clock: FrozenClock) -> None:
    three_cases(people, clock)
    services.facts_refresh()
    kept = _stored()
    assert kept
    cells.rebuild()
    assert _stored() == kept
    assert selectors._cell_plan("items", MARCH) is not None
    assert selectors.totals("items", MARCH)["received"] == ItemFact.objects.filter(received_on__month=3).count()


def test_a_span_covers_each_day_once_with_the_month_cells_of_its_whole_months() -> None:
    days = [FIRST + timedelta(days=n) for n in range(400)]
    months = sorted({day.replace(day=1) for day in days})
    key = {"level": "I", "dimension": "", "department_id": 1, "value": "", "kind": "R", "days": 0}
    FactCell.objects.bulk_create(
        [FactCell(**key, grain="D", day=day, n=1) for day in days]
        + [FactCell(**key, grain="M", day=m, n=sum(1 for d in days if d.replace(day=1) == m)) for m in months]
    )
    rng = random.Random(7)
    for _ in range(60):
        start = rng.choice(days[:-1])
        end = rng.choice([d for d in days if d >= start])
        chosen = FactCell.objects.filter(selectors._span(start, end))
        assert sum(cell.n for cell in chosen) == (end - start).days + 1, (start, end)
        whole = [m for m in months if m >= start and selectors.period_end(m, "month") <= end]
        assert sorted(cell.day for cell in chosen if cell.grain == "M") == whole
        up_to = FactCell.objects.filter(selectors._span(None, end))
        assert sum(cell.n for cell in up_to) == (end - FIRST).days + 1


def test_a_period_with_few_rows_is_counted_from_the_rows(settings: Any) -> None:
    rng = random.Random(3)
    today = FIRST + timedelta(days=100)
    CaseFact.objects.bulk_create([_package(rng, today, pk) for pk in range(1, 41)])
    cells.rebuild()
    f = Filters(start=FIRST, end=today, today=today)
    alive = CaseFact.objects.filter(received_on__isnull=False).count()  # every row was received in the period
    settings.LIANBAN_STATS_CELLS_FROM = alive
    assert selectors._cells("packages", f) is not None
    settings.LIANBAN_STATS_CELLS_FROM = alive + 1
    assert selectors._cells("packages", f) is None
    settings.LIANBAN_STATS_CELLS_FROM = 0
    assert selectors._cells("packages", f) is not None
