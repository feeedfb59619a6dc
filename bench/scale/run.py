"""bench/scale — list pages and endpoints at 10,000 and 300,000 cases, tracking against a bare view, lifecycles/s.

Run: ``python3.11 dev.py bench scale`` (``--small`` for a quick smoke run at
300 and 3,000 cases; ``--sizes s`` for one size; see ``--help``).

For each size (S = 10,000 and L = 300,000 cases by default) a PostgreSQL
database (``lianban_scale_s``, ``lianban_scale_l``) is filled once
(``fill.py``: templates through the services, copies in bulk SQL) and reused
by later runs while its marker says the same fill version and size. A real
HTTP server (``lianban serve``, waitress, with the bench's settings adding a
bare JSON view) runs on 127.0.0.1; every request of ``targets.py`` is timed as
its role (first page, and a deep page where the list is paginated): p50 and
p95 over ``--samples`` requests (fewer for slow pages: ``--budget`` seconds per
request at most, one at least), the sizes' servers running side by side and
their requests alternated one by one, so that whatever else loads the machine
loads both sizes alike and the growth L/S compares like with like. Then the tracking answer and the bare view are
loaded by 4 concurrent clients (``--load-seconds`` per sample, 3 samples each,
alternated), throughput ratio reported. Last, hotel lifecycles (bench/lifecycle)
per second with 1, 2 and 4 concurrent worker processes on a fresh database.

Bounds of issue 8: growth L/S ≤ 1.5×, p50 at L < 300 ms, tracking ≥ 70 % of
the bare view. Results in ``bench/results/scale.json``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.harness import BENCH_DATA_KEYS, BENCH_LOOKUP_KEY, machine, save  # noqa: E402
from bench.scale.targets import BARE, CURSOR, TARGETS, TRACK  # noqa: E402

SIZES = {"s": 10_000, "l": 300_000}
SMALL = {"s": 300, "l": 3_000}
POSTGRES = "postgres://postgres@127.0.0.1:5432/"
GROWTH_MAX = 1.5
P50_MAX_MS = 300
TRACK_RATIO_MIN = 0.70
CLIENTS = 4
#: Tracking codes asked for in turn by the many-codes load (``track_many``).
MANY_CODES = 1_000
#: A fixed key: the sessions the run creates must be valid in the server it starts.
SECRET = "bench-scale-" + "k" * 40


# ------------------------------------------------------------------ databases and Django children


def _admin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres")), parts.path.lstrip("/")


def database_create(url: str, *, drop: bool) -> None:
    """Create the database (dropping it first when ``drop``); exit 2 when PostgreSQL is unreachable."""
    import psycopg
    from psycopg import sql

    admin, name = _admin(url)
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            if drop:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL is unreachable at {admin}: {str(exc).strip()}", file=sys.stderr)
        sys.exit(2)


def django_env(url: str, data_dir: Path, redis_url: str = "") -> dict[str, str]:
    """The environment of every process of one size: its database, its files, the fixed key."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.scale.settings",
        "DJANGO_SECRET_KEY": SECRET,
        # bench-only personal-data keys, fixed so a fill is readable by every later run
        "LIANBAN_DATA_KEYS": BENCH_DATA_KEYS,
        "LIANBAN_LOOKUP_KEY": BENCH_LOOKUP_KEY,
        # the load comes from one address: the per-address throttles would measure themselves
        "LIANBAN_THROTTLE_TRACK": "none",
        "LIANBAN_THROTTLE_ANON": "none",
        "LIANBAN_THROTTLE_USER": "none",
        "DATABASE_URL": url,
        "LIANBAN_DATA_DIR": str(data_dir),
        "LIANBAN_LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    for name in ("LIANBAN_REDIS_URL", "LIANBAN_TASK_BACKEND", "DJANGO_DEBUG"):
        env.pop(name, None)
    if redis_url:
        env["LIANBAN_REDIS_URL"] = redis_url
    return env


def child_call(env: dict[str, str], mode: str, **kwargs: Any) -> dict[str, Any]:
    """Run this script as a Django child (``--child mode``); its JSON answer."""
    out = Path(env["LIANBAN_DATA_DIR"]) / f"child-{mode}.json"
    command = [sys.executable, __file__, "--child", mode, "--out", str(out), "--args", json.dumps(kwargs)]
    done = subprocess.run(command, env=env, check=False)
    if done.returncode != 0:
        sys.exit(f"bench/scale: the {mode} step failed (exit {done.returncode})")
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result


