"""The department workbench in the browser: the queue by due date, an item case, its approval with a result."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lianban.cases.models import CaseMaterial, ItemCase
from lianban.licences.models import Licence
from tests.cases.kit import PDF
from tests.workbench.kit import PASSWORD, accepted, approve, item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reviewer_takes_and_approves_an_item_with_its_result(
    page, people, clock, case_rows_wiped_first, login, screenshot
):
    case = accepted(people)
    approve(people, item(case, "SCJG-GSSL"), number="91110000MA00000001")
    hygiene = item(case, "WJ-GGWS")
    login(page, "rev_WJ", PASSWORD)

    page.goto("/work/")
    expect(page).to_have_url(re.compile(r"/work/department/$"))
    row = page.locator('[data-list="department"] tr[data-item="WJ-GGWS"]')
    expect(row.locator(".due")).to_have_text("正常")
    expect(page.locator('[data-list="department"] tbody tr')).to_have_count(1)  # other departments' items are not here
    row.get_by_role("link", name="公共场所卫生许可").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("公共场所卫生许可")
    licence = page.locator('tr[data-material="YYZZ"]')
    expect(licence).to_have_attribute("data-provenance", "produced")
    expect(licence).to_contain_text("由“公司设立登记”（市场监督管理局）产生")
    expect(licence).to_contain_text("已收到")
    expect(page.locator('tr[data-material="GGWSSQB"]')).to_contain_text("申请人提交")
    page.get_by_role("button", name="受理", exact=True).click()
    expect(page.locator(".message")).to_have_text("已受理本事项，开始计时。")
    expect(page.locator("[data-state]").first).to_have_text("审查中")
    screenshot(page, "department-case", full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": 1300})

    page.get_by_label("证照编号").fill("卫公证字〔2025〕第001号")
    page.get_by_label("有效期至").fill("2029-03-02")
    page.get_by_label("结果文书（PDF、JPEG、PNG 或 OFD）").set_input_files(
        {"name": "许可证.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="批准", exact=True).click()
    expect(page.locator(".message")).to_contain_text("已批准本事项")
    expect(page.locator("[data-state]").first).to_have_text("已准予")
    expect(page.get_by_text("卫公证字〔2025〕第001号", exact=True)).to_be_visible()

    hygiene = ItemCase.objects.get(pk=hygiene.pk)
    assert hygiene.state == "APPROVED" and hygiene.licence_number == "卫公证字〔2025〕第001号"
    assert Licence.objects.get(item_case=hygiene).valid_until.isoformat() == "2029-03-02"
    document = page.request.get(page.get_by_role("link", name="查看文件").last.get_attribute("href"))
    assert document.status == 200 and document.body() == PDF
    assert CaseMaterial.objects.filter(case=case, code="YYZZ", state="RECEIVED").exists()

    other = item(case, "SCJG-SPJY")
    assert page.request.get(f"/work/department/items/{other.pk}/").status == 404
