"""The applicant's part of a hotel application (我要开酒店、宾馆) in a phone-sized browser.

Guide → apply → the one form (saving itself) → each material once with a progress bar → submit →
the tracking code and its QR code → the public tracking page. Then the form with the keyboard alone,
and the case page with a department's request answered.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lianban.cases.models import Case
from lianban.core.tracking import format_code
from lianban.portal.models import Draft
from lianban.portal.services import draft_plan
from tests.cases.kit import PDF

from .conftest import no_horizontal_scroll
from .forms import fill_field

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "x"  # the kit's users
TYPED = {
    "legal_person": "张三",
    "legal_person_id_no": "11010519491231002X",
    "registered_capital": "50",
    "business_scope": "住宿服务；餐饮服务",
    "shareholders": "张三 100%",
    "food_business_items": "热食类食品制售",
    "operating_area": "580",
    "project_name": "江城大酒店装修工程",
    "design_unit": "武汉设计院",
    "construction_unit": "武汉建工",
    "project_type": "装修",
    "venue_name": "江城大酒店",
    "fire_safety_manager": "李四",
    "venue_type": "宾馆",
    "room_count": "80",
    "bed_count": "120",
    "security_officer": "王五",
    "ad_location": "酒店正门上方",
    "ad_size": "6 × 1.5",
    "ad_content": "江城大酒店",
}


def pdf_file(name: str, size: int = 0) -> dict[str, object]:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF + b"0" * size}


def test_a_hotel_application_on_a_phone(phone_page, people, clock, case_rows_wiped_first, login, screenshot):
    page = phone_page
    login(page, "boss", PASSWORD)

    # the guide, then its big button
    page.goto("/guide/KJD/")
    page.get_by_label("经营场所建筑面积(平方米)").fill("600")
    page.get_by_role("radiogroup", name="是否使用集中空调通风系统").get_by_label("是", exact=True).check()
    page.get_by_role("radiogroup", name="是否同时经营餐饮(含早餐)").get_by_label("是", exact=True).check()
    page.get_by_role("button", name="生成我的清单").click()
    page.get_by_role("link", name="立即申报").click()
    expect(page).to_have_url(re.compile(r"/apply/KJD/\?area=600&central_ac=true&has_catering=true$"))

    # who applies: the enterprise the user acts for is chosen; the answers came along
    expect(page.get_by_label(re.compile("武汉联办酒店有限公司"))).to_be_checked()
    expect(page.locator("#new-applicant")).to_be_hidden()  # only when registering another one
    expect(page.get_by_label("经营场所建筑面积(平方米)")).to_have_value("600")
    page.get_by_role("button", name="开始填写申请").click()
    expect(page).to_have_url(re.compile(r"/apply/drafts/\d+/$"))
    draft = Draft.objects.get()

    # the one form: prefilled from the profile and the answers; it saves itself while typing
    def field(name: str):
        return page.get_by_role("textbox", name=name, exact=True).or_(
            page.get_by_role("spinbutton", name=name, exact=True)
        )

    expect(field("企业名称")).to_have_value("武汉联办酒店有限公司")
    expect(field("统一社会信用代码")).to_have_value(people.applicant.id_number)
    expect(field("建筑面积（平方米）")).to_have_value("600")
    expect(page.locator('[data-field="building_area"] .prefilled')).to_have_text("已根据您的情形答案填写。")
    status = page.locator("[data-save-status]")
    field("法定代表人").fill(TYPED["legal_person"])
    expect(status).to_have_attribute("data-state", "saved")
    expect(status).to_have_text("已保存 10:00")
    draft.refresh_from_db()
    assert draft.form["legal_person"] == "张三"
    for key, value in TYPED.items():
        fill_field(page, key, value)
    expect(status).to_have_attribute("data-state", "saved")

    # each material once: a refused file says why; good files upload with a progress bar
    slots = page.locator("[data-slot]")
    to_submit = [m.code for m in draft_plan(draft).materials if m.provenance == "submit"]
    expect(slots).to_have_count(len(to_submit))
    count = len(to_submit)
    first = slots.first
    first.locator('input[type="file"]').set_input_files(
        {"name": "scan.pdf", "mimeType": "application/pdf", "buffer": b"<html><body>not a scan</body></html>"}
    )
    expect(first.locator("[data-upload-error]")).to_have_text(
        "不接受文件类型 无法识别的内容；请上传 PDF、JPEG、PNG 或 OFD 文件"
    )
    first.locator('input[type="file"]').set_input_files(pdf_file("公司登记申请书.pdf", 400_000))
    expect(first).to_have_class(re.compile(r"\bhas-file\b"))
    expect(first.locator("[data-upload-error]")).to_be_hidden()
    expect(first.locator("progress")).to_have_js_property("value", 100)
    assert int(first.locator("form").get_attribute("data-progress-events")) >= 1
    expect(first.locator("[data-slot-file] a")).to_have_text("公司登记申请书.pdf")
    for index in range(1, count):
        slot = slots.nth(index)
        code = slot.get_attribute("data-material")
        if code == "WSJC":
            continue  # may come later (容缺)
        slot.locator('input[type="file"]').set_input_files(pdf_file(f"{code}.pdf"))
        expect(slot).to_have_class(re.compile(r"\bhas-file\b"))
    expect(page.locator("[data-uploaded]")).to_have_text(str(count - 1))
    width, viewport = no_horizontal_scroll(page)
    assert width <= viewport == 375, f"the form scrolls sideways on a phone: {width}"
    page.locator("#form-title").scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "apply-form", full_page=True, clip={"x": 0, "y": 0, "width": 375, "height": 1800})

    # submit → the tracking code, grouped and large, and its QR code
    page.get_by_role("button", name="提交申请").click()
    case = Case.objects.get()
    code = format_code(case.tracking_code)
    expect(page).to_have_url(re.compile(rf"/my/cases/{case.pk}/submitted/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("申请已提交")
    expect(page.locator(".tracking-code")).to_have_attribute("data-code", code)
    expect(page.locator(".tracking-code .code-group")).to_have_text(code.split("-"))
    for group in page.locator(".tracking-code .code-group").all():
        assert group.bounding_box()["x"] + group.bounding_box()["width"] <= 375  # all of it on the screen
    qr = page.get_by_role("img", name="进度查询页二维码")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["width"] >= 150 and box["height"] >= 150
    assert no_horizontal_scroll(page)[0] <= 375
    screenshot(page, "submitted", full_page=True)
    assert case.materials.get(code="GSDJSQS").original_name == "公司登记申请书.pdf"
    assert case.form["legal_person_id_no"] == "11010519491231002X"

    # the public tracking page, without logging in
    track_url = page.locator("a.track-url").get_attribute("href")
    assert track_url.endswith(f"/track/{code}/")
    page.context.clear_cookies()
    page.goto(track_url)
    expect(page.get_by_role("heading", name="我要开酒店、宾馆")).to_be_visible()
    expect(page.locator(".timeline > .stage")).to_have_count(5)
    expect(page.locator('.tl-item[data-item="SCJG-GSSL"]')).to_contain_text("窗口受理后开始")
    expect(page.locator("main")).not_to_contain_text(people.applicant.name)
    expect(page.locator("main")).not_to_contain_text("张三")
    assert no_horizontal_scroll(page)[0] <= 375
    screenshot(page, "track", full_page=True, clip={"x": 0, "y": 0, "width": 375, "height": 1400})


def test_the_form_with_the_keyboard_alone(page, people, clock, case_rows_wiped_first, login):
    login(page, "boss", PASSWORD)
    page.goto("/apply/KJD/?area=600&central_ac=true&has_catering=true")

    def focused() -> str:
        return page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()")

    def tab_to(target: str, limit: int = 60) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if focused() == target:
                return
        pytest.fail(f"Tab never reached {target}")

    # the start page: the applicant radio, then the button, with Tab and Enter
    tab_to(f"applicant-{people.applicant.pk}")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    tab_to("开始填写申请")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/apply/drafts/\d+/$"))

    # the draft: type into fields, move with Tab, choose an option with the arrow keys, tick with Space, save with Enter
    tab_to("f-legal_person")
    page.keyboard.type("张三")
    page.keyboard.press("Tab")
    assert focused() == "f-legal_person_id_no"
    page.keyboard.type("11010519491231002x")
    tab_to("f-project_type")
    page.keyboard.press("ArrowRight")  # 新建 → 扩建
    expect(page.locator("#f-project_type-1")).to_be_checked()
    tab_to("f-central_ac")
    page.keyboard.press("Space")  # prefilled from the answers (checked): untick
    expect(page.locator("#f-central_ac")).not_to_be_checked()
    tab_to("f-room_count")
    page.keyboard.type("80")
    page.keyboard.press("Enter")
    expect(page.locator(".message")).to_have_text("草稿已保存。")
    draft = Draft.objects.get()
    assert draft.form["legal_person"] == "张三"
    assert draft.form["central_ac"] == "false"
    assert draft.form["project_type"] == "扩建"
    assert draft.form["room_count"] == "80"

    # submitting too early: the summary takes the focus and links to each problem
    tab_to("提交申请", limit=200)
    page.keyboard.press("Enter")
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("请填写注册资本（万元）。")
    summary.get_by_role("link", name="请填写注册资本（万元）。").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#f-registered_capital")).to_be_focused()


def test_the_case_page_answers_a_departments_request(
    phone_page, people, clock, case_rows_wiped_first, login, screenshot
):
    from datetime import date

    from lianban.intake.services import intake_accept
    from lianban.review.services import item_case_approve, item_case_request_supplement, item_case_take
    from tests.cases.kit import check_all, items, submit

    case = submit(people)
    check_all(people, case)
    intake_accept(actor=people.clerk, case_id=case.pk)
    gssl = items(case)["SCJG-GSSL"]
    item_case_take(actor=people.reviewer("SCJG"), item_case_id=gssl.pk)
    item_case_approve(
        actor=people.reviewer("SCJG"), item_case_id=gssl.pk, licence_number="YYZZ-001", valid_until=date(2030, 1, 1)
    )
    clock.working_days(1)
    health = items(case)["WJ-GGWS"]
    item_case_take(actor=people.reviewer("WJ"), item_case_id=health.pk)
    item_case_request_supplement(
        actor=people.reviewer("WJ"), item_case_id=health.pk, reason="请补充卫生管理制度的签字页"
    )

    page = phone_page
    login(page, "boss", PASSWORD)
    page.goto("/my/cases/")
    card = page.locator(f'[data-case="{case.tracking_code}"]')
    expect(card).to_contain_text("已受理，各部门办理中")
    expect(card.locator(".next-step")).to_contain_text("请按卫生健康局的要求为「公共场所卫生许可」补正材料。")
    card.get_by_role("link", name="我要开酒店、宾馆").click()

    expect(page.locator("[data-case-state]")).to_have_text("已受理，各部门办理中")
    expect(page.locator('.stage[data-stage="1"]')).to_have_class(re.compile(r"stage-done"))
    expect(page.locator('.tl-item[data-item="WJ-GGWS"]')).to_contain_text("待您补正")
    expect(page.locator('.tl-item[data-item="SCJG-GSSL"]')).to_contain_text("已准予")
    request = page.locator('.request[data-item="WJ-GGWS"]')
    expect(request).to_contain_text("请补充卫生管理制度的签字页")
    expect(page.locator('[data-licence="YYZZ-001"]')).to_contain_text("营业执照")
    assert no_horizontal_scroll(page)[0] <= 375
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "my-case", full_page=True, clip={"x": 0, "y": 0, "width": 375, "height": 1500})

    request.get_by_label("您的答复").fill("已补充签字页")
    request.get_by_label("附件（可选）").set_input_files(pdf_file("签字页.pdf"))
    request.get_by_role("button", name="提交给部门").click()
    expect(page.locator(".message")).to_have_text("已提交给部门，该事项恢复计时。")
    expect(page.locator('.tl-item[data-item="WJ-GGWS"]')).to_contain_text("部门审查中")
    expect(page.locator('.request[data-item="WJ-GGWS"]')).to_contain_text("签字页.pdf")
    health.refresh_from_db()
    assert health.state == "IN_REVIEW"