def child(mode: str, out: str, kwargs: dict[str, Any]) -> None:
    """Entry point of a Django child."""
    import django

    django.setup()
    from django.core.management import call_command

    if mode == "status":
        from bench.scale.fill import FILL_VERSION, fill_info

        call_command("migrate", verbosity=0)
        info = fill_info()
        result: dict[str, Any] = {"info": info, "version": FILL_VERSION}
    elif mode == "fill":
        from bench.scale.fill import fill

        call_command("migrate", verbosity=0)
        result = {"info": fill(kwargs["cases"])}
    elif mode == "prepare":
        result = prepare(kwargs["info"])
    elif mode == "periodic":
        result = periodic(kwargs.get("next_day", False))
    elif mode == "lifecycles":
        call_command("migrate", verbosity=0)
        result = lifecycles(kwargs["workers"], kwargs["seconds"])
    else:
        raise SystemExit(f"unknown child mode {mode}")
    Path(out).write_text(json.dumps(result, ensure_ascii=False, default=str), encoding="utf-8")


def prepare(info: dict[str, Any]) -> dict[str, Any]:
    """Sessions for each role, a tracking code and a case with a long trail (from the fill)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from lianban.accounts.models import User
    from lianban.cases.models import Case, CaseEvent

    staff = info["staff"]
    users = {
        "clerk": User.objects.get(username=staff["clerk"]),
        "reviewer": User.objects.get(username=staff["reviewers"]["SCJG"]),
        "supervisor": User.objects.get(username=staff["supervisor"]),
        "heavy": User.objects.get(pk=info["heavy_user_id"]),
    }
    cookies = {}
    for role, user in users.items():
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]  # the role backend (axes is first)
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies[role] = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    cookies["public"] = ""
    # a running case in the middle of the fill: its tracking answer has every part (stages, due dates)
    running = Case.objects.filter(state="IN_PROGRESS").order_by("id")
    middle = running[running.count() // 2]
    issued = Case.objects.filter(state="ISSUED").order_by("-id").first()
    longest = CaseEvent.objects.filter(case=issued).count()
    return {
        "cookies": cookies,
        "code": middle.tracking_code,
        # many codes, spread over the fill: tracking as the public asks for it (each code now and then)
        "codes": list(Case.objects.order_by("?").values_list("tracking_code", flat=True)[:MANY_CODES]),
        "case_id": issued.pk if issued else middle.pk,
        "events_of_case": longest,
        "cases": Case.objects.count(),
    }


def periodic(next_day: bool = False) -> dict[str, Any]:
    """The worker's periodic jobs of issue 13, timed as the worker runs them: the deadline sweep, then the fact refresh.

    Run three times per size by the parent (sizes alternated): the first run after a fill catches up (the
    copies' sweep days moved back with their dates: it raises the signals and 督办 orders every copy reached,
    and the facts those changes touch are built); the second, the same day, finds nothing due (a worker's
    sweep every few minutes); the third sweeps as on the next working day (``next_day``): the cases whose
    next signal, status or ETA change falls on that day.
    """
    from django.db import connection

    from lianban.cases import clock
    from lianban.statistics.services import facts_refresh
    from lianban.supervision.services import deadline_sweep

    day = clock.calendar().add_working_days(clock.today(), 1) if next_day else None
    started = time.perf_counter()
    swept = deadline_sweep(day)
    sweep_s = time.perf_counter() - started
    started = time.perf_counter()
    refreshed = facts_refresh(max_batches=10**9)
    refresh_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        # what autovacuum would do after these writes (the machines of this workplace run PostgreSQL with
        # autovacuum off): without it the planner keeps the fill's "empty" statistics of the signal table and
        # joined a page's 50 signals to every case (the window queue: 2 s instead of 0.1 s at 300,000 cases)
        for table in ("supervision_signal", "supervision_supervisionorder", "messaging_staffdispatch"):
            cursor.execute(f"ANALYZE {table}")
        cursor.execute("SELECT count(*) FROM supervision_signal")
        signals = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM supervision_supervisionorder")
        orders = cursor.fetchone()[0]
    return {
        "day": str(day or clock.today()),
        "sweep_s": round(sweep_s, 3),
        "sweep_ms_per_case": round(sweep_s * 1000 / swept.cases, 2) if swept.cases else None,
        "sweep_cases_visited": swept.cases,
        "signals_raised": swept.signals,
        "orders_raised": swept.orders,
        "facts_refresh_s": round(refresh_s, 3),
        "facts_cases_rebuilt": refreshed.cases,
        "signals_in_all": signals,
        "orders_in_all": orders,
    }


# ------------------------------------------------------------------ the HTTP server and clients


def free_port(low: int, high: int) -> int:
    """A free port in [low, high] on 127.0.0.1."""
    for port in range(low, high + 1):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    sys.exit(f"no free port in {low}-{high}")


class Server:
    """``lianban serve`` (waitress) on 127.0.0.1 in its own process group."""

    def __init__(self, env: dict[str, str], port: int, threads: int, log: Path) -> None:
        exe = Path(sys.executable).with_name("lianban")
        self.port = port
        self.process = subprocess.Popen(
            [str(exe), "serve", "--host", "127.0.0.1", "--port", str(port), "--threads", str(threads)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log.open("ab"),  # waitress's queue-depth warnings
            start_new_session=True,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return
            except OSError:
                if self.process.poll() is not None:
                    sys.exit("the benchmark server did not start")
                time.sleep(0.2)
        self.stop()
        sys.exit("the benchmark server did not answer within 60 s")

    def stop(self) -> None:
        """Stop the server process (by its own id)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def get(
    port: int, path: str, cookie: str, *, timeout: float, headers: dict[str, str] | None = None
) -> tuple[int, int, float, dict[str, str]]:
    """One GET on a new connection: status, body bytes, seconds, response headers."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    sent = {"Accept-Language": "zh-hans", **(headers or {})}
    if cookie:
        sent["Cookie"] = cookie
    started = time.perf_counter()
    conn.request("GET", path, headers=sent)
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    conn.close()
    return response.status, len(body), elapsed, {k.lower(): v for k, v in response.getheaders()}


#: How many ``next`` links a deep page of a cursor list follows (100 rows each). Keyset pages cost the
#: same at any depth, so a few thousand rows in is deep enough to show it.
DEEP_HOPS = 20


def cursor_deep_path(
    port: int, path: str, cookie: str, *, timeout: float, hops: int = DEEP_HOPS
) -> tuple[str, int] | None:
    """The page ``hops`` ``next`` links into a cursor (keyset) list (100 rows a page), or its last page.

    Returns the page's path and how many links were followed (fewer than ``hops`` when the list ended).
    """
    joiner = "&" if "?" in path else "?"
    current = f"{path}{joiner}page_size=100"
    done = 0
    for _hop in range(hops):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        headers = {"Accept-Language": "zh-hans", **({"Cookie": cookie} if cookie else {})}
        conn.request("GET", current, headers=headers)
        response = conn.getresponse()
        body = response.read()
        conn.close()
        if response.status != 200:
            return None
        following = json.loads(body).get("next")
        if not following:
            break
        parts = urlsplit(following)
        current = f"{parts.path}?{parts.query}"
        done += 1
    return current, done


def time_request(port: int, path: str, cookie: str, *, samples: int, budget: float, timeout: float) -> dict[str, Any]:
    """p50/p95 of ``path`` over up to ``samples`` requests within about ``budget`` seconds (one at least).

    A request taking longer than ``timeout`` seconds is reported as timed out (no figures).
    """
    try:
        status, size, first, _headers = get(port, path, cookie, timeout=timeout)
        if status != 200:
            return {"path": path, "status": status, "error": f"HTTP {status}"}
        times: list[float] = [] if first < budget / 4 else [first]  # slow pages: the first request counts
        started = time.perf_counter()
        while len(times) < samples and (not times or time.perf_counter() - started + statistics.median(times) < budget):
            status, size, elapsed, _headers = get(port, path, cookie, timeout=timeout)
            times.append(elapsed)
    except TimeoutError:
        return {"path": path, "error": f"no answer within {timeout:.0f} s", "timed_out_s": timeout}
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return {
        "path": path,
        "status": status,
        "samples": len(times),
        "p50_ms": round(statistics.median(times) * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
        "bytes": size,
    }


def _client(
    port: int, paths: list[str], headers: dict[str, str], seconds: float, start_at: float, queue: Any, offset: int
) -> None:
    """One load client: a keep-alive connection sending GETs back to back until the time is up (paths in turn)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while time.time() < start_at:
        time.sleep(0.001)
    done, bad, deadline = 0, 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        conn.request("GET", paths[(offset + done) % len(paths)], headers=headers)
        response = conn.getresponse()
        response.read()
        done += 1
        bad += response.status not in (200, 304)
    conn.close()
    queue.put((done, bad))


