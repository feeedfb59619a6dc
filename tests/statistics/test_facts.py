"""The fact tables: figures equal the hand-computed ones, the build is incremental, idempotent and crash-safe."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from django.db.models import Sum
from django.test import override_settings

import pytest

from lianban.cases.models import CaseEvent
from lianban.statistics import facts, selectors, services
from lianban.statistics.models import EVENTS, CaseFact, FactStatus, ItemFact, Watermark
from lianban.supervision.models import Signal
from tests.cases.kit import FrozenClock, People
from tests.statistics.kit import MARCH, three_cases

pytestmark = pytest.mark.django_db


def snapshot() -> list[tuple[Any, ...]]:
    rows = [tuple(v for k, v in vars(f).items() if k not in ("_state", "built_at")) for f in CaseFact.objects.all()]
    rows += [tuple(v for k, v in vars(f).items() if k not in ("_state", "built_at")) for f in ItemFact.objects.all()]
    return sorted(rows, key=repr)


def test_figures_equal_the_hand_computed_ones(people: People, clock: FrozenClock) -> None:
    fixture = three_cases(people, clock)
    services.facts_refresh()

    packages = selectors.totals("packages", MARCH)
    # A and B accepted (C is not: not received); A finished late; B running past its due date
    assert (packages["received"], packages["finished"], packages["open"]) == (2, 1, 1)
    assert (packages["on_time"], packages["early"], packages["overdue"]) == (0, 0, 2)
    assert (packages["online"], packages["online_rate"], packages["instant"]) == (2, 1.0, 0)
    assert (packages["days_used_avg"], packages["days_used_p90"], packages["days_promised_avg"]) == (7, 7, 6)
    assert packages["rounds"] == 1  # B's supplement

    items = selectors.totals("items", MARCH)
    # A's four items and B's first: a package of four items counts four items and one package
    assert (items["received"], items["finished"], items["open"]) == (5, 4, 1)
    assert (items["on_time"], items["early"], items["overdue"]) == (3, 2, 2)
    assert (items["instant"], items["first_time"], items["first_time_rate"]) == (1, 4, 1.0)
    assert items["on_time_rate"] == 0.75
    assert (items["days_used_avg"], items["days_used_p90"]) == (1.75, 7)  # days used 0, 0, 0 and 7
    signals = Signal.objects.filter(case__in=[fixture.a, fixture.b]).count()
    assert signals > 0
    assert packages["signals"] == signals

    by_department = {row["key"]: row for row in selectors.breakdown("items", MARCH, "department")}
    scjg = by_department[people.reviewer("SCJG").department_id]
    assert (scjg["received"], scjg["finished"], scjg["open"], scjg["overdue"]) == (3, 2, 1, 2)
    for name in ("received", "finished", "open", "on_time", "early", "overdue", "instant", "signals"):
        assert sum(row[name] for row in by_department.values()) == items[name], name
    lead = selectors.breakdown("packages", MARCH, "department")
    assert sum(row["received"] for row in lead) == packages["received"]
    by_window = selectors.breakdown("packages", MARCH, "window")
    assert [(row["key"], row["received"]) for row in by_window] == [(people.clerk.pk, 2)]

    trend = selectors.trend("items", MARCH)
    assert len(trend) == 31  # every day of March, the days without a case at 0
    assert [
        (row["period"], row["received"], row["finished"]) for row in trend if row["received"] or row["finished"]
    ] == [
        (date(2025, 3, 3), 5, 3),
        (date(2025, 3, 12), 0, 1),
    ]
    monthly = selectors.trend("packages", replace(MARCH, grain="month"))
    assert [(row["period"], row["received"], row["finished"]) for row in monthly] == [(date(2025, 3, 1), 2, 1)]

    [five] = selectors.five_reductions(MARCH)
    plan = fixture.a.frozen_plan.reductions
    assert (five["trips_separate"], five["trips_promised"], five["trips_realised"]) == (
        plan["before"]["trips"],
        plan["after"]["trips"],
        0,  # online, nothing picked up yet
    )
    assert five["materials_promised"] == plan["after"]["materials"]
    assert five["materials_realised"] == plan["after"]["materials"]  # every material to submit was handed in
    assert (five["forms_separate"], five["forms_promised"], five["forms_realised"]) == (plan["before"]["forms"], 1, 1)
    assert (five["days_separate"], five["days_promised"], five["days_realised"]) == (26, 6, 7)

    overdue = selectors.drill_down("items", MARCH, "overdue")
    assert sorted((f.case_id, f.item_code) for f in overdue) == [
        (fixture.a.pk, "SCJG-SPJY"),
        (fixture.b.pk, "SCJG-GSSL"),
    ]
    assert {f.case_id for f in selectors.drill_down("packages", MARCH, "received")} == {fixture.a.pk, fixture.b.pk}
    assert CaseFact.objects.get(pk=fixture.c.pk).status == FactStatus.WAITING

    department = replace(MARCH, department=people.reviewer("XF").department_id)
    assert selectors.totals("items", department)["received"] == 1
    assert selectors.totals("items", replace(MARCH, item="SCJG-GSSL"))["received"] == 2
    assert selectors.totals("packages", replace(MARCH, item="STHJ-HPBA"))["received"] == 2  # both plans hold it
    assert selectors.totals("packages", replace(MARCH, item="GA-TZHY"))["received"] == 0
    assert selectors.totals("packages", replace(MARCH, channel="WINDOW"))["received"] == 0
    april = replace(MARCH, start=date(2025, 4, 1), end=date(2025, 4, 30), today=date(2025, 4, 30))
    assert selectors.totals("packages", april)["open"] == 1  # B still running
    assert selectors.totals("packages", april)["received"] == 0


def test_running_the_build_again_adds_and_changes_nothing(people: People, clock: FrozenClock) -> None:
    three_cases(people, clock)
    with override_settings(LIANBAN_STATS_LAG_SECONDS=0):
        first = services.facts_refresh(batch=7)
        assert first.batches > 1
        assert first.watermark == CaseEvent.objects.latest("pk").pk
        before = snapshot()
        again = services.facts_refresh()
        assert (again.batches, again.events, again.cases) == (0, 0, 0)
        assert snapshot() == before
        services.facts_rebuild()
        assert snapshot() == before
    assert CaseFact.objects.count() == 3
    assert ItemFact.objects.count() == 12


def test_young_events_are_read_again_until_they_are_settled(people: People, clock: FrozenClock) -> None:
    three_cases(people, clock)
    with override_settings(LIANBAN_STATS_LAG_SECONDS=60):
        result = services.facts_refresh()
    assert result.watermark < CaseEvent.objects.latest("pk").pk  # the 03-12 events are younger than a minute
    assert CaseFact.objects.count() == 3  # but their cases are built already
    again = services.facts_refresh()
    assert again.events > 0
    clock.set(date(2025, 3, 13))
    services.facts_refresh()
    assert Watermark.objects.get(name=EVENTS).last_id == CaseEvent.objects.latest("pk").pk


def test_a_crash_mid_run_loses_nothing(people: People, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch) -> None:
    three_cases(people, clock)
    real = facts.build
    calls = {"n": 0}

    def failing(case_ids: Any, **kwargs: Any) -> tuple[int, int]:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        return real(case_ids, **kwargs)

    monkeypatch.setattr(facts, "build", failing)
    with override_settings(LIANBAN_STATS_LAG_SECONDS=0), pytest.raises(RuntimeError):
        services.facts_refresh(batch=10)
    mark = Watermark.objects.get(name=EVENTS).last_id
    assert 0 < mark < CaseEvent.objects.latest("pk").pk
    monkeypatch.setattr(facts, "build", real)
    with override_settings(LIANBAN_STATS_LAG_SECONDS=0):
        services.facts_refresh(batch=10)
    crashed = snapshot()
    with override_settings(LIANBAN_STATS_LAG_SECONDS=0):
        services.facts_rebuild()
    assert snapshot() == crashed
    assert ItemFact.objects.aggregate(n=Sum("supplements"))["n"] == 1


def test_a_batch_costs_the_same_statements_for_one_case_or_many(people: People, clock: FrozenClock) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.cases.bulk import clone_case

    fixture = three_cases(people, clock)
    services.facts_refresh()  # the fixture's cases, the watermark row and the calendar warm

    def one_run(cases: int) -> tuple[int, int, int]:
        clone_case(fixture.a, cases)
        with CaptureQueriesContext(connection) as captured:
            result = services.facts_refresh(batch=10_000)
        assert result.batches == 1
        reads = [q for q in captured if q["sql"].lstrip().upper().startswith("SELECT")]
        upserts = [q for q in captured if "ON CONFLICT" in q["sql"].upper()]
        return result.cases, len(reads), len(upserts)

    few_cases, few_reads, few_upserts = one_run(1)
    many_cases, many_reads, many_upserts = one_run(12)
    assert many_cases > few_cases
    assert few_reads == many_reads  # one read per source table, whatever the number of cases
    # one upsert per fact table (SQLite splits a long one at its 999 parameters) and one for the month cells (the
    # clones share their cells: as many as for one case)
    assert few_upserts == 3
    assert many_upserts <= 3 + many_cases * 4 * 23 // 999 + 1
