"""Every rating is reported upstream (the provincial/national 好差评 system) through 好差评's own outbox: the
payload names 办件编号, 事项编码, the department, region, channel, level and time; a refused or unanswered
report is retried until accepted. Against a real HTTP receiver started by the test (nothing of the sending
code is mocked)."""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from lianban.cases.models import ItemCase
from lianban.core import webhooks
from lianban.core.evaluation import report_delay
from lianban.evaluation import services as ev
from lianban.evaluation.models import UpstreamReport
from lianban.evaluation.services.reporting import reports_run
from tests.cases.kit import FrozenClock, People
from tests.evaluation.kit import issued

pytestmark = pytest.mark.django_db

SECRET = webhooks.secret_new()


def free_port() -> int:
    """A free port from ``LIANBAN_TEST_PORT_BASE`` + 50 upwards when set (a shared machine), else any."""
    base = os.environ.get("LIANBAN_TEST_PORT_BASE")
    candidates = range(int(base) + 50, int(base) + 100) if base else [0]
    for port in candidates:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(probe.getsockname()[1])
    pytest.fail("no free port (LIANBAN_TEST_PORT_BASE)")


class Upstream:
    """The upstream system: verifies the signature, refuses the first ``refuse`` requests (503), then accepts."""

    def __init__(self, port: int, refuse: int = 0) -> None:
        self.port, self.refuse = port, refuse
        self.lock = threading.Lock()
        self.requests = 0
        self.accepted: list[dict[str, Any]] = []
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/haochaping"

    def answer(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            self.requests += 1
            try:
                webhooks.verify(SECRET, headers, body)
            except webhooks.WebhookVerificationError:
                return 401
            if self.requests <= self.refuse:
                return 503
            self.accepted.append(json.loads(body))
            return 200

    def start(self) -> None:
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                self.send_response(upstream.answer(dict(self.headers.items()), body))
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def upstream(settings: Any) -> Iterator[Upstream]:
    server = Upstream(free_port())
    settings.LIANBAN_RATING_UPSTREAM_URL = server.url
    settings.LIANBAN_RATING_UPSTREAM_SECRET = SECRET
    settings.LIANBAN_RATING_UPSTREAM_REGION = "420100"
    settings.LIANBAN_WEBHOOK_RETRY_SECONDS = [0.0]  # due again at once: the test runs the worker itself
    settings.LIANBAN_WEBHOOK_TIMEOUT_SECONDS = 2.0
    yield server
    server.stop()


def rate_an_item(people: People, clock: FrozenClock) -> UpstreamReport:
    case = issued(people, clock)
    item = ItemCase.objects.get(case=case, item_code="SCJG-GSSL")
    rating = ev.rating_give(
        actor=people.applicant_user,
        case_id=case.pk,
        item_case_id=item.pk,
        given=ev.Given(level=2, indicators=["efficiency"]),
    )
    return UpstreamReport.objects.get(rating=rating)


def test_each_rating_is_reported_with_the_fields_upstream_wants(
    people: People, clock: FrozenClock, upstream: Upstream
) -> None:
    report = rate_an_item(people, clock)
    ev.rating_give(
        actor=people.applicant_user, case_id=report.rating.case_id, item_case_id=None, given=ev.Given(level=5)
    )
    upstream.start()
    assert reports_run(budget_seconds=10) == 2
    case = report.rating.case
    first, whole = sorted(upstream.accepted, key=lambda p: p["id"])
    assert {k: first[k] for k in ("case_number", "item_code", "department", "region", "channel", "level")} == {
        "case_number": f"{case.tracking_code}-SCJG-GSSL",
        "item_code": "SCJG-GSSL",
        "department": "SCJG",
        "region": "420100",
        "channel": "PORTAL",
        "level": 2,
    }
    assert datetime.fromisoformat(first["time"]) == report.rating.rated_at and first["bad"] is True
    assert (whole["case_number"], whole["item_code"], whole["level"]) == (case.tracking_code, case.thing.code, 5)
    assert "武汉联办酒店有限公司" not in json.dumps(upstream.accepted, ensure_ascii=False)  # nothing personal
    assert set(UpstreamReport.objects.values_list("state", flat=True)) == {"ACCEPTED"}
    assert reports_run(budget_seconds=10) == 0  # accepted: never sent again


def test_a_refused_report_is_retried_until_the_upstream_system_accepts_it(
    people: People, clock: FrozenClock, upstream: Upstream, settings: Any
) -> None:
    report = rate_an_item(people, clock)
    upstream.refuse = 10**6  # refuses (503) whatever comes…
    upstream.start()
    assert reports_run(budget_seconds=0.5) == 0
    report.refresh_from_db()
    refused = report.attempts
    # more refusals than the retry schedule has delays, and the report is still waiting (never given up)
    assert refused > len(settings.LIANBAN_WEBHOOK_RETRY_SECONDS) and upstream.requests == refused
    assert (report.state, report.last_status, report.last_error) == ("PENDING", 503, "HTTP 503")
    upstream.refuse = 0  # … and accepts later
    assert reports_run(budget_seconds=10) == 1
    report.refresh_from_db()
    assert (report.state, report.attempts, report.last_status) == ("ACCEPTED", refused + 1, 200)
    assert len(upstream.accepted) == 1 and upstream.accepted[0]["id"] == f"rating-{report.rating_id}"
    assert reports_run(budget_seconds=1) == 0 and upstream.requests == refused + 1


def test_an_unreachable_upstream_system_keeps_the_report_until_it_answers(
    people: People, clock: FrozenClock, upstream: Upstream
) -> None:
    report = rate_an_item(people, clock)
    assert reports_run(budget_seconds=0.2) == 0  # nothing listens yet: connection refused
    report.refresh_from_db()
    assert (report.state, report.last_status) == ("PENDING", None) and report.attempts >= 1
    assert "ConnectionRefused" in report.last_error or "URLError" in report.last_error
    upstream.start()
    assert reports_run(budget_seconds=10) == 1
    report.refresh_from_db()
    assert report.state == "ACCEPTED" and report.accepted_at is not None and report.last_status == 200


def test_without_an_upstream_url_the_reports_wait(people: People, clock: FrozenClock, settings: Any) -> None:
    settings.LIANBAN_RATING_UPSTREAM_URL = ""
    report = rate_an_item(people, clock)
    assert reports_run() == 0
    report.refresh_from_db()
    assert (report.state, report.attempts) == ("PENDING", 0)


def test_the_delay_after_the_schedule_repeats_its_last_step() -> None:
    assert [report_delay(n, [5.0, 300.0]) for n in (1, 2, 3, 10)] == [5.0, 300.0, 300.0, 300.0]
    assert report_delay(4, []) == 60.0
    with pytest.raises(ValueError):
        report_delay(0, [5.0])
