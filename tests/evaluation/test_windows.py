"""A QR code per window opens an anonymous rating page for that window (评价器): signed for the window,
rate-limited per address and window, flagged anonymous, counted apart, reported upstream; a 差评 opens the window's
shortened rectification ticket."""

from __future__ import annotations

import re
from typing import Any

from django.core.cache import cache
from django.core.signing import Signer

import pytest

from lianban.cases.models import CaseEvent
from lianban.catalog.models import Department
from lianban.evaluation.models import Rating, RectificationTicket, UpstreamReport
from lianban.evaluation.selectors import anonymous_window_counts
from lianban.evaluation.services import window_link
from tests.cases.kit import People

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counters() -> None:
    cache.clear()  # the throttle's counters


def link_of(client: Any, code: str) -> str:
    page = client.get("/work/windows/").content.decode()
    row = re.search(rf'<tr data-window="{code}">.*?</tr>', page, re.S)
    assert row is not None, code
    found = re.search(r'href="https?://[^/"]+(/rate/window/[^"]+/)"', row.group(0))
    assert found is not None
    return found.group(1)


def test_the_window_page_gives_each_clerk_their_window_code_and_the_supervisor_every_one(
    people: People, client: Any
) -> None:
    client.force_login(people.clerk)
    page = client.get("/work/windows/").content.decode()
    assert 'data-window="SCJG"' in page and 'data-window="GA"' not in page and "<svg" in page
    assert link_of(client, "SCJG") == f"/rate/window/{window_link(Department.objects.get(code='SCJG'))}/"
    client.force_login(people.supervisor)
    page = client.get("/work/windows/").content.decode()
    assert 'data-window="SCJG"' in page and 'data-window="GA"' in page
    client.force_login(people.reviewer("SCJG"))
    assert client.get("/work/windows/").status_code == 403


def test_an_anonymous_rating_is_flagged_and_reported_apart_and_a_bad_one_opens_the_windows_ticket(
    people: People, client: Any
) -> None:
    client.force_login(people.clerk)
    url = link_of(client, "SCJG")
    client.logout()
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    radios = re.findall(r'<input type="radio" name="level"[^>]*>', page)
    assert len(radios) == 5 and not any("checked" in radio for radio in radios)
    assert "服务效率" in page and "办事效率" not in page  # the window's indicators
    thanks = client.post(url, {"level": "1", "indicators": ["attitude"], "comment": "态度差"})
    assert thanks.status_code == 200 and "data-rate-thanks" in thanks.content.decode()
    client.post(url, {"level": "5"})
    rows = list(Rating.objects.filter(anonymous=True).order_by("id"))
    assert [(r.level, r.channel, r.case_id, r.applicant_id, r.staff_id, r.department.code) for r in rows] == [
        (1, "QR", None, None, None, "SCJG"),
        (5, "QR", None, None, None, "SCJG"),
    ]
    ticket = RectificationTicket.objects.get()  # the 差评's, with the shortened steps (test_anonymous_tickets)
    assert (ticket.rating_id, ticket.case_id, ticket.flow) == (rows[0].pk, None, "ANONYMOUS")
    assert CaseEvent.objects.filter(action="rating.window_given", case__isnull=True).count() == 2
    report = UpstreamReport.objects.get(rating=rows[0])
    assert (report.payload["anonymous"], report.payload["case_number"], report.payload["department"]) == (
        True,
        "",
        "SCJG",
    )
    scjg = Department.objects.get(code="SCJG")
    assert anonymous_window_counts([scjg.pk]) == {scjg.pk: {"total": 2, "good": 1, "bad": 1, "rectified": 0}}
    client.force_login(people.supervisor)
    listed = client.get("/work/windows/").content.decode()
    assert 'data-anonymous-total="2"' in listed and 'data-anonymous-bad="1"' in listed


def test_a_code_the_platform_did_not_sign_is_not_found(people: People, client: Any) -> None:
    assert client.get("/rate/window/SCJG/").status_code == 404
    assert client.get("/rate/window/SCJG:forged/").status_code == 404
    other_purpose = Signer().sign("SCJG")  # signed, but not for a window
    assert client.get(f"/rate/window/{other_purpose}/").status_code == 404
    assert client.post(f"/rate/window/{other_purpose}/", {"level": "5"}).status_code == 404
    assert not Rating.objects.exists()


def test_bad_input_is_refused_with_a_message(people: People, client: Any) -> None:
    url = f"/rate/window/{window_link(Department.objects.get(code='SCJG'))}/"
    for body in ({}, {"level": "9"}, {"level": "x"}, {"level": "2"}):  # a 差评 names an indicator
        answer = client.post(url, body, follow=True)
        assert answer.redirect_chain[0][1] == 303 and 'class="messages' in answer.content.decode(), body
    assert client.post(url, {"level": "5", "comment": "a\x00b"}).status_code == 400
    assert not Rating.objects.exists()


def test_ratings_of_a_window_are_rate_limited_per_address_and_window(
    people: People, client: Any, settings: Any
) -> None:
    settings.LIANBAN_THROTTLE_RATES = {**settings.LIANBAN_THROTTLE_RATES, "window_rating": "2/hour"}
    scjg = f"/rate/window/{window_link(Department.objects.get(code='SCJG'))}/"
    ga = f"/rate/window/{window_link(Department.objects.get(code='GA'))}/"
    assert [client.post(scjg, {"level": "5"}).status_code for _ in range(3)] == [200, 200, 429]
    refused = client.post(scjg, {"level": "5"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert client.post(ga, {"level": "4"}).status_code == 200  # another window
    other = client.post(scjg, {"level": "5"}, REMOTE_ADDR="10.0.0.9")  # another address
    assert other.status_code == 200
    assert Rating.objects.filter(anonymous=True).count() == 4
