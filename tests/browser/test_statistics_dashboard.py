"""The dashboards in the browser: the vendored ECharts draws every chart (no CDN, no CSP violation), each number
opens its cases, and the page fits a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lianban.statistics import services
from tests.statistics.kit import three_cases
from tests.workbench.kit import PASSWORD

from .conftest import no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MARCH = "/work/statistics/?start=2025-03-01&end=2025-03-31&grain=day"
CHARTS = ("trend", "ranking", "channels", "five")


def drawn(page) -> None:
    """Every chart of the page drawn by ECharts (a canvas of some size in each chart's box)."""
    for name in CHARTS:
        chart = page.locator(f'[data-chart="{name}"]')
        expect(chart).to_have_attribute("data-drawn", "true")
        canvas = chart.locator("canvas").first
        expect(canvas).to_be_visible()
        box = canvas.bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 150, (name, box)


def test_the_supervisor_dashboard_draws_its_charts_and_links_its_numbers(
    page, phone_page, people, clock, case_rows_wiped_first, login, screenshot
):
    fixture = three_cases(people, clock)
    services.facts_refresh()
    scripts: list[str] = []
    page.on("request", lambda request: scripts.append(request.url) if request.resource_type == "script" else None)
    login(page, "super", PASSWORD)
    page.goto(MARCH)
    expect(page.get_by_role("heading", level=1)).to_have_text("统计")
    drawn(page)
    assert all(url.startswith(page.url.split("/work/")[0]) for url in scripts), scripts  # served by the platform
    assert any(url.endswith("echarts.common.min.js") for url in scripts)
    expect(page.locator('[data-figure="received"] .stat-n')).to_have_text("2")
    screenshot(page, "statistics", full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": 1400})

    page.get_by_label("统计口径").select_option("items")
    page.get_by_role("button", name="显示").click()
    expect(page).to_have_url(re.compile(r"level=items"))
    drawn(page)
    page.locator('[data-figure="overdue"] a').click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("超期件")
    rows = page.locator('[data-list="statistics-cases"] tbody tr')
    expect(rows).to_have_count(2)
    assert sorted(rows.nth(i).get_attribute("data-case") for i in range(2)) == sorted(
        [fixture.a.tracking_code, fixture.b.tracking_code]
    )

    login(phone_page, "super", PASSWORD)
    phone_page.goto(MARCH)
    drawn_on_phone = phone_page.locator('[data-chart="trend"]')
    expect(drawn_on_phone).to_have_attribute("data-drawn", "true")
    width, viewport = no_horizontal_scroll(phone_page)
    assert width <= viewport, (width, viewport)


def test_a_department_sees_its_own_dashboard(page, people, clock, case_rows_wiped_first, login):
    three_cases(people, clock)
    services.facts_refresh()
    login(page, "rev_XF", PASSWORD)
    page.goto(MARCH + "&level=items")
    drawn(page)
    expect(page.locator('[data-figure="received"] .stat-n')).to_have_text("1")
    expect(page.locator('[data-table="departments"] tbody tr')).to_have_count(1)
    expect(page.locator("select[name=department]")).to_have_count(0)  # no department filter for them
