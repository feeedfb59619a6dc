"""Fault tests with real parts: a receiver that is down, workers as real processes, one killed mid-delivery.

The receiver is a real HTTP server (``tests.outbox.receiver``) that checks every
signature with the helper receivers use and dedupes by event id; the workers are
``lianban worker`` processes on the test database. Nothing in the sending code is
mocked. Waits are bounded (they only keep a broken build from hanging); nothing
asserts how long anything took. Run on SQLite and on PostgreSQL
(``DATABASE_URL=postgres://…``).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

import pytest

from lianban.cases.events import event_record
from lianban.cases.models import Case
from lianban.cases.workflow import lock_case
from lianban.core import webhooks
from lianban.outbox import services
from lianban.outbox.models import Delivery, DeliveryAttempt, DeliveryState, OutboxEvent
from tests.cases.kit import People, submit
from tests.deploy.stack import BIN, database_url, wait_for
from tests.outbox.receiver import Receiver

ROOT = Path(__file__).resolve().parents[2]
#: The ports this branch's tests may use (the receiver takes the first free one).
PORTS = range(18750, 18790)
#: Short retries, so an outage of a few seconds spans several failed attempts (production: 5 s … 10 h).
RETRY_SECONDS = ",".join(["0.2", "0.5"] + ["1"] * 60)
#: A request gives up after this long; a killed worker's claim ends this plus 5 s later.
TIMEOUT_SECONDS = "10"
#: Actions that raise public events, cycled to produce many events per case.
ACTIONS = ("item.taken", "item.supplement_requested", "item.supplied", "item.approved", "case.accepted")


def free_port() -> int:
    for port in PORTS:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.fail(f"no free port in {PORTS}")


def db_url() -> str:
    if connection.vendor == "sqlite":
        return f"sqlite:///{connection.settings_dict['NAME']}"
    return database_url(connection.settings_dict)


class Workers:
    """``lianban worker`` processes on the test database, each in its own process group."""

    def __init__(self, folder: Path, extra_env: dict[str, str] | None = None) -> None:
        self.folder = folder
        self.extra_env = extra_env or {}  # more settings (the messaging tests point the SMS provider here)
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str) -> None:
        data = self.folder / f"data-{name}"
        data.mkdir(exist_ok=True)
        keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}
        env = {
            **keep,
            "DJANGO_SETTINGS_MODULE": "lianban.config.settings",
            "PYTHONDONTWRITEBYTECODE": "1",
            "DATABASE_URL": db_url(),
            "DJANGO_SECRET_KEY": "outbox-fault-test-secret-key",
            "LIANBAN_DATA_KEYS": ",".join(settings.LIANBAN_DATA_KEYS),
            "LIANBAN_LOOKUP_KEY": settings.LIANBAN_LOOKUP_KEY,
            "LIANBAN_DATA_DIR": str(data),
            "LIANBAN_LOG_LEVEL": "WARNING",
            "LIANBAN_TRACK_LISTEN": "false",
            "LIANBAN_WORKER_LEASE_SECONDS": "2",
            "LIANBAN_SWEEP_SECONDS": "3600",
            "LIANBAN_WEBHOOK_SECONDS": "1",
            "LIANBAN_WEBHOOK_RETRY_SECONDS": RETRY_SECONDS,
            "LIANBAN_WEBHOOK_TIMEOUT_SECONDS": TIMEOUT_SECONDS,
            **self.extra_env,
        }
        argv = [str(BIN / "lianban"), "worker", "--worker-id", f"outbox-{name}", "--interval", "0.2"]
        argv += ["--scheduler-tick", "0.5"]
        with (self.folder / f"{name}.log").open("wb") as log:
            self.processes[name] = subprocess.Popen(  # noqa: S603
                argv, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=self.folder, start_new_session=True
            )

    def alive(self, name: str) -> bool:
        code = self.processes[name].poll()
        if code is not None:
            log = (self.folder / f"{name}.log").read_text(errors="replace")[-3000:]
            pytest.fail(f"worker {name} stopped (exit {code}):\n{log}")
        return True

    def kill(self, name: str) -> None:
        process = self.processes[name]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(15)

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(15)


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    handle = Workers(tmp_path)
    yield handle
    handle.stop_all()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    handle = Receiver(free_port(), webhooks.secret_new())
    yield handle
    handle.stop()


def produce(cases: list[Case], total: int) -> None:
    """Public events, round the cases, until the outbox holds ``total`` (each in its own transaction)."""
    step = 0
    while OutboxEvent.objects.count() < total:
        case = cases[step % len(cases)]
        item = case.item_cases.order_by("id").first()
        with transaction.atomic():
            lock_case(case.pk)
            action = ACTIONS[(step // len(cases)) % len(ACTIONS)]
            event_record(case=case, actor=None, action=action, item_case=item if action.startswith("item") else None)
        step += 1


def expected_order(case: Case) -> list[str]:
    return list(OutboxEvent.objects.filter(case=case).order_by("id").values_list("public_id", flat=True))


def arrived_order(receiver: Receiver, case: Case) -> list[str]:
    with receiver.lock:
        return [p["id"] for p in receiver.first_seen if p["data"].get("case_id") == case.pk]


def all_delivered() -> bool:
    return not Delivery.objects.exclude(state=DeliveryState.DELIVERED).exists()


def post(url: str, headers: dict[str, str], body: bytes) -> int:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310 - the test's own
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as refused:
        return refused.code


@pytest.mark.usefixtures("case_rows_wiped_first")
def test_a_receiver_down_while_200_events_are_produced_gets_every_one_in_order_once_back(
    people: People, workers: Workers, receiver: Receiver
) -> None:
    services.subscription_create(actor=None, name="部门系统", url=receiver.url, event_types=[], secret=receiver.secret)
    workers.start("one")
    workers.start("two")
    cases = [submit(people) for _ in range(5)]
    produce(cases, 200)  # the receiver is down: nothing listens on its port

    def heads_failed_three_times() -> bool:
        workers.alive("one") and workers.alive("two")
        heads = [Delivery.objects.filter(case_key=case.pk).order_by("id").first() for case in cases]
        return all(h is not None and DeliveryAttempt.objects.filter(delivery=h, ok=False).count() >= 3 for h in heads)

    wait_for("every case's first event failed three times while the receiver is down", heads_failed_three_times)
    assert not DeliveryAttempt.objects.filter(ok=True).exists()
    assert Delivery.objects.filter(state=DeliveryState.DELIVERED).count() == 0

    receiver.start()  # back
    wait_for("all 200 events at the receiver", lambda: workers.alive("one") and len(receiver.seen) >= 200)
    wait_for("every delivery recorded as delivered", all_delivered)

    published = set(OutboxEvent.objects.values_list("public_id", flat=True))
    assert len(published) == 200 and receiver.seen == published  # none lost
    for case in cases:
        assert arrived_order(receiver, case) == expected_order(case)  # in order per case
    assert receiver.duplicates == 0  # two workers never sent one delivery at the same time
    assert not Delivery.objects.filter(state=DeliveryState.DEAD).exists()
    assert DeliveryAttempt.objects.filter(ok=True).count() == 200
    failed = DeliveryAttempt.objects.filter(ok=False)
    assert failed.count() >= 15 and all(a.error and a.status_code is None for a in failed)

    # forged and replayed requests are refused by the receiver's helper and recorded nowhere
    body = json.dumps({"id": "evt_forged", "type": "case.issued", "timestamp": "", "data": {}}).encode()
    forged = webhooks.headers(webhooks.secret_new(), "evt_forged", int(time.time()), body)
    stale = webhooks.headers(receiver.secret, "evt_forged", int(time.time()) - 600, body)
    assert post(receiver.url, forged, body) == 401
    assert post(receiver.url, stale, body) == 401
    assert receiver.refused == 2 and "evt_forged" not in receiver.seen


@pytest.mark.usefixtures("case_rows_wiped_first")
def test_a_worker_killed_mid_delivery_loses_nothing(people: People, workers: Workers, receiver: Receiver) -> None:
    services.subscription_create(actor=None, name="部门系统", url=receiver.url, event_types=[], secret=receiver.secret)
    receiver.hold()  # the first request is received, then held: its worker stays mid-delivery
    receiver.start()
    cases = [submit(people) for _ in range(2)]
    produce(cases, 20)
    workers.start("doomed")
    wait_for("a delivery held at the receiver", lambda: workers.alive("doomed") and receiver.held.is_set())
    with receiver.lock:
        held_id = receiver.first_seen[0]["id"]
    held = Delivery.objects.get(event__public_id=held_id)
    assert held.state == DeliveryState.SENDING and held.attempts == 1

    workers.kill("doomed")  # SIGKILL while its request is in flight
    receiver.release()
    assert Delivery.objects.get(pk=held.pk).state == DeliveryState.SENDING  # the outcome never got recorded

    workers.start("survivor")
    wait_for("all 20 events at the receiver", lambda: workers.alive("survivor") and len(receiver.seen) >= 20)
    wait_for("every delivery recorded as delivered", all_delivered)

    published = set(OutboxEvent.objects.values_list("public_id", flat=True))
    assert receiver.seen == published  # none lost
    for case in cases:
        assert arrived_order(receiver, case) == expected_order(case)
    redelivered = Delivery.objects.get(pk=held.pk)
    assert redelivered.attempts == 2  # the killed attempt counted, then sent again once its claim ended
    assert receiver.duplicates == 1  # at least once: the receiver's dedupe saw the held event twice
