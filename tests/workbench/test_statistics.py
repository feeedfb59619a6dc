"""The dashboards through the Django test client: the fixture's figures, each number linking to its cases,
department staff pinned to their department, constant statements."""

from __future__ import annotations

import json
import re
from html import unescape

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from lianban.statistics import services
from tests.cases.kit import People
from tests.statistics.kit import three_cases
from tests.supervision.test_supervision import accepted

pytestmark = pytest.mark.django_db
MARCH = "start=2025-03-01&end=2025-03-31&grain=day"


def figure(html: str, metric: str) -> tuple[int, str]:
    """The number of a card and the drill-down link it carries."""
    found = re.search(rf'data-figure="{metric}"><a href="([^"]+)"><span class="stat-n">(\d+)</span>', html)
    assert found, metric
    return int(found.group(2)), unescape(found.group(1))


def listed(html: str) -> list[tuple[str, str]]:
    """(tracking code, item code) of the rows of the drill-down list."""
    return re.findall(r'<tr data-case="(\w+)"(?: data-item="([\w-]+)")?>', html)


def test_the_supervisor_dashboard_shows_the_fixture_and_links_each_number(people: People, clock, signed_in) -> None:
    fixture = three_cases(people, clock)
    services.facts_refresh()
    client = signed_in(people.supervisor)
    html = client.get(f"/work/statistics/?{MARCH}").content.decode()
    assert "统计" in html and "五减" in html
    assert figure(html, "received")[0] == 2
    assert figure(html, "finished")[0] == 1
    assert figure(html, "overdue")[0] == 2
    charts = json.loads(
        re.search(r'<script id="statistics-charts" type="application/json">(.*?)</script>', html, re.S).group(1)
    )
    assert charts["trend"]["periods"][:3] == ["2025-03-01", "2025-03-02", "2025-03-03"]
    assert charts["trend"]["received"][:3] == [0, 0, 2]
    assert sum(charts["trend"]["finished"]) == 1
    assert charts["channels"][0]["value"] == 2
    assert charts["five"][0]["days_realised"] == 7
    assert 'data-chart="trend"' in html and "echarts.common.min.js" in html

    items = client.get(f"/work/statistics/?{MARCH}&level=items").content.decode()
    count, link = figure(items, "overdue")
    assert count == 2
    rows = listed(client.get(link).content.decode())
    assert sorted(rows) == sorted([(fixture.a.tracking_code, "SCJG-SPJY"), (fixture.b.tracking_code, "SCJG-GSSL")])
    assert 'data-table="heat"' in items
    heat = items[items.index('data-table="heat"') :]
    cells = re.findall(r'<td class="heat heat-\d"><a href="([^"]+)">(\d+)</a>', heat)
    assert sorted(int(n) for _, n in cells) == [1, 1]
    for link, n in cells:  # each cell opens exactly its cases
        assert len(listed(client.get(unescape(link)).content.decode())) == int(n)


def test_department_staff_see_their_department_only(people: People, clock, signed_in) -> None:
    three_cases(people, clock)
    services.facts_refresh()
    client = signed_in(people.reviewer("XF"))
    html = client.get(f"/work/statistics/?{MARCH}&level=items&department=SCJG").content.decode()
    assert figure(html, "received")[0] == 1
    assert '<select name="department"' not in html  # no department filter for them
    _, link = figure(html, "received")
    assert [item for _, item in listed(client.get(link).content.decode())] == ["XF-JCXK"]
    window_clerk = signed_in(people.window)  # a clerk without a department
    assert window_clerk.get("/work/statistics/").status_code == 403
    assert signed_in(people.applicant_user).get("/work/statistics/").status_code == 403


def test_the_pages_cost_the_same_for_more_cases(people: People, clock, signed_in) -> None:
    client = signed_in(people.supervisor)

    def statements(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    accepted(people)
    services.facts_refresh()
    statements(f"/work/statistics/?{MARCH}")  # the session and the caches warm
    few = (statements(f"/work/statistics/?{MARCH}"), statements(f"/work/statistics/cases/?{MARCH}&metric=received"))
    for _ in range(4):
        accepted(people)
    services.facts_refresh()
    many = (statements(f"/work/statistics/?{MARCH}"), statements(f"/work/statistics/cases/?{MARCH}&metric=received"))
    assert few == many
