"""bench/lifecycle — complete hotel cases per second through the services, against a plain-SQL floor.

Run: ``python3.11 dev.py bench lifecycle`` (``--seconds``/``--rounds`` to change the effort,
``--databases sqlite`` to leave PostgreSQL out).

For each database (a temporary SQLite file in WAL mode, like the demo; and
PostgreSQL at ``--postgres-url``, a database created and dropped by the run)
a child process migrates a fresh database, loads the demo catalog, records
one hotel lifecycle through the services and builds the floor from it (its
INSERTs and UPDATEs replayed with ``cursor.execute``, one transaction per
service call, see ``floor.py``). It checks that one more lifecycle of each
adds the same rows to the same tables with the same number of INSERT and
UPDATE statements per table (and stops if not), then measures both,
interleaved, ``--rounds`` samples of ``--seconds`` each (median reported).

Reports lifecycles/s of services and floor, the ratio services/floor (goal on
PostgreSQL: ≥ 0.40; also the median of the per-round ratios, each round's two
samples taken back to back under the same load), the load average before and
after, and the queries of one lifecycle of each.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.harness import BENCH_DATA_KEYS, BENCH_LOOKUP_KEY, machine, save  # noqa: E402

GOAL = 0.40
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/lianban_bench"
WARM_UP = 3


# ------------------------------------------------------------------ child: one database


def sample(fn: Callable[[], object], seconds: float) -> float:
    """Calls per second of ``fn`` over at least ``seconds`` (whole calls only)."""
    calls, start = 0, time.perf_counter()
    while True:
        fn()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return calls / elapsed


def measure(database: str, seconds: float, rounds: int) -> dict[str, Any]:
    """Set up Django on a fresh database, check the floor, measure; the figures as a dict."""
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    from bench.lifecycle.compare import FloorLifecycle, compare, reference
    from bench.lifecycle.hotel import ANSWERS, THING, HotelLifecycle, catalog_load

    call_command("migrate", verbosity=0)
    catalog_load()
    run = "".join(secrets.choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(3))
    services = HotelLifecycle(prefix=f"S{run}")
    for _ in range(WARM_UP):
        services.run()
    started = time.perf_counter()
    services.run()
    per_lifecycle = time.perf_counter() - started
    services.fill_pool(int(rounds * seconds / per_lifecycle * 1.5) + 50)

    recorded, floor = reference(services)
    floor_runs = FloorLifecycle(floor, prefix=f"F{run}")
    for _ in range(WARM_UP):
        floor_runs.run()
    comparison = compare(services.run, floor_runs.run)
    if not comparison.same:
        sys.exit("the floor does not write what the services write:\n  " + "\n  ".join(comparison.differences()))

    cases = {"services": services.run, "floor": floor_runs.run}
    load_before = os.getloadavg()
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for r in range(rounds):
        order = list(cases) if r % 2 == 0 else list(reversed(cases))
        for name in order:
            samples[name].append(sample(cases[name], seconds))
        print(
            f"  [{database}] round {r + 1}/{rounds}: " + ", ".join(f"{n} {samples[n][-1]:.1f}/s" for n in cases),
            file=sys.stderr,
            flush=True,
        )
    rates = {name: statistics.median(values) for name, values in samples.items()}
    paired = [s / f for s, f in zip(samples["services"], samples["floor"], strict=True)]
    return {
        "database": database,
        "vendor": connection.vendor,
        "server_version": _server_version(connection),
        "thing": THING,
        "answers": ANSWERS,
        "items": len(services.items),
        "materials_submitted": len(services.to_submit),
        "lifecycles_per_second": {k: round(v, 2) for k, v in rates.items()},
        "samples": {k: [round(v, 2) for v in values] for k, values in samples.items()},
        "ratio_services_over_floor": round(rates["services"] / rates["floor"], 3),
        "ratio_per_round": [round(r, 3) for r in paired],
        "ratio_per_round_median": round(statistics.median(paired), 3),
        "load_average_before_after": [round(x, 2) for x in (*load_before, *os.getloadavg())],
        "floor_write_statements": floor.statements(),
        "reference_queries": recorded.kinds(),
        "check": comparison.as_dict(),
        "lifecycles_run": {"services": services.counter, "floor": floor_runs.counter},
    }


def _server_version(connection: Any) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version")
        return str(cursor.fetchone()[0])


def child(args: argparse.Namespace) -> None:
    """Entry point of the child process: the environment is set, Django is not yet."""
    result = measure(args.child, args.seconds, args.rounds)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


# ------------------------------------------------------------------ parent


def _maintenance_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name:
        sys.exit(f"--postgres-url needs a database name: {url}")
    return urlunsplit(parts._replace(path="/postgres")), name


def postgres_database(url: str, *, create: bool) -> None:
    """Create (drop first) or drop the benchmark database; exit non-zero when PostgreSQL is unreachable."""
    import psycopg
    from psycopg import sql

    maintenance, name = _maintenance_url(url)
    try:
        with psycopg.connect(maintenance, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            if create:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL is unreachable at {maintenance}: {str(exc).strip()}", file=sys.stderr)
        print("Start it, pass --postgres-url, or run --databases sqlite.", file=sys.stderr)
        sys.exit(2)


def run_child(database: str, args: argparse.Namespace, url: str | None) -> dict[str, Any]:
    data_dir = tempfile.mkdtemp(prefix=f"lianban-bench-{database}-")
    out = Path(data_dir) / "result.json"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lianban.config.settings",
        "DJANGO_SECRET_KEY": "bench-" + secrets.token_hex(16),
        "LIANBAN_DATA_DIR": data_dir,
        "LIANBAN_LOG_LEVEL": "WARNING",
        "LIANBAN_DATA_KEYS": BENCH_DATA_KEYS,
        "LIANBAN_LOOKUP_KEY": BENCH_LOOKUP_KEY,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    env.pop("DATABASE_URL", None)
    env.pop("LIANBAN_TASK_BACKEND", None)
    if url:
        env["DATABASE_URL"] = url
    command = [
        sys.executable,
        __file__,
        "--child",
        database,
        "--out",
        str(out),
        "--seconds",
        str(args.seconds),
        "--rounds",
        str(args.rounds),
    ]
    try:
        done = subprocess.run(command, env=env, check=False)
        if done.returncode != 0:
            sys.exit(f"bench/lifecycle on {database} failed (exit {done.returncode})")
        result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        return result
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def parent(args: argparse.Namespace) -> None:
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    unknown = set(databases) - {"sqlite", "postgres"}
    if unknown:
        sys.exit(f"unknown database(s): {', '.join(sorted(unknown))} (sqlite, postgres)")
    if "postgres" in databases:
        postgres_database(args.postgres_url, create=False)  # reachable? (exits 2 when not)
    results: dict[str, dict[str, Any]] = {}
    for database in databases:
        print(f"bench/lifecycle on {database} …", flush=True)
        if database == "postgres":
            postgres_database(args.postgres_url, create=True)
            try:
                results[database] = run_child(database, args, args.postgres_url)
            finally:
                postgres_database(args.postgres_url, create=False)
        else:
            results[database] = run_child(database, args, None)

    report = {
        "benchmark": "lifecycle",
        "date": time.strftime("%Y-%m-%d"),
        "seconds_per_sample": args.seconds,
        "rounds": args.rounds,
        "results": results,
        "goal": {"ratio_min_on_postgres": GOAL},
        "machine": machine(),
    }
    if "postgres" in results:
        report["goal"]["met"] = results["postgres"]["ratio_services_over_floor"] >= GOAL
    path = save("lifecycle", report)
    print_table(results)
    if "met" in report["goal"]:
        print(f"goal ≥ {GOAL:.0%} of the floor on PostgreSQL met: {report['goal']['met']}   → {path}")
    else:
        print(f"→ {path}")


def print_table(results: dict[str, dict[str, Any]]) -> None:
    first = next(iter(results.values()))
    print(
        f"one lifecycle: {first['thing']} {first['answers']} — {first['items']} items, "
        f"{first['materials_submitted']} materials submitted"
    )
    print(
        f"{'database':<10} {'services/s':>11} {'floor/s':>9} {'ratio':>7} {'paired':>7}   "
        "queries per lifecycle (services | floor)"
    )
    for name, r in results.items():
        rates = r["lifecycles_per_second"]
        check = r["check"]
        print(
            f"{name:<10} {rates['services']:>11.2f} {rates['floor']:>9.2f} {r['ratio_services_over_floor']:>7.3f} "
            f"{r['ratio_per_round_median']:>7.3f}   "
            f"{_queries(check['services_queries'])} | {_queries(check['floor_queries'])}"
        )
    print("ratio = median services/s ÷ median floor/s; paired = median over rounds of services/s ÷ floor/s")
    rows = first["check"]["rows_per_table"]
    print(f"rows per lifecycle (services = floor): {sum(rows.values())} in {len(rows)} tables")


def _queries(kinds: dict[str, int]) -> str:
    return " ".join(f"{k} {kinds.get(k, 0)}" for k in ("SELECT", "INSERT", "UPDATE", "other"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="seconds per sample")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved samples per case (median reported)")
    parser.add_argument("--databases", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("LIANBAN_BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
        help="database created and dropped by the run",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
    else:
        parent(args)


if __name__ == "__main__":
    main()
