"""The window workbench in the browser: the queue, then intake ending in a one-time correction notice."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lianban.cases.models import Case
from lianban.core.tracking import format_code
from tests.cases.kit import submit
from tests.workbench.kit import PASSWORD, pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_intake_ends_with_one_correction_notice_listing_every_problem(
    page, people, clock, case_rows_wiped_first, login, screenshot
):
    older = submit(people)
    clock.working_days(1)
    case = submit(people, skip=["GSZC"])
    login(page, "clerk", PASSWORD)

    page.goto("/work/")
    expect(page).to_have_url(re.compile(r"/work/window/$"))
    rows = page.locator('[data-list="intake"] tbody tr')
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_have_attribute("data-case", older.tracking_code)  # the longest waiting first
    expect(rows.nth(1).locator(".due")).to_have_text("正常")
    screenshot(page, "window-queue")

    page.get_by_role("link", name=format_code(case.tracking_code)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我要开酒店、宾馆")
    expect(page.locator("[data-state]").first).to_have_text("新申请，待受理")
    produced = page.locator('[data-list="not-submitted"] tr[data-material="YYZZ"]')
    expect(produced).to_contain_text("由“公司设立登记”（市场监督管理局）产生")

    missing = page.locator('tr[data-material="GSZC"]')
    expect(missing).to_contain_text("无文件")
    missing.get_by_label("缺少", exact=True).check()
    missing.get_by_label("缺少或有误时须说明").fill("未提交公司章程")
    wrong = page.locator('tr[data-material="DZFW"]')
    wrong.get_by_label("有误或不完整").check()
    wrong.get_by_label("缺少或有误时须说明").fill("租赁合同未盖章")
    page.locator('tr[data-material="GSDJSQS"]').get_by_label("纸质原件已核验").check()
    page.get_by_role("button", name="保存核验结果").click()

    expect(page.locator(".message")).to_have_text("已保存 3 项核验。")
    problems = page.locator('[data-list="problems"] li')
    expect(problems).to_have_count(2)
    expect(problems.nth(0)).to_contain_text("未提交公司章程")
    expect(page.locator('tr[data-material="GSDJSQS"]').get_by_label("正确", exact=True)).to_be_checked()
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "intake", full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": 1400})

    page.get_by_role("button", name="发出一次性告知").click()
    expect(page.locator(".message")).to_contain_text("已向申请人发出一次性告知")
    expect(page.locator("[data-state]").first).to_have_text("等待申请人补正")
    assert Case.objects.get(pk=case.pk).state == "CORRECTION_REQUESTED"

    link = page.get_by_role("link", name="一次性告知书（第 1 轮，PDF）")
    response = page.request.get(link.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body())
    for expected in (
        format_code(case.tracking_code),
        "补正材料一次性告知书",
        "公司章程",
        "未提交公司章程",
        "租赁合同未盖章",
    ):
        assert expected in text

    page.get_by_role("link", name="综合窗口").first.click()
    expect(page.locator('[data-list="correction"] tbody tr')).to_have_attribute("data-case", case.tracking_code)
