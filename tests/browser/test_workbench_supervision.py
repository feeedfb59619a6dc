"""The supervisor's page in the browser: overdue and due-soon items, every case with filters."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lianban.supervision.services import deadline_sweep
from tests.cases.kit import submit
from tests.workbench.kit import PASSWORD, accepted, approve, item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_supervisor_sees_what_is_late_and_filters_the_cases(
    page, people, clock, case_rows_wiped_first, login, screenshot
):
    late = accepted(people)
    approve(people, item(late, "SCJG-GSSL"))  # stage 2 starts: 户外广告 (2 days), 公共场所卫生 (3 days)…
    waiting = submit(people)
    clock.working_days(3)
    deadline_sweep()
    login(page, "super", PASSWORD)

    page.goto("/work/")
    expect(page).to_have_url(re.compile(r"/work/supervision/$"))
    overdue = page.locator('[data-list="overdue"] tbody tr')
    expect(overdue.filter(has_text="户外广告设置审批").locator(".due")).to_have_text("已超期")
    soon = page.locator('[data-list="due-soon"] tbody tr')
    expect(soon.filter(has_text="公共场所卫生许可").locator(".due")).to_have_text("即将到期")
    expect(page.locator('[data-list="cases"] tbody tr')).to_have_count(2)
    screenshot(page, "supervision", full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": 1250})

    # with the keyboard alone: Space ticks the box, Tab reaches the button, Enter sends the form
    page.get_by_label("只看有超期事项的办件").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="筛选")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"overdue=on"))
    rows = page.locator('[data-list="cases"] tbody tr')
    expect(rows).to_have_count(1)
    expect(rows).to_have_attribute("data-case", late.tracking_code)

    page.get_by_role("link", name="清除条件").click()
    page.get_by_label("状态").select_option(label="新申请，待受理")
    page.get_by_role("button", name="筛选").click()
    expect(rows).to_have_count(1)
    expect(rows).to_have_attribute("data-case", waiting.tracking_code)

    rows.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我要开酒店、宾馆")
    expect(page.get_by_text("您可以查看本办件；只有牵头部门的窗口可以办理。")).to_be_visible()
    expect(page.get_by_role("button", name="保存核验结果")).to_have_count(0)
