"""The documented production layout, run for real on one machine (docs/deploy.md).

nginx (``deploy/nginx.conf``) in front of two gunicorn application processes,
``lianban worker`` as separate processes, PostgreSQL, Redis for the cache and
sessions, SeaweedFS as the S3 object store. A whole case goes through it over
HTTP — the applicant applies with uploads, the window accepts, the departments'
reviewers decide, the window issues — with nginx sending the requests to the
two processes in turn; the uploads are in the bucket and download through
either process; a worker killed in the middle of a task loses nothing.

PostgreSQL only (several processes share the database); a component that is
missing fails the test, it never skips.
"""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path
from typing import Any

from django.db import connection

import pytest
import redis
import requests
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from pytest_django import Settings

from lianban.cases.models import Case, Notification
from lianban.demo.cases import sample_form
from tests.cases.kit import PDF, People
from tests.common import tasks_for_tests
from tests.deploy import tasks_for_deploy
from tests.deploy.stack import REDIS_URL, S3_BUCKET, Stack, database_url, free_ports, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

UPSTREAM = "X-Lianban-Upstream"
THING, ANSWERS = "KFG", {"area": 200}


@pytest.fixture
def quick_hashes(settings: Settings) -> None:
    """Passwords hashed with a hasher the servers (production settings) know, quickly."""
    settings.PASSWORD_HASHERS = ["tests.deploy.stack.QuickPBKDF2PasswordHasher"]


@pytest.fixture
def stack(tmp_path: Path, transactional_db: None, quick_hashes: None, people: People) -> Any:
    """Everything started on 127.0.0.1 against the test database; stopped (and the database flushed) after.

    The catalog and the people (``tests.cases.kit``) are committed to the test database before the servers start.
    """
    assert connection.vendor == "postgresql", "the deployment test runs on PostgreSQL (DATABASE_URL=postgres://…)"
    client = redis.Redis.from_url(REDIS_URL)
    assert client.ping(), f"Redis does not answer at {REDIS_URL}"
    client.flushdb()  # the test's own database number: sessions and cache start empty
    layout = Stack(folder=tmp_path, db_url=database_url(connection.settings_dict), ports=iter(free_ports(13)))
    try:
        layout.start_object_store()
        layout.start_app(1)
        layout.start_app(2)
        layout.start_proxy()
        layout.start_worker("worker1")
        layout.wait_until_serving()
        yield layout
    finally:
        layout.stop_all()
        client.flushdb()


class Browser:
    """One person's HTTP session through nginx; every response notes which application process answered."""

    answered_by: list[tuple[str, str]] = []  # (who, upstream), in order, for every person

    def __init__(self, stack: Stack, username: str | None = None) -> None:
        self.stack = stack
        self.who = username or "anonymous"
        self.session = requests.Session()
        self.session.headers["Accept-Language"] = "en"
        if username is not None:
            self.login(username)

    def call(self, method: str, path: str, *, expect: int = 200, base: str | None = None, **kwargs: Any) -> Any:
        headers = kwargs.pop("headers", {})
        if method != "GET":
            headers["X-CSRFToken"] = self.session.cookies.get("csrftoken", "")
        response = self.session.request(
            method, (base or self.stack.proxy_url) + path, headers=headers, timeout=60, allow_redirects=False, **kwargs
        )
        if base is None:
            assert UPSTREAM in response.headers, f"nginx did not say who answered {path}"
            self.answered_by.append((self.who, response.headers[UPSTREAM]))
        assert response.status_code == expect, (method, path, response.status_code, response.text[:800])
        return response

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.call("GET", path, **kwargs).json()

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.call("POST", path, json=body if body is not None else {}, **kwargs).json()

    def login(self, username: str) -> None:
        self.call("GET", "/accounts/login/")
        form = {
            "username": username,
            "password": "x",  # tests.cases.kit.make_user's
            "csrfmiddlewaretoken": self.session.cookies["csrftoken"],
        }
        self.call("POST", "/accounts/login/", data=form, expect=302)
        assert "sessionid" in self.session.cookies


