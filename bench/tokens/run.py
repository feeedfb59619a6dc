"""bench/tokens — API GETs per second signed in by token, by session and by HTTP Basic, on one real server.

Run: ``python3.11 dev.py bench tokens`` (``--seconds``/``--rounds``/``--clients`` to change the effort,
``--database-url`` for PostgreSQL, ``--redis-url`` to keep sessions and counters in Redis as deployed).

A Django child migrates a fresh database (a temporary SQLite file unless
``--database-url`` names a PostgreSQL database, created and dropped by the run)
and prepares one user with a session, an API token and a password. The run
then starts ``lianban serve`` (waitress) on it and measures the same endpoint
(``--path``, default ``/api/notifications/``: the authentication is most of its
cost) with ``--clients`` keep-alive clients, once per way of signing in, the
order alternated round by round; every answer must be 200. Throttles are
off (one address sends everything).

Reports requests/s per way (medians), the ratio token/session (goal ≥ 0.70;
also the median of the per-round ratios, each round's samples back to back)
and the load average before and after. Results: ``bench/results/tokens.json``.
No timing is asserted by the tests.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import multiprocessing
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.harness import machine, save  # noqa: E402

GOAL = 0.70
#: A fixed key for the run: the session the child creates must be valid in the server.
SECRET = "bench-tokens-" + secrets.token_hex(20)
PORTS = (18550, 18599)


# ------------------------------------------------------------------ child: prepare the database


def prepare(out: str) -> None:
    """Migrate, create the user, its session and its token; write the credentials as JSON."""
    import django

    django.setup()
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.core.management import call_command

    from lianban.accounts.models import Role, User
    from lianban.accounts.services import token_create

    call_command("migrate", verbosity=0)
    password = secrets.token_urlsafe(16)
    user = User.objects.create_user("bench_system", password=password, role=Role.SUPERVISOR)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]  # the role backend (axes is first)
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    issued = token_create(actor=None, user=user, name="bench", days=1)
    basic = base64.b64encode(f"{user.username}:{password}".encode()).decode()
    Path(out).write_text(
        json.dumps(
            {
                "token": {"Authorization": f"Bearer {issued.clear}"},
                "session": {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}"},
                "basic": {"Authorization": f"Basic {basic}"},
                "session_engine": settings.SESSION_ENGINE,
                "vendor": django.db.connection.vendor,
            }
        ),
        encoding="utf-8",
    )


# ------------------------------------------------------------------ parent: database, server, load


def database(url: str, *, create: bool) -> None:
    """Create (dropping it first) or drop the PostgreSQL database of ``url``."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or name.startswith("lianban_scale") or name == "lianban_bench":
        sys.exit(f"refusing to use the database {name!r}")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(maintenance, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            if create:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as exc:
        sys.exit(f"PostgreSQL is unreachable at {maintenance}: {str(exc).strip()}")


def environment(data_dir: Path, args: argparse.Namespace) -> dict[str, str]:
    """The environment of the child and of the server: the run's database, files and key; no throttles."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lianban.config.settings",
        "DJANGO_SECRET_KEY": SECRET,
        "LIANBAN_DATA_DIR": str(data_dir),
        # personal-data keys of this run's throw-away database only
        "LIANBAN_DATA_KEYS": "bt:" + base64.b64encode(secrets.token_bytes(16)).decode(),
        "LIANBAN_LOOKUP_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "LIANBAN_LOG_LEVEL": "WARNING",
        # one address sends everything: the throttles would measure themselves
        "LIANBAN_THROTTLE_USER": "none",
        "LIANBAN_THROTTLE_ANON": "none",
        "LIANBAN_THROTTLE_BASIC": "none",
        "LIANBAN_LOGIN_LOCK": "false",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    for name in ("DATABASE_URL", "LIANBAN_REDIS_URL", "LIANBAN_TASK_BACKEND", "DJANGO_DEBUG"):
        env.pop(name, None)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    if args.redis_url:
        env["LIANBAN_REDIS_URL"] = args.redis_url
    return env


def free_port() -> int:
    """A free port of the run's range on 127.0.0.1."""
    for port in range(PORTS[0], PORTS[1] + 1):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    sys.exit(f"no free port in {PORTS[0]}-{PORTS[1]}")


class Server:
    """``lianban serve`` (waitress) in its own process group, stopped by its own id."""

    def __init__(self, env: dict[str, str], threads: int, log: Path) -> None:
        self.port = free_port()
        exe = Path(sys.executable).with_name("lianban")
        self.process = subprocess.Popen(
            [str(exe), "serve", "--host", "127.0.0.1", "--port", str(self.port), "--threads", str(threads)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log.open("ab"),
            start_new_session=True,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if self.process.poll() is not None:
                    sys.exit(f"the benchmark server did not start (see {log})")
                time.sleep(0.2)
        self.stop()
        sys.exit("the benchmark server did not answer within 60 s")

    def stop(self) -> None:
        """Stop the server's process group."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def get(port: int, path: str, headers: dict[str, str]) -> int:
    """One GET on a new connection; its status."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers={"Accept-Language": "zh-hans", **headers})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


def _client(port: int, path: str, headers: dict[str, str], seconds: float, start_at: float, queue: Any) -> None:
    """One load client: a keep-alive connection sending GETs back to back until the time is up."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    sent = {"Accept-Language": "zh-hans", **headers}
    while time.time() < start_at:
        time.sleep(0.001)
    done, bad, started = 0, 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        conn.request("GET", path, headers=sent)
        response = conn.getresponse()
        response.read()
        done += 1
        bad += response.status != 200
    queue.put((done, bad, time.perf_counter() - started))
    conn.close()


def load(port: int, path: str, headers: dict[str, str], seconds: float, clients: int) -> float:
    """Requests per second of ``clients`` concurrent keep-alive clients for about ``seconds``."""
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    start_at = time.time() + 0.2
    procs = [ctx.Process(target=_client, args=(port, path, headers, seconds, start_at, queue)) for _ in range(clients)]
    for proc in procs:
        proc.start()
    results = [queue.get(timeout=seconds + 120) for _ in procs]
    for proc in procs:
        proc.join(timeout=10)
    if any(bad for _done, bad, _elapsed in results):
        sys.exit(f"load on {path}: some answers were not 200")
    return sum(done / elapsed for done, _bad, elapsed in results)


def measure(args: argparse.Namespace, data_dir: Path) -> dict[str, Any]:
    """Prepare the database, start the server, alternate the three ways; the figures."""
    env = environment(data_dir, args)
    creds = data_dir / "credentials.json"
    done = subprocess.run([sys.executable, __file__, "--child", str(creds)], env=env, check=False)
    if done.returncode != 0:
        sys.exit(f"bench/tokens: preparing the database failed (exit {done.returncode})")
    prepared = json.loads(creds.read_text(encoding="utf-8"))
    ways = {name: prepared[name] for name in ("token", "session", "basic")}
    server = Server(env, args.threads, data_dir / "server.log")
    try:
        for name, headers in ways.items():  # warm up, and every way must answer 200
            for _ in range(5):
                status = get(server.port, args.path, headers)
                if status != 200:
                    sys.exit(f"{name}: GET {args.path} answered {status}")
        load_before = os.getloadavg()
        samples: dict[str, list[float]] = {name: [] for name in ways}
        for r in range(args.rounds):
            order = list(ways) if r % 2 == 0 else list(reversed(ways))
            for name in order:
                seconds = args.seconds if name != "basic" else max(1.0, args.seconds / 2)
                samples[name].append(load(server.port, args.path, ways[name], seconds, args.clients))
            print(
                f"  round {r + 1}/{args.rounds}: " + ", ".join(f"{n} {samples[n][-1]:.1f}/s" for n in ways),
                file=sys.stderr,
                flush=True,
            )
        load_after = os.getloadavg()
    finally:
        server.stop()
    rates = {name: statistics.median(values) for name, values in samples.items()}
    paired = [t / s for t, s in zip(samples["token"], samples["session"], strict=True)]
    return {
        "path": args.path,
        "vendor": prepared["vendor"],
        "session_engine": prepared["session_engine"],
        "clients": args.clients,
        "server_threads": args.threads,
        "seconds_per_sample": args.seconds,
        "rounds": args.rounds,
        "requests_per_second": {k: round(v, 1) for k, v in rates.items()},
        "samples": {k: [round(v, 1) for v in values] for k, values in samples.items()},
        "ratio_token_over_session": round(rates["token"] / rates["session"], 3),
        "ratio_per_round": [round(x, 3) for x in paired],
        "ratio_per_round_median": round(statistics.median(paired), 3),
        "ratio_basic_over_session": round(rates["basic"] / rates["session"], 3),
        "goal_token_over_session": GOAL,
        "load_average_before_after": [round(x, 2) for x in (*load_before, *load_after)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, default=4.0, help="seconds per sample (Basic: half)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clients", type=int, default=2, help="concurrent keep-alive clients")
    parser.add_argument("--threads", type=int, default=4, help="waitress threads")
    parser.add_argument("--path", default="/api/notifications/")
    parser.add_argument("--database-url", default="", help="PostgreSQL database (created and dropped); default SQLite")
    parser.add_argument("--redis-url", default="", help="sessions and counters in this Redis database")
    args = parser.parse_args()
    if args.child:
        prepare(args.child)
        return
    data_dir = Path(tempfile.mkdtemp(prefix="lianban-bench-tokens-"))
    if args.database_url:
        database(args.database_url, create=True)
    try:
        result = measure(args, data_dir)
    finally:
        if args.database_url:
            database(args.database_url, create=False)
    report = {"benchmark": "tokens", "machine": machine(), **result}
    path = save("tokens" if not args.database_url else "tokens-postgresql", report)
    rates = result["requests_per_second"]
    print(
        f"GET {args.path}: token {rates['token']:.1f}/s, session {rates['session']:.1f}/s, "
        f"basic {rates['basic']:.1f}/s; token/session {result['ratio_token_over_session']:.2f} "
        f"(per round {result['ratio_per_round_median']:.2f}; goal ≥ {GOAL:.2f}); "
        f"basic/session {result['ratio_basic_over_session']:.2f}"
    )
    print(f"results: {path.relative_to(ROOT)}")
    import shutil

    shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
