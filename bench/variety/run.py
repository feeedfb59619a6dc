"""bench/variety — the dashboards' figures at two city sizes when the cases spread over a city's catalog.

Run: ``python3.11 dev.py bench variety`` (``--sizes s,l``, ``--samples N``, ``--postgres URL``).

The scale benchmark's fill copies 18 template cases, so its fact rows carry a
handful of windows, items and one-things. A real city spreads its cases over
many: this benchmark writes synthetic fact rows straight into PostgreSQL
(``lianban_variety_s``: 10,000 packages, 80,000 item rows; ``lianban_variety_l``:
300,000 and 2.4 M) with a city's variety — 30 departments, 120 windows, 300
items, 40 one-things, two channels, received over the last 13 months in every
status, due and finished as the platform writes them (the fill is reused while
its marker matches). Each size's child then times, over ``--samples`` rounds
(p50), what the dashboards read: the supervisor's and a department's
statistics documents (both levels), the 五减, the overdue heat table, a
department's breakdown by window, a past quarter's totals, a period of days
that are not whole months (counted from the rows: the cells keep whole months),
and the first page of the overdue list — the floor measured in the same run: a
keyset page that costs the same at any size.

Reported per request: p50 at each size and the growth L/S (bound 1.5×, and
under 1 s at L). Results: ``bench/results/variety.json``. No timing is
asserted by the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from bench.harness import BENCH_DATA_KEYS, BENCH_LOOKUP_KEY, machine, save  # noqa: E402

SIZES = {"s": 10_000, "l": 300_000}
FILL_VERSION = 4  # 4: the month cells of every department; 3: the month cells; 2: no day cells
ITEMS_PER_CASE = 8
GROWTH_MAX, P50_MAX_MS = 1.5, 1000.0


def _env(database: str, postgres: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"{postgres.rstrip('/')}/{database}",
        "DJANGO_SETTINGS_MODULE": "lianban.config.settings",
        "LIANBAN_DATA_KEYS": BENCH_DATA_KEYS,
        "LIANBAN_LOOKUP_KEY": BENCH_LOOKUP_KEY,
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def _child(mode: str, size: str, env: dict[str, str], samples: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--size", size, "--samples", str(samples)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    sys.stderr.write(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _ensure_database(postgres: str, database: str) -> None:
    import psycopg

    with psycopg.connect(f"{postgres.rstrip('/')}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone():
            conn.execute(f'CREATE DATABASE "{database}"')


# ------------------------------------------------------------------ the child: fill


def _fill(cases: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_variety_fill (version int, cases int)")
        cursor.execute("SELECT version, cases FROM bench_variety_fill")
        if cursor.fetchone() == (FILL_VERSION, cases):
            return {"reused": True}
        started = time.perf_counter()
        cursor.execute("TRUNCATE statistics_casefact, statistics_itemfact, bench_variety_fill")
        # a case: received on one of the last ~395 days, in a status; its items alike, each of a department
        cursor.execute(_facts_sql("statistics_casefact", "case_id", _PACKAGE_COLUMNS, 1), [cases])
        cursor.execute(
            _facts_sql("statistics_itemfact", "item_case_id", _ITEM_COLUMNS, ITEMS_PER_CASE), [cases * ITEMS_PER_CASE]
        )
        filled = time.perf_counter() - started
    from lianban.statistics import cells

    started = time.perf_counter()
    written = cells.rebuild()  # the month cells, summed from the rows written straight into the fact tables
    summed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE statistics_casefact")
        cursor.execute("VACUUM ANALYZE statistics_itemfact")
        cursor.execute("VACUUM ANALYZE statistics_factcell")
        cursor.execute("INSERT INTO bench_variety_fill VALUES (%s, %s)", [FILL_VERSION, cases])
    return {"reused": False, "facts_s": round(filled, 1), "cells": written, "cells_s": round(summed, 1)}


#: Fact rows as the platform writes them: received ≤ due, received ≤ finished ≤ today, late = finished > due.
_FACTS_SQL = """
WITH base AS (
    SELECT n, (current_date - (random() * 395)::int) AS received, random() AS r, (random() * 20)::int AS promised,
           (random() * 30)::int AS dept, random() AS p
    FROM generate_series(1, %s) AS n
), shaped AS (
    SELECT *, CASE WHEN r < 0.05 THEN 'WAITING' WHEN r < 0.10 THEN 'ENDED'
                   WHEN received > current_date - 40 AND r < 0.75 THEN 'OPEN' WHEN r < 0.25 THEN 'OPEN'
                   ELSE 'DONE' END AS status,
           received + (random() * 1.3 * (promised + 1))::int AS finishing
    FROM base
)
INSERT INTO {table} ({key}, department_id, thing_id, window_id, channel, received_on, finished_on, status,
    promised_days, days_used, due_on, late, paused, early, instant, corrections, supplements, signals, orders,
    provisional, built_at {extra_names})
SELECT n, 1 + dept, 1 + (n / {per} + dept) %% 40, 1 + dept * 4 + (n / {per}) %% 4,
       CASE WHEN p < 0.4 THEN 'ONLINE' ELSE 'WINDOW' END,
       CASE WHEN status = 'WAITING' THEN NULL ELSE received END,
       CASE WHEN status IN ('DONE', 'ENDED') THEN least(finishing, current_date) END,
       status, promised,
       CASE WHEN status = 'DONE' THEN least(finishing, current_date) - received END,
       CASE WHEN status = 'WAITING' THEN NULL ELSE received + promised END,
       CASE WHEN status = 'DONE' THEN least(finishing, current_date) > received + promised
            WHEN status = 'OPEN' THEN received + promised < current_date AND p < 0.8 ELSE false END,
       status = 'OPEN' AND p > 0.9,
       status = 'DONE' AND least(finishing, current_date) < received + promised,
       promised = 0, (p * 10)::int %% 3 / 2, (p * 100)::int %% 5 / 4, (p * 7)::int %% 4, (p * 13)::int %% 7 / 6,
       false, now() {extra_values}
