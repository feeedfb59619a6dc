"""我要开酒店、宾馆 from the application to the results, through the pages, with every role.

The applicant applies (guide → form → uploads → submit); the window sends one correction notice; the
applicant resupplies and resubmits; the window accepts with one 容缺 promise; the departments decide
their items (one asks for a supplement, which the applicant answers) and the later stages start by
themselves; the applicant supplies the promised material; the window marks the bill paid and issues;
the applicant sees the results and the public tracking page says the case is done. Each person has a
browser context of their own; nothing is done behind the pages' back.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lianban.cases.models import Case, CaseEvent, ItemCase
from lianban.core.tracking import normalise_code
from tests.cases.kit import HOTEL_STAGES, PDF
from tests.workbench.kit import PASSWORD, pdf_text

from .conftest import TIMEOUT_MS, csp_watch
from .forms import fill_field

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GUIDE = "/guide/KJD/?area=600&central_ac=true&has_catering=true"
#: What the applicant types in the merged form (fields the profile or the answers did not fill).
FORM = {
    "legal_person": "张三",
    "legal_person_id_no": "11010519491231002X",
    "registered_capital": "50",
    "business_scope": "住宿服务；餐饮服务",
    "shareholders": "张三 100%",
    "food_business_items": "热食类食品制售",
    "operating_area": "600",
    "project_name": "联办酒店装修工程",
    "building_area": "600",
    "design_unit": "武汉建筑设计院",
    "construction_unit": "武汉第一建设公司",
    "project_type": "装修",
    "venue_name": "联办酒店",
    "fire_safety_manager": "李安全",
    "venue_type": "酒店",
    "room_count": "60",
    "bed_count": "100",
    "security_officer": "王保安",
    "ad_location": "酒店正门上方",
    "ad_size": "6 × 1.5",
    "ad_content": "联办酒店",
}
#: Not uploaded with the application: the hygiene report (it may come later, 容缺).
LEFT_OUT = ("WSJC",)
REVIEWERS = {
    "SCJG": "rev_SCJG",
    "ZJ": "rev_ZJ",
    "STHJ": "rev_STHJ",
    "XF": "rev_XF",
    "WJ": "rev_WJ",
    "GA": "rev_GA",
    "CG": "rev_CG",
}


def pdf_file(name: str) -> dict[str, object]:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


class People:
    """One browser context per person, signed in through the login page."""

    def __init__(self, browser, live_server, login):
        self.browser, self.live_server, self.login = browser, live_server, login
        self.contexts = []
        self.pages = {}
        self.csp_violations: list[list[str]] = []

    def page(self, username: str | None):
        if username not in self.pages:
            context = self.browser.new_context(
                base_url=self.live_server.url,
                locale="zh-CN",
                timezone_id="Asia/Shanghai",
                viewport={"width": 1280, "height": 900},
            )
            context.set_default_timeout(TIMEOUT_MS)
            self.csp_violations.append(csp_watch(context))
            self.contexts.append(context)
            page = context.new_page()
            page.on("dialog", lambda dialog: dialog.accept())
            if username:
                self.login(page, username, PASSWORD)
            self.pages[username] = page
        return self.pages[username]

    def close(self):
        for context in self.contexts:
            context.close()
        violations = [v for watched in self.csp_violations for v in watched]
        assert violations == [], "the pages broke the Content-Security-Policy:\n" + "\n".join(violations)


@pytest.fixture
def everyone(browser, live_server, login):
    crowd = People(browser, live_server, login)
    yield crowd
    crowd.close()


def upload(page, code: str, name: str) -> None:
    """Choose a file for a material's slot; with JavaScript it is sent at once, with a progress bar."""
    slot = page.locator(f'[data-slot][data-material="{code}"]').first
    slot.locator('input[type="file"]').set_input_files(pdf_file(name))
    expect(slot.locator("form[data-upload]")).to_have_attribute("data-state", "done")


def apply(page) -> str:
    """The applicant: guide → apply → form → uploads → submit. Returns the tracking code."""
    page.goto(GUIDE)
    page.get_by_role("link", name="立即申报").click()
    page.locator("input[name=applicant]").first.check()
    page.get_by_role("button", name="开始填写申请").click()
    expect(page.locator("#application")).to_be_visible()
    for key, value in FORM.items():
        if page.locator(f'[data-field="{key}"]').count():
            fill_field(page, key, value, keep_prefilled=True)
    page.get_by_role("button", name="保存草稿").first.click()
    codes = page.locator("#materials [data-slot]").evaluate_all("slots => slots.map(s => s.dataset.material)")
    assert set(LEFT_OUT) <= set(codes)
    for code in codes:
        if code not in LEFT_OUT:
            upload(page, code, f"{code}.pdf")
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator(".tracking-code")).to_be_visible()
    code = page.locator(".tracking-code").get_attribute("data-code")
    expect(page.locator(".qr-figure svg")).to_be_visible()
    return normalise_code(code)