def load(port: int, path: str | list[str], seconds: float, headers: dict[str, str] | None = None) -> float:
    """Requests per second of ``CLIENTS`` concurrent clients on ``path`` (or paths in turn) for ``seconds``."""
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    start_at = time.time() + 0.3
    sent = {"Accept-Language": "zh-hans", **(headers or {})}
    paths = [path] if isinstance(path, str) else path
    spread = max(1, len(paths) // CLIENTS)
    clients = [
        ctx.Process(target=_client, args=(port, paths, sent, seconds, start_at, queue, i * spread))
        for i in range(CLIENTS)
    ]
    for c in clients:
        c.start()
    results = [queue.get(timeout=seconds + 60) for _ in clients]
    for c in clients:
        c.join(timeout=10)
    if any(bad for _done, bad in results):
        sys.exit(f"load on {path}: some answers were not 200/304")
    return sum(done for done, _bad in results) / seconds


def tracking_ratio(port: int, code: str, seconds: float, codes: list[str], rounds: int = 3) -> dict[str, Any]:
    """Throughput of the tracking answer (one code, fresh and 304; many codes in turn) and of the bare view.

    Alternated, medians and ratios. ``track_many`` asks for ``codes`` in turn
    (each client from its own place in the list) after one pass over them all
    (timed: ``first_request_ms``, the answer computed from the database): the
    public asking about many cases, not one answer served again and again.
    """
    track = TRACK.format(code=code)
    _status, _size, _t, headers = get(port, track, "", timeout=60)
    etag = headers.get("etag", "")
    cases: dict[str, tuple[str | list[str], dict[str, str] | None]] = {
        "bare": (BARE, None),
        "track": (track, None),
    }
    cold_ms = None
    if codes:
        paths = [TRACK.format(code=c) for c in codes]
        cases["track_many"] = (paths, None)
        # one pass over every code first, one client: what a first request for a case costs (the answer
        # computed from the database), and the caches warm as they are for codes asked before
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for path in paths:
            conn.request("GET", path, headers={"Accept-Language": "zh-hans"})
            conn.getresponse().read()
        conn.close()
        cold_ms = (time.perf_counter() - started) / len(paths) * 1000
    if etag:
        cases["track_304"] = (track, {"If-None-Match": etag})
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for r in range(rounds):
        order = list(cases) if r % 2 == 0 else list(reversed(cases))
        for name in order:
            path, headers_sent = cases[name]
            samples[name].append(load(port, path, seconds, headers_sent))
    rates = {name: statistics.median(values) for name, values in samples.items()}
    result: dict[str, Any] = {
        "clients": CLIENTS,
        "seconds_per_sample": seconds,
        "requests_per_second": {k: round(v, 1) for k, v in rates.items()},
        "samples": {k: [round(v, 1) for v in values] for k, values in samples.items()},
        "ratio_track_over_bare": round(rates["track"] / rates["bare"], 3),
        "etag": etag,
        "cache_control": headers.get("cache-control", ""),
    }
    if "track_304" in rates:
        result["ratio_track_304_over_bare"] = round(rates["track_304"] / rates["bare"], 3)
    if "track_many" in rates:
        result["codes"] = len(codes)
        result["first_request_ms"] = round(cold_ms or 0, 2)
        result["ratio_track_many_over_bare"] = round(rates["track_many"] / rates["bare"], 3)
    return result


# ------------------------------------------------------------------ lifecycles with concurrent workers


def _lifecycle_worker(prefix: str, seconds: float, start_at: float, queue: Any) -> None:
    from django.db import connection

    from bench.lifecycle.hotel import HotelLifecycle

    connection.close()  # a connection of its own after the fork
    hotel = HotelLifecycle(prefix=prefix)
    hotel.fill_pool(200)
    hotel.run()  # warm-up
    while time.time() < start_at:
        time.sleep(0.01)
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        hotel.run()
        done += 1
    queue.put((done, time.perf_counter() - started))
    connection.close()


def lifecycles(workers: list[int], seconds: float) -> dict[str, Any]:
    """Hotel lifecycles per second with each number of concurrent worker processes (fresh database)."""
    from django.db import connection

    from bench.lifecycle.hotel import catalog_load

    catalog_load()
    connection.close()
    ctx = multiprocessing.get_context("fork")
    result: dict[str, Any] = {}
    for n in workers:
        queue = ctx.Queue()
        start_at = time.time() + 15
        # the first four characters of a prefix name its companies: distinct per worker and run
        run = "".join(secrets.choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(2))
        procs = [
            ctx.Process(target=_lifecycle_worker, args=(f"{'PQRS'[i]}{run}{n}", seconds, start_at, queue))
            for i in range(n)
        ]
        for p in procs:
            p.start()
        answers = [queue.get(timeout=seconds + 300) for _ in procs]
        for p in procs:
            p.join(timeout=30)
        total = sum(done for done, _ in answers)
        result[str(n)] = {
            "lifecycles": total,
            "per_second": round(sum(done / elapsed for done, elapsed in answers), 2),
            "per_worker": [round(done / elapsed, 2) for done, elapsed in answers],
        }
        print(f"  lifecycles with {n} worker(s): {result[str(n)]['per_second']}/s", flush=True)
    return result


# ------------------------------------------------------------------ parent


class Size:
    """One size's database, filled or reused, prepared, with its server running."""

    def __init__(self, label: str, cases: int, args: argparse.Namespace) -> None:
        self.label = label
        self.args = args
        url = f"{args.postgres}{args.prefix}{label}"
        self.database = f"{args.prefix}{label}"
        self.data_dir = ROOT / "var" / "bench-scale" / self.database
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = django_env(url, self.data_dir)
        self.env = env
        database_create(url, drop=False)
        status = child_call(env, "status")
        info = status["info"]
        version_ok = info is not None and (
            info.get("version") == status["version"] or (args.reuse_old_fill and info.get("version") is not None)
        )
        if info is None or not version_ok or info.get("cases_copied") != cases or args.refill:
            print(f"filling {self.database} with {cases:,} cases …", flush=True)
            database_create(url, drop=True)
            info = child_call(env, "fill", cases=cases)["info"]
        else:
            print(f"reusing the fill of {self.database} ({info['cases']:,} cases, {info['seconds']} s to fill)")
        self.info = info
        self.prepared = child_call(env, "prepare", info=info)
        self.deep = min(100_000, self.prepared["cases"] // 2)
        self.server_env = django_env(url, self.data_dir, args.redis_url)
        self.server: Server | None = None

    def start(self) -> None:
        """(Re)start the server; the first request loads the apps."""
        if self.server is not None:
            self.server.stop()
        self.server = Server(
            self.server_env,
            free_port(self.args.port_low, self.args.port_high),
            self.args.threads,
            self.data_dir / "server.log",
        )
        get(self.server.port, "/api/track/" + self.prepared["code"], "", timeout=60)

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.port

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def path(self, target: Any) -> str:
        return str(target.path.format(code=self.prepared["code"], case_id=self.prepared["case_id"]))

    def cursor_depth(self, target: Any) -> int:
        """How many ``next`` links (at most ``DEEP_HOPS``) this size's list has from its first page."""
        reached = cursor_deep_path(
            self.port, self.path(target), self.prepared["cookies"][target.role], timeout=self.args.timeout
        )
        return reached[1] if reached else 0

    def variants(self, target: Any, hops: int = DEEP_HOPS) -> dict[str, str]:
        """The target's first page and, where the list is paginated, a deep page, for this size.

        A cursor list's deep page is ``hops`` links in: the caller gives every size the same depth, one the
        shortest list has as a full page, so that the sizes compare pages of the same rows.
        """
        path = self.path(target)
        cookie = self.prepared["cookies"][target.role]
        found = {"first": path}
        if target.deep == CURSOR:
            reached = (
                cursor_deep_path(self.port, path, cookie, timeout=self.args.timeout, hops=hops) if hops > 0 else None
            )
            if reached is not None:
                found["deep"] = reached[0]
        elif target.deep is not None:
            joiner = "&" if "?" in path else "?"
            found["deep"] = path + joiner + target.deep.format(deep=self.deep)
        return found

    def summary(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "cases": self.prepared["cases"],
            "fill": _fill_summary(self.info),
            "deep_offset": self.deep,
        }


def time_interleaved(
    sizes: list[Size], paths: dict[str, str], cookie: dict[str, str], *, samples: int, budget: float, timeout: float
) -> dict[str, dict[str, Any]]:
    """p50/p95 of one request at every size, the sizes alternated request by request (their order too).

    Whatever else loads the machine loads every size alike, so the growth L/S compares like with like.
    A size timing out is reported as such (its server restarted); the others go on.
    """
    times: dict[str, list[float]] = {s.label: [] for s in sizes}
    result: dict[str, dict[str, Any]] = {}
    live = [s for s in sizes if s.label in paths]
    for size in list(live):  # the first request of each: a slow page counts it, a fast one warms up
        try:
            status, nbytes, first, _headers = get(size.port, paths[size.label], cookie[size.label], timeout=timeout)
        except TimeoutError:
            result[size.label] = {
                "path": paths[size.label],
                "error": f"no answer within {timeout:.0f} s",
                "timed_out_s": timeout,
            }
            size.start()
            live.remove(size)
            continue
        if status != 200:
            result[size.label] = {"path": paths[size.label], "status": status, "error": f"HTTP {status}"}
            live.remove(size)
            continue
        result[size.label] = {"path": paths[size.label], "status": status, "bytes": nbytes}
        if first >= budget / 4:
            times[size.label].append(first)
    started, turn = time.perf_counter(), 0
    while live:
        spent = time.perf_counter() - started
        if all(len(times[s.label]) >= samples for s in live):
            break
        slowest = max((statistics.median(times[s.label]) for s in live if times[s.label]), default=0.0)
        if any(times[s.label] for s in live) and spent + slowest * len(live) >= budget * len(live):
            break
        order = live if turn % 2 == 0 else list(reversed(live))
        turn += 1
        for size in list(order):
            if len(times[size.label]) >= samples:
                continue
            try:
                _status, _nbytes, elapsed, _headers = get(
                    size.port, paths[size.label], cookie[size.label], timeout=timeout
                )
            except TimeoutError:
                result[size.label] = {
                    "path": paths[size.label],
                    "error": f"no answer within {timeout:.0f} s",
                    "timed_out_s": timeout,
                }
                size.start()
                live.remove(size)
                continue
            times[size.label].append(elapsed)
    for label, values in times.items():
        if not values or "error" in result.get(label, {}):
            continue
        values.sort()
        result[label].update(
            samples=len(values),
            p50_ms=round(statistics.median(values) * 1000, 1),
            p95_ms=round(values[min(len(values) - 1, round(0.95 * (len(values) - 1)))] * 1000, 1),
        )
    return result


def measure(sizes: list[Size], args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """Every target at every size, interleaved; then tracking under load, size by size."""
    pages: dict[str, dict[str, Any]] = {s.label: {} for s in sizes}
    for size in sizes:
        size.start()
    try:
        for target in TARGETS:
            if args.targets and not re.search(args.targets, target.name):
                continue
            hops = DEEP_HOPS
            if target.deep == CURSOR:
                depth = min(s.cursor_depth(target) for s in sizes)
                hops = depth if depth == DEEP_HOPS else depth - 1  # the shortest list's last page may be short
            per_size = {s.label: s.variants(target, hops) for s in sizes}
            for variant in ("first", "deep"):
                paths = {label: found[variant] for label, found in per_size.items() if variant in found}
                if not paths:
                    continue
                key = target.name if variant == "first" else f"{target.name} (deep)"
                cookies = {s.label: s.prepared["cookies"][target.role] for s in sizes}
                rows = time_interleaved(
                    sizes, paths, cookies, samples=args.samples, budget=args.budget, timeout=args.timeout
                )
                for label, row in rows.items():
                    deep_hops = {"hops": hops} if variant == "deep" and target.deep == CURSOR else {}
                    pages[label][key] = {"role": target.role, **deep_hops, **row}
                    shown = (
                        f"p50 {row['p50_ms']:>9.1f} ms  p95 {row['p95_ms']:>9.1f} ms  {row['bytes']:>10,} B  n={row['samples']}"
                        if "p50_ms" in row
                        else row["error"]
                    )
                    print(f"  [{label}] {key:<44} {shown}", flush=True)
        results: dict[str, dict[str, Any]] = {}
        for size in sizes:
            tracking = (
                tracking_ratio(size.port, size.prepared["code"], args.load_seconds, size.prepared.get("codes", []))
                if args.tracking
                else None
            )
            if tracking:
                print(
                    f"  [{size.label}] tracking under {CLIENTS} clients: {tracking['requests_per_second']} "
                    f"→ ratio {tracking['ratio_track_over_bare']}",
                    flush=True,
                )
            results[size.label] = {**size.summary(), "pages": pages[size.label], "tracking": tracking}
    finally:
        for size in sizes:
            size.stop()
    return results


def _fill_summary(info: dict[str, Any]) -> dict[str, Any]:
    return {k: info[k] for k in ("cases", "applicants", "copied", "seconds", "version") if k in info}


def parent(args: argparse.Namespace) -> None:
    table = SMALL if args.small else SIZES
    labels = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = set(labels) - set(table)
    if unknown:
        sys.exit(f"unknown size(s) {sorted(unknown)}: choose from {sorted(table)}")
    if args.small and args.prefix == "lianban_scale_":
        args.prefix = "lianban_scale_small_"
    load_before = os.getloadavg()
    prepared = [Size(label, table[label], args) for label in labels]
    jobs: dict[str, list[dict[str, Any]]] = {s.label: [] for s in prepared}
    if args.periodic:
        for round_ in (1, 2, 3):  # sizes alternated: whatever else loads the machine loads them alike
            for size in prepared:
                ran = child_call(size.env, "periodic", next_day=round_ == 3)
                jobs[size.label].append(ran)
                print(
                    f"  [{size.label}] periodic jobs, run {round_} ({ran['day']}): sweep {ran['sweep_s']} s "
                    f"({ran['sweep_cases_visited']:,} cases visited, {ran['signals_raised']:,} signals), "
                    f"facts {ran['facts_refresh_s']} s ({ran['facts_cases_rebuilt']:,} cases)",
                    flush=True,
                )
    sizes: dict[str, dict[str, Any]]
    if args.fill_only:
        sizes = {s.label: {"database": s.database, "fill": _fill_summary(s.info)} for s in prepared}
    else:
        sizes = measure(prepared, args)
    for label, runs in jobs.items():
        sizes[label]["periodic"] = runs
    report: dict[str, Any] = {
        "benchmark": "scale",
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "sizes": sizes,
        "bounds": {"growth_max": GROWTH_MAX, "p50_max_ms_at_l": P50_MAX_MS, "track_ratio_min": TRACK_RATIO_MIN},
    }
    if "pages" in sizes.get("s", {}) and "pages" in sizes.get("l", {}):
        report["growth"] = growth(sizes["s"]["pages"], sizes["l"]["pages"])
    tracking = sizes.get("l", sizes.get("s", {})).get("tracking") if labels else None
    if args.lifecycles and not args.fill_only:
        url = f"{args.postgres}{args.lifecycle_database}"
        data_dir = ROOT / "var" / "bench-scale" / args.lifecycle_database
        data_dir.mkdir(parents=True, exist_ok=True)
        database_create(url, drop=True)
        try:
            report["lifecycles_per_second"] = child_call(
                django_env(url, data_dir), "lifecycles", workers=[1, 2, 4], seconds=args.lifecycle_seconds
            )
        finally:
            database_create(url, drop=True)
    report["load_average_before_after"] = [round(x, 2) for x in (*load_before, *os.getloadavg())]
    report["machine"] = machine()
    path = save("scale-small" if args.small else "scale", report)
    print_summary(report, tracking)
    print(f"→ {path}")


def growth(small: dict[str, Any], large: dict[str, Any]) -> dict[str, Any]:
    """Per request: p50 at S and L, growth L/S, and whether it holds the bounds (a timeout at L does not)."""
    rows = {}
    for name, s in small.items():
        lrow = large.get(name, {})
        if "p50_ms" not in s or not ("p50_ms" in lrow or "timed_out_s" in lrow):
            continue
        if "timed_out_s" in lrow:
            rows[name] = {"p50_ms_s": s["p50_ms"], "p50_ms_l": None, "growth": None, "holds": False}
            continue
        ratio = lrow["p50_ms"] / s["p50_ms"] if s["p50_ms"] else float("inf")
        rows[name] = {
            "p50_ms_s": s["p50_ms"],
            "p50_ms_l": lrow["p50_ms"],
            "growth": round(ratio, 2),
            "holds": ratio <= GROWTH_MAX and lrow["p50_ms"] < P50_MAX_MS,
        }
    return rows


def print_summary(report: dict[str, Any], tracking: dict[str, Any] | None) -> None:
    if "growth" in report:
        print(
            f"\n{'request':<46} {'S p50 ms':>10} {'L p50 ms':>10} {'L/S':>7}  bounds (≤ {GROWTH_MAX}×, < {P50_MAX_MS} ms)"
        )
        for name, row in report["growth"].items():
            print(
                f"{name:<46} {row['p50_ms_s']:>10.1f} {row['p50_ms_l']:>10.1f} {row['growth']:>7.2f}  "
                f"{'holds' if row['holds'] else 'FAILS'}"
            )
    if tracking:
        print(
            f"tracking / bare view under {CLIENTS} clients: {tracking['ratio_track_over_bare']:.3f} "
            f"(304: {tracking.get('ratio_track_304_over_bare', '-')}; "
            f"{tracking.get('codes', 0)} codes in turn: {tracking.get('ratio_track_many_over_bare', '-')}) "
            f"— bound ≥ {TRACK_RATIO_MIN}"
        )
    if "lifecycles_per_second" in report:
        print(
            "lifecycles/s: "
            + ", ".join(f"{n} worker(s) {r['per_second']}" for n, r in report["lifecycles_per_second"].items())
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="s,l", help="comma-separated: s (10,000 cases), l (300,000)")
    parser.add_argument("--small", action="store_true", help="a quick smoke run: s = 300, l = 3,000 cases")
    parser.add_argument("--fill-only", action="store_true", help="fill (or check) the databases, measure nothing")
    parser.add_argument("--targets", default="", help="measure only the targets whose name matches this regex")
    parser.add_argument(
        "--reuse-old-fill", action="store_true", help="reuse a fill of an older fill version (its figures describe it)"
    )
    parser.add_argument("--refill", action="store_true", help="fill again even when the marker matches")
    parser.add_argument("--samples", type=int, default=9, help="requests per target (p50/p95)")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per target at most (one request at least)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a request counts as timed out")
    parser.add_argument("--load-seconds", type=float, default=5.0, help="seconds per tracking/bare load sample")
    parser.add_argument("--no-tracking", dest="tracking", action="store_false", help="skip the tracking load test")
    parser.add_argument("--no-lifecycles", dest="lifecycles", action="store_false", help="skip lifecycles/s")
    parser.add_argument(
        "--no-periodic", dest="periodic", action="store_false", help="skip timing the deadline sweep and fact refresh"
    )
    parser.add_argument("--lifecycle-seconds", type=float, default=10.0, help="seconds per worker count")
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("LIANBAN_BENCH_REDIS_URL", ""),
        help="serve with this shared cache (the production layout; empty: per-process memory cache)",
    )
    parser.add_argument("--threads", type=int, default=4, help="waitress threads")
    parser.add_argument("--postgres", default=os.environ.get("LIANBAN_BENCH_POSTGRES", POSTGRES), help="server URL")
    parser.add_argument("--prefix", default="lianban_scale_", help="database name prefix (+ size)")
    parser.add_argument("--lifecycle-database", default="lianban_bench", help="created and dropped by the run")
    parser.add_argument("--port-low", type=int, default=int(os.environ.get("LIANBAN_BENCH_PORT_LOW", "18200")))
    parser.add_argument("--port-high", type=int, default=int(os.environ.get("LIANBAN_BENCH_PORT_HIGH", "18299")))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--args", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.out, json.loads(args.args))
    else:
        parent(args)


if __name__ == "__main__":
    main()