FROM shaped
"""
_PACKAGE_COLUMNS = {
    "items": str(ITEMS_PER_CASE),
    "trips_separate": "5",
    "trips_promised": "1",
    "trips_realised": "1 + (p * 3)::int",
    "materials_separate": "20",
    "materials_promised": "8",
    "materials_realised": "6 + (p * 4)::int",
    "forms_separate": "6",
    "forms_promised": "1",
    "forms_realised": "1 + (p * 2)::int",
    "days_separate": "40",
}
_ITEM_COLUMNS = {
    "case_id": f"1 + (n - 1) / {ITEMS_PER_CASE}",
    "item_code": "'D' || (1 + dept) || '-' || (n %% 10)",
    "item_name": "'item'",
}


def _facts_sql(table: str, key: str, extra: dict[str, str], per: int) -> str:
    """The INSERT of ``table``'s synthetic rows (``extra``: its own columns, as SQL over the CTE)."""
    names = "".join(f", {name}" for name in extra)
    values = "".join(f", {value}" for value in extra.values())
    return _FACTS_SQL.format(table=table, key=key, per=per, extra_names=names, extra_values=values)


# ------------------------------------------------------------------ the child: measure


def _measure(samples: int) -> dict[str, Any]:
    import django

    django.setup()
    from datetime import date, timedelta

    from lianban.api.views.statistics import FactCaseSerializer
    from lianban.common.keyset import keyset_page
    from lianban.statistics import reports, selectors

    default_start, today = selectors.default_period()
    whole = selectors.Filters(start=default_start, end=today, grain="month")
    department = selectors.Filters(start=default_start, end=today, grain="month", department=1)
    quarter_end = today.replace(day=1) - timedelta(days=1)
    month = quarter_end.year * 12 + quarter_end.month - 1 - 2  # the past quarter: the three whole months before
    quarter = selectors.Filters(start=date(month // 12, month % 12 + 1, 1), end=quarter_end)
    days = selectors.Filters(start=quarter.start + timedelta(days=9), end=quarter_end - timedelta(days=9))

    def overdue_page() -> object:
        rows = selectors.drill_down("items", whole, "overdue")
        page = keyset_page(rows, selectors.drill_ordering("items", "overdue"), None, 25)
        return FactCaseSerializer(page.rows, many=True).data

    requests: dict[str, Callable[[], object]] = {
        "overdue list, first page (floor)": overdue_page,
        "statistics document, items (supervisor)": lambda: reports.statistics_document("items", whole),
        "statistics document, packages (supervisor)": lambda: reports.statistics_document("packages", whole),
        "statistics document, items (a department)": lambda: reports.statistics_document("items", department),
        "five reductions": lambda: reports.five_document(whole),
        "overdue heat, items": lambda: reports.heat_document("items", whole),
        "a department by window, items": lambda: selectors.breakdown("items", department, "window"),
        "a past quarter, items": lambda: selectors.totals("items", quarter),
        "days not whole months, items (rows)": lambda: selectors.totals("items", days),
    }
    timings: dict[str, list[float]] = {name: [] for name in requests}
    for _ in range(samples):
        for name, read in requests.items():  # round by round, so that load hits every request alike
            started = time.perf_counter()
            read()
            timings[name].append((time.perf_counter() - started) * 1000)
    return {"requests": {name: round(statistics.median(values), 1) for name, values in timings.items()}}


# ------------------------------------------------------------------ the parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="s,l")
    parser.add_argument("--samples", type=int, default=3)
    parser.add_argument(
        "--postgres", default=os.environ.get("LIANBAN_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--child", choices=("fill", "measure"))
    parser.add_argument("--size", default="s")
    args = parser.parse_args()
    if args.child == "fill":
        print(json.dumps(_fill(SIZES[args.size])))
        return
    if args.child == "measure":
        print(json.dumps(_measure(args.samples)))
        return
    labels = [label.strip() for label in args.sizes.split(",") if label.strip()]
    sizes: dict[str, Any] = {}
    for label in labels:
        database = f"lianban_variety_{label}"
        _ensure_database(args.postgres, database)
        env = _env(database, args.postgres)
        print(f"filling {database} ({SIZES[label]:,} packages) …", flush=True)
        fill = _child("fill", label, env, args.samples)
        print(f"  {fill}", flush=True)
        sizes[label] = {"cases": SIZES[label], "fill": fill, **_child("measure", label, env, args.samples)}
    both = {"s", "l"} <= set(labels)
    print()
    print(
        f"{'request':<46}"
        + "".join(f"{label.upper() + ' p50 ms':>12}" for label in labels)
        + ("     L/S  bounds" if both else "")
    )
    for name in sizes[labels[0]]["requests"]:
        line = f"{name:<46}" + "".join(f"{sizes[label]['requests'][name]:>12.1f}" for label in labels)
        if both:
            small, large = sizes["s"]["requests"][name], sizes["l"]["requests"][name]
            growth = large / small if small else float("inf")
            holds = growth <= GROWTH_MAX and large < P50_MAX_MS
            line += f"{growth:>8.2f}  {'holds' if holds else 'FAILS'}"
        print(line)
    report = {"benchmark": "variety", "date": time.strftime("%Y-%m-%d %H:%M"), "machine": machine(), "sizes": sizes}
    print(f"→ {save('variety', report)}")


if __name__ == "__main__":
    main()
