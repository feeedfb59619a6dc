"""Public tracking served from the cache never shows a stale state, answers 304 to a matching ETag, shows no personal data.

After every kind of change (each service call of a journey, a deadline
sweep on a later day, a calendar override, a renamed department, another
language) the answer ``GET /api/track/{code}`` serves — with the cache warm
from the request before — must equal the answer computed afresh from the
database, and the ETag of the answer before must no longer match.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation

import pytest
from rest_framework.renderers import JSONRenderer

from lianban.api.serializers import TrackSerializer
from lianban.cases import track_local
from lianban.cases.models import Case
from lianban.cases.selectors import case_progress, track
from lianban.cases.services import case_material_upload, case_resubmit, case_withdraw
from lianban.catalog.services import CatalogFile
from lianban.core.tracking import format_code
from lianban.intake.services import MaterialPromise, intake_accept, intake_refuse, intake_request_correction
from lianban.issuance.services import bill_mark_paid, case_issue
from lianban.review.services import (
    item_case_approve,
    item_case_reject,
    item_case_request_supplement,
    item_case_supply,
    item_case_take,
)
from lianban.supervision.services import deadline_sweep
from lianban.workdays.services import day_override_set
from tests.cases.kit import SAMPLE_PERSONAL, FrozenClock, People, check_all, fresh, import_catalog, items, pdf, submit

# Real commits: with a shared cache, generations are renewed by on-commit callbacks.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("case_rows_wiped_first")]


MODES = ["per-process-cache", "shared-cache", "listening"]


@pytest.fixture(autouse=True, params=MODES)
def cache_mode(request: pytest.FixtureRequest) -> Iterator[str]:
    """Every way of serving: stamp read from the database each time, cached under generations (shared
    cache), or kept in the process and forgotten as PostgreSQL notifies changes (``cases.track_local``)."""
    mode = request.param
    if mode == "listening" and connection.vendor != "postgresql":
        pytest.skip("notifications are PostgreSQL's (the PostgreSQL pass runs this mode)")
    cache.clear()
    with override_settings(LIANBAN_CACHE_SHARED=mode == "shared-cache", LIANBAN_TRACK_LISTEN=mode == "listening"):
        if mode == "listening":
            assert track_local.enabled()
            assert track_local.STAMPS.sync(), "the tracking listener does not listen"
        yield mode
    track_local.STAMPS.stop()  # its connection would keep the test database from being dropped
    cache.clear()


def heard() -> None:
    """In the listening mode: wait until the process has heard every change committed so far."""
    if track_local.enabled():
        assert track_local.STAMPS.sync(), "a committed change was not heard"


def afresh(case: Case) -> Any:
    """The answer computed from the database, without the cache."""
    return json.loads(JSONRenderer().render(TrackSerializer(case_progress(fresh(case))).data))


class Watcher:
    """Asks for the tracking answer after each change, as a client that keeps the last ETag would."""

    def __init__(self, client: Client, case: Case) -> None:
        self.client = client
        self.case = case
        self.url = f"/api/track/{format_code(case.tracking_code)}"
        self.etag = ""
        self.seen = 0

    def get(self, **headers: str) -> Any:
        return self.client.get(self.url, headers=headers)

    def check(self, step: str) -> None:
        """The served answer equals a fresh one; the previous ETag no longer matches; the new one does."""
        heard()
        if self.etag:
            response = self.get(If_None_Match=self.etag)
            assert response.status_code == 200, f"after {step}: 304 for a changed case"
        else:
            response = self.get()
            assert response.status_code == 200
        assert response.json() == afresh(self.case), f"after {step}: stale tracking answer"
        assert response["Cache-Control"] == "private, no-cache"
        etag = response["ETag"]
        assert etag != self.etag, f"after {step}: the ETag did not change"
        assert self.get().json() == response.json()  # served again, now from the cache
        not_modified = self.get(If_None_Match=etag)
        assert not_modified.status_code == 304
        assert not_modified.content == b""
        assert not_modified["ETag"] == etag
        self.etag = etag
        self.seen += 1


def test_every_step_of_a_journey_is_served_fresh_and_304_only_while_unchanged(
    client: Client, people: People, clock: FrozenClock
) -> None:
    case = submit(people, skip=["GSZC", "WSJC"])
    watch = Watcher(client, case)
    watch.check("submission")
    check_all(people, case, results={"GSZC": ("MISSING", "未提交"), "WSJC": ("OK", "")})
    watch.check("intake checks")
    intake_request_correction(actor=people.clerk, case_id=case.pk)
    watch.check("correction notice")
    case_material_upload(actor=people.applicant_user, case_id=case.pk, material_code="GSZC", file=pdf("zc.pdf"))
    watch.check("upload")
    case_resubmit(actor=people.applicant_user, case_id=case.pk)
    watch.check("resubmission")
    check_all(people, case, results={"WSJC": ("MISSING", "尚未出具")})
    intake_accept(actor=people.clerk, case_id=case.pk, promises={"WSJC": MaterialPromise(date(2025, 3, 20), "承诺")})
    watch.check("acceptance with a promise")

    gssl = items(case)["SCJG-GSSL"]
    item_case_take(actor=people.reviewer("SCJG"), item_case_id=gssl.pk)
    watch.check("take")
    item_case_approve(actor=people.reviewer("SCJG"), item_case_id=gssl.pk, licence_number="YYZZ-1")
    watch.check("approval (next stage dispatched, one item held)")

    spjy = items(case)["SCJG-SPJY"]
    item_case_take(actor=people.reviewer("SCJG"), item_case_id=spjy.pk)
    item_case_request_supplement(actor=people.reviewer("SCJG"), item_case_id=spjy.pk, reason="布局图不清晰")
    watch.check("supplement request")
    clock.working_days(2)
    watch.check("two working days later (due statuses count from today)")
    item_case_supply(actor=people.applicant_user, item_case_id=spjy.pk, note="已补", file=pdf("plan.pdf"))
    watch.check("supply")
    case_material_upload(actor=people.applicant_user, case_id=case.pk, material_code="WSJC", file=pdf("wsjc.pdf"))
    watch.check("promised material handed in (hold released)")

    clock.working_days(10)
    watch.check("ten working days later")
    deadline_sweep()
    watch.check("deadline sweep")
    day_override_set(day=clock.today(), is_working_day=False, note="临时休息")
    watch.check("calendar override")

    renamed = CatalogFile("rename.yaml", b"format: lianban-catalog/1\ndepartments:\n  - {code: SCJG, name: RENAMED}\n")
    import_catalog(renamed)
    watch.check("department renamed in the catalog")
    assert "RENAMED" in json.dumps(watch.get().json())

    zh = watch.get(Accept_Language="zh-hans")
    en = watch.get(Accept_Language="en")
    assert zh.status_code == en.status_code == 200
    assert zh["ETag"] != en["ETag"]  # the labels differ: another answer, another tag
    assert en.json()["state_label"] != zh.json()["state_label"]
    with translation.override("en"):
        assert en.json() == afresh(case)
    assert "Accept-Language" in zh["Vary"]

    for code, item in items(case).items():
        if item.state in ("DISPATCHED", "IN_REVIEW"):
            reviewer = people.reviewer(item.department.code)
            if item.state == "DISPATCHED":
                item_case_take(actor=reviewer, item_case_id=item.pk)
            if code == "GA-TZHY":
                item_case_reject(actor=reviewer, item_case_id=item.pk, reason="不符合条件")
                watch.check("rejection")
            else:
                item_case_approve(actor=reviewer, item_case_id=item.pk, licence_number=f"N-{code}")
                watch.check(f"approval of {code}")
    for _ in range(5):  # later stages start by themselves
        running = [i for i in items(case).values() if i.state in ("DISPATCHED", "IN_REVIEW")]
        for item in running:
            reviewer = people.reviewer(item.department.code)
            if item.state == "DISPATCHED":
                item_case_take(actor=reviewer, item_case_id=item.pk)
            item_case_approve(actor=reviewer, item_case_id=item.pk, licence_number=f"N-{item.item_code}")
            watch.check(f"approval of {item.item_code}")
    case = fresh(case)
    assert case.state == "READY"
    if hasattr(case, "bill") and case.bill.status == "OPEN":
        bill_mark_paid(actor=people.clerk, case_id=case.pk, reference="POS-1")
        watch.check("payment")
    case_issue(actor=people.clerk, case_id=case.pk, method="PICKUP")
    watch.check("issuance")
    assert fresh(case).state == "ISSUED"
    assert watch.seen > 20


def test_withdrawal_and_refusal_are_served_fresh(client: Client, people: People, clock: FrozenClock) -> None:
    withdrawn = submit(people)
    watch = Watcher(client, withdrawn)
    watch.check("submission")
    case_withdraw(actor=people.applicant_user, case_id=withdrawn.pk, reason="不办了")
    watch.check("withdrawal")
    assert watch.get().json()["state"] == "WITHDRAWN"

    refused = submit(people)
    watch = Watcher(client, refused)
    watch.check("submission")
    intake_refuse(actor=people.clerk, case_id=refused.pk, reason="不属于受理范围")
    watch.check("refusal")
    assert watch.get().json()["state"] == "REFUSED"


def test_tracking_shows_no_personal_data_and_unknown_codes_answer_404(
    client: Client, people: People, clock: FrozenClock
) -> None:
    case = submit(people)
    response = client.get(f"/api/track/{case.tracking_code}")
    assert response.status_code == 200
    text = response.content.decode()
    for personal in (*SAMPLE_PERSONAL, people.applicant.name, people.applicant.id_number):
        assert personal not in text
    assert client.get("/api/track/0000-0000-0000").status_code == 404
    assert client.get("/api/track/not-a-code").status_code == 404
    assert client.get("/api/track/0000-0000-0000", headers={"If-None-Match": '"x"'}).status_code == 404


def test_the_tracking_page_shares_the_cached_answer_and_follows_changes(
    client: Client, people: People, clock: FrozenClock
) -> None:
    case = submit(people)
    assert track(case.tracking_code) == case_progress(fresh(case))
    page = client.get(f"/track/{format_code(case.tracking_code)}/")
    assert page.status_code == 200
    check_all(people, case)
    intake_accept(actor=people.clerk, case_id=case.pk)
    heard()
    assert track(case.tracking_code) == case_progress(fresh(case))
    assert track(case.tracking_code)["state"] == "IN_PROGRESS"  # type: ignore[index]


def test_with_a_shared_cache_a_repeated_request_reads_no_database(
    client: Client, people: People, clock: FrozenClock, cache_mode: str
) -> None:
    case = submit(people)
    url = f"/api/track/{case.tracking_code}"
    heard()
    first = client.get(url)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)
        not_modified = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.content == first.content
    assert not_modified.status_code == 304
    # the database-read mode reads the stamp once per request; the others keep it
    assert len(queries) == (2 if cache_mode == "per-process-cache" else 0)
    check_all(people, case)  # locks the case: renews its generation on commit
    intake_accept(actor=people.clerk, case_id=case.pk)
    heard()
    with CaptureQueriesContext(connection) as queries:
        changed = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert changed.status_code == 200
    assert changed.json()["state"] == "IN_PROGRESS"
    assert len(queries) > 0