def test_a_case_goes_through_two_application_processes_an_object_store_and_a_killed_worker(
    stack: Stack, people: People, settings: Settings, tmp_path: Path
) -> None:
    Browser.answered_by = []
    anonymous = Browser(stack)
    applicant = Browser(stack, people.applicant_user.username)
    clerk = Browser(stack, people.clerk.username)
    supervisor = Browser(stack, people.supervisor.username)

    # ---- the applicant applies, with an upload for every material to hand in
    plan = anonymous.post(f"/api/things/{THING}/plan", {"answers": ANSWERS})
    case = applicant.post(
        "/api/cases/",
        {"applicant": people.applicant.pk, "thing": THING, "answers": ANSWERS, "form": sample_form(plan["fields"])},
        expect=201,
    )
    case_id, code = case["id"], case["code"]
    to_submit = [m["code"] for m in case["materials"] if m["provenance"] == "submit"]
    assert to_submit
    uploaded: dict[str, bytes] = {}
    for material in to_submit:
        content = PDF + f"% {code} {material}\n".encode()
        files = {"file": (f"{material}.pdf", content, "application/pdf")}
        stored = applicant.call("POST", f"/api/cases/{case_id}/materials/{material}", files=files).json()
        assert (stored["state"], stored["file"]["content_type"]) == ("RECEIVED", "application/pdf")
        uploaded[material] = content

    # ---- the uploads are objects in the bucket, not files of either process
    s3 = stack.s3()
    keys = [
        o["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=S3_BUCKET)
        for o in page.get("Contents", [])
    ]
    bodies = {s3.get_object(Bucket=S3_BUCKET, Key=key)["Body"].read() for key in keys}
    assert set(uploaded.values()) <= bodies
    for number in (1, 2):
        media = tmp_path / f"data-app{number}" / "media"
        assert not media.exists() or not any(p.is_file() for p in media.rglob("*")), f"app{number} kept files"

    # ---- and download through either process (straight to each, and through nginx)
    for (material, content), base in zip(uploaded.items(), itertools.cycle([*stack.app_urls, None]), strict=False):
        assert clerk.call("GET", f"/api/cases/{case_id}/materials/{material}", base=base).content == content
    for base in stack.app_urls:
        assert clerk.call("GET", f"/api/cases/{case_id}/materials/{material}", base=base).content == content

    # ---- the window checks every material and accepts
    checks = [{"material": m, "result": "OK", "reason": ""} for m in to_submit]
    clerk.post(f"/api/cases/{case_id}/checks", {"checks": checks})
    assert clerk.post(f"/api/cases/{case_id}/accept", {})["state"] == "IN_PROGRESS"

    # ---- each department's reviewer decides its items, stage after stage
    decided: list[str] = []
    reviewers: dict[str, Browser] = {}
    for _ in range(10):
        items = supervisor.get(f"/api/cases/{case_id}")["items"]
        open_items = [i for i in items if i["state"] in ("DISPATCHED", "IN_REVIEW")]
        if not open_items:
            break
        for item in open_items:
            department = item["department"]["code"]
            if department not in reviewers:
                reviewers[department] = Browser(stack, people.reviewer(department).username)
            reviewer = reviewers[department]
            if item["state"] == "DISPATCHED":
                reviewer.post(f"/api/item-cases/{item['id']}/accept")
            number = f"DEPLOY-{item['code']}"
            reviewer.post(f"/api/item-cases/{item['id']}/approve", {"licence_number": number, "valid_until": None})
            decided.append(item["code"])
    assert sorted(decided) == sorted(i["code"] for i in case["items"])
    assert supervisor.get(f"/api/cases/{case_id}")["state"] == "READY"

    # ---- one bill, paid; everything issued at once
    bill = clerk.get(f"/api/cases/{case_id}/bill")
    assert bill["status"] in ("OPEN", "NO_FEE")
    if bill["status"] == "OPEN":
        assert clerk.post(f"/api/cases/{case_id}/bill/pay", {"reference": "POS-DEPLOY-1"})["status"] == "PAID"
    issued = clerk.post(f"/api/cases/{case_id}/issue", {"method": "PICKUP"})
    assert len(issued["documents"]) == len(decided)
    assert anonymous.get(f"/api/track/{code.lower().replace('-', '')}")["state"] == "ISSUED"
    assert applicant.get(f"/api/cases/{case_id}")["state"] == "ISSUED"

    # ---- nginx sent the requests to the two processes in turn; every person used both (one session)
    upstreams = [upstream for _, upstream in Browser.answered_by]
    assert set(upstreams) == {url.removeprefix("http://") for url in stack.app_urls}
    assert all(a != b for a, b in itertools.pairwise(upstreams)), upstreams
    per_person = Counter(who for who, _ in Browser.answered_by)
    for who in per_person:
        assert {u for w, u in Browser.answered_by if w == who} == set(upstreams), who
    # the sessions live in Redis (cached_db: the cache first, the database behind it)
    signed_in = set(per_person) - {"anonymous"}
    sessions = list(redis.Redis.from_url(REDIS_URL).scan_iter(match="*django.contrib.sessions.cached_db*"))
    assert len(sessions) >= len(signed_in) >= 4

    # ---- the separate worker sent the case's notifications
    notes = Notification.objects.filter(case=Case.objects.get(pk=case_id))
    assert notes.exists()
    wait_for("every notification sent by the worker", lambda: not notes.filter(sent_at__isnull=True).exists())

    # ---- a worker killed in the middle of a task loses nothing
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    marks = tmp_path / "held"
    marks.mkdir()
    held = tasks_for_deploy.hold.enqueue(str(marks))
    wait_for("worker1 running the held task", lambda: list(marks.glob("started-*")))
    assert DBTaskResult.objects.get(id=held.id).status == TaskResultStatus.RUNNING
    stack.kill("worker1")
    queued_meanwhile = tasks_for_tests.add.enqueue(20, 22)
    (marks / "release").touch()
    stack.start_worker("worker2")
    done = wait_for(
        "the held task finished by worker2",
        lambda: (
            stack.alive("worker2")
            and DBTaskResult.objects.filter(id=held.id, status=TaskResultStatus.SUCCESSFUL).first()
        ),
    )
    assert done.worker_ids == ["deploy-test-worker1", "deploy-test-worker2"]
    assert done.return_value == 2  # started twice: cut short once, then run to the end
    assert len(list(marks.glob("started-*"))) == 2
    other = wait_for(
        "the task queued while no worker ran",
        lambda: DBTaskResult.objects.filter(id=queued_meanwhile.id, status=TaskResultStatus.SUCCESSFUL).first(),
    )
    assert other.return_value == 42