def open_case_at_window(page, code: str) -> None:
    page.goto("/work/window/")
    page.locator(f'[data-list="intake"] tr[data-case="{code}"] a').click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我要开酒店、宾馆")


def check(page, code: str, result: str, reason: str) -> None:
    row = page.locator(f'tr[data-material="{code}"]')
    row.get_by_label(result, exact=True).check()
    row.get_by_label("缺少或有误时须说明").fill(reason)


def decide(page, item_name: str, *, number: str) -> None:
    """A reviewer opens the item from the queue, takes it if needed, approves it with its licence number."""
    page.goto("/work/department/")
    page.locator('[data-list="department"]').get_by_role("link", name=item_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(item_name)
    take = page.get_by_role("button", name="受理", exact=True)
    if take.count():
        take.click()
        expect(page.locator(".message")).to_have_text("已受理本事项，开始计时。")
    page.get_by_label("证照编号").fill(number)
    page.get_by_role("button", name="批准", exact=True).click()
    expect(page.locator(".message")).to_contain_text("已批准本事项")


def running(code: str) -> list[ItemCase]:
    return list(
        ItemCase.objects.filter(case__tracking_code=code, state__in=["DISPATCHED", "IN_REVIEW", "SUPPLEMENT"])
        .select_related("department")
        .order_by("position")
    )


def test_the_hotel_journey_through_the_pages(everyone, people, clock, case_rows_wiped_first):
    applicant = everyone.page("boss")
    code = apply(applicant)
    case = Case.objects.get(tracking_code=code)
    assert case.state == "SUBMITTED" and case.channel == "ONLINE"

    # The window: one correction notice listing both problems.
    clerk = everyone.page("clerk")
    open_case_at_window(clerk, code)
    check(clerk, "GSZC", "有误或不完整", "章程缺少全体股东签字")
    check(clerk, "DZFW", "有误或不完整", "示意图未标注周边环境")
    clerk.get_by_label("其余已收到、未选择结果的材料均核验正确").check()
    clerk.get_by_role("button", name="保存核验结果").click()
    expect(clerk.locator('[data-list="problems"] li')).to_have_count(2)
    clerk.get_by_role("button", name="发出一次性告知").click()
    expect(clerk.locator("[data-state]").first).to_have_text("等待申请人补正")

    # The applicant resupplies what the notice lists and resubmits.
    applicant.goto("/my/cases/")
    applicant.locator(f'a[href="/my/cases/{case.pk}/"]').first.click()
    notice = applicant.locator("#correction")
    expect(notice).to_contain_text("章程缺少全体股东签字")
    expect(notice).to_contain_text("示意图未标注周边环境")
    upload(applicant, "GSZC", "公司章程.pdf")
    upload(applicant, "DZFW", "地址方位示意图.pdf")
    applicant.get_by_role("button", name="重新提交审查").click()
    expect(applicant.locator("[data-case-state]")).to_have_attribute("data-case-state", "RESUBMITTED")

    # The window checks again and accepts with a written promise for the hygiene report (容缺).
    clerk.goto("/work/window/")
    expect(clerk.locator(f'tr[data-case="{code}"]')).to_contain_text("已补正，待受理")
    open_case_at_window(clerk, code)
    check(clerk, "WSJC", "缺少", "检测报告尚未出具")
    clerk.get_by_label("其余已收到、未选择结果的材料均核验正确").check()
    clerk.get_by_role("button", name="保存核验结果").click()
    promise = clerk.locator('[data-promise="WSJC"]')
    promise.get_by_label("凭书面承诺容缺受理").check()
    promise.get_by_label("承诺补交日期").fill("2025-03-20")
    promise.get_by_label("申请人书面承诺").fill("检测报告出具后三日内补交")
    clerk.get_by_role("button", name="受理并出具回执").click()
    expect(clerk.locator(".message")).to_contain_text("已受理")
    receipt = clerk.request.get(clerk.get_by_role("link", name="受理回执（PDF）").get_attribute("href"))
    receipt_text = pdf_text(receipt.body())
    assert "检测报告出具后三日内补交" in receipt_text and "公共场所卫生检测或者评价报告" in receipt_text

    # Stage 1, then stage 2 starts by itself, all in parallel.
    decide(everyone.page("rev_SCJG"), "公司设立登记", number="91420100MA4K00001X")
    assert sorted(i.item_code for i in running(code)) == sorted(HOTEL_STAGES[1])

    # 消防设计审查 asks for a supplement; the applicant answers it from the case page.
    zj = everyone.page("rev_ZJ")
    zj.goto("/work/department/")
    zj.locator('[data-list="department"]').get_by_role("link", name="特殊建设工程消防设计审查").click()
    zj.get_by_role("button", name="受理", exact=True).click()
    zj.get_by_label("理由").first.fill("请补充消防设计说明的签章页")
    zj.get_by_role("button", name="发出补正要求").click()
    expect(zj.locator("[data-clock]")).to_contain_text("暂停计时")
    applicant.reload()
    request = applicant.locator('#supplements [data-item="ZJ-XFSJ"]')
    expect(request).to_contain_text("请补充消防设计说明的签章页")
    request.get_by_label("您的答复").fill("已补充签章页")
    request.get_by_label("附件（可选）").set_input_files(pdf_file("签章页.pdf"))
    request.get_by_role("button", name="提交给部门").click()
    expect(applicant.locator('#supplements [data-item="ZJ-XFSJ"]')).to_contain_text("已补充签章页")
    decide(zj, "特殊建设工程消防设计审查", number="武住建消审字〔2025〕001号")

    # 公共场所卫生许可 waits for the promised report: the applicant supplies it, then it can be approved.
    wj = everyone.page("rev_WJ")
    wj.goto("/work/department/")
    wj.locator('[data-list="department"]').get_by_role("link", name="公共场所卫生许可").click()
    wj.get_by_role("button", name="受理", exact=True).click()
    expect(wj.locator("[data-held]")).to_contain_text("公共场所卫生检测或者评价报告")
    expect(wj.get_by_role("button", name="批准", exact=True)).to_be_disabled()
    applicant.reload()
    expect(applicant.locator('#promises [data-promise="WSJC"]')).to_be_visible()
    upload(applicant, "WSJC", "卫生检测报告.pdf")
    decide(wj, "公共场所卫生许可", number="卫公证字〔2025〕第001号")

    for department, name in (
        ("SCJG", "食品经营许可"),
        ("STHJ", "建设项目环境影响登记表备案"),
        ("CG", "户外广告设置审批"),
    ):
        decide(everyone.page(REVIEWERS[department]), name, number=f"{department}-2025-001")

    # The later stages start by themselves, one after the other.
    for stage in HOTEL_STAGES[2:]:
        started = running(code)
        assert [i.item_code for i in started] == stage
        for started_item in started:
            decide(
                everyone.page(REVIEWERS[started_item.department.code]),
                started_item.item_name,
                number=f"{started_item.item_code}-001",
            )
    case = Case.objects.get(pk=case.pk)
    assert case.state == "READY" and case.outcome == "APPROVED"

    # The window: one bill, paid; every result handed out together.
    clerk.goto("/work/window/issuance/")
    clerk.locator(f'[data-list="ready"] tr[data-case="{code}"] a').click()
    expect(clerk.locator("[data-total]")).to_have_text("¥70.00")
    clerk.get_by_label("缴费票据号").fill("鄂财票 0000123")
    clerk.get_by_role("button", name="登记已缴费").click()
    expect(clerk.locator("[data-bill-status]")).to_have_attribute("data-bill-status", "PAID")
    clerk.get_by_label("窗口领取").check()
    clerk.get_by_role("button", name="统一出件").click()
    expect(clerk.locator(".message")).to_contain_text("已统一出件")
    assert Case.objects.get(pk=case.pk).state == "ISSUED"

    # The applicant sees the results; the public tracking page, without logging in, says it is done.
    applicant.reload()
    expect(applicant.locator("[data-case-state]")).to_have_attribute("data-case-state", "ISSUED")
    results = applicant.locator("[data-licence]")
    expect(results.filter(has_text="91420100MA4K00001X")).to_have_count(1)
    expect(results.filter(has_text="卫公证字〔2025〕第001号")).to_have_count(1)
    public = everyone.page(None)
    public.goto("/track/")
    public.get_by_label("办件编号").fill(code.lower())
    public.get_by_role("button", name="查询").click()
    expect(public).to_have_url(re.compile(r"/track/[0-9A-Z-]+/$"))
    tracking = public.locator("[data-tracking]")
    expect(tracking.locator(".state-badge")).to_have_text(applicant.locator("[data-case-state]").inner_text())
    expect(tracking.locator(".state-issued")).to_have_count(1)
    expect(tracking).to_contain_text("办结日期")
    expect(public.locator(".tl-item .state-approved")).to_have_count(sum(len(stage) for stage in HOTEL_STAGES))
    expect(public.locator("[data-tracking]")).not_to_contain_text("武汉联办酒店有限公司")

    actions = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    for expected in ("case.correction_requested", "case.resubmitted", "item.held", "material.supplied", "item.released",
                     "item.supplement_requested", "item.supplied", "bill.paid", "case.issued"):  # fmt: skip
        assert expected in actions, expected
