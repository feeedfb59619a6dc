"""The guide for 我要开酒店、宾馆 (KJD): on a phone, and with the keyboard alone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lianban.catalog.planning import plan_document

from .conftest import no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWERS = {"area": 600, "central_ac": True, "has_catering": True}
MENU_URL = re.compile(r"/guide/KJD/\?area=600&central_ac=true&has_catering=true$")


def check_the_hotel_menu(page):
    """What the KJD menu for 600 m², central AC and catering must show."""
    expect(page.locator(".timeline > .stage")).to_have_count(5)
    expect(page.locator('.tl-item[data-item="ZJ-XFSJ"]')).to_contain_text("特殊建设工程消防设计审查")
    expect(page.locator('.tl-item[data-item="ZJ-XFSJ"]')).to_contain_text("住房和城乡建设局")

    licence = page.locator('.material[data-material="YYZZ"]')
    expect(licence).to_have_attribute("data-provenance", "produced")
    expect(licence).to_contain_text("营业执照")
    expect(licence).to_contain_text("由「公司设立登记」（市场监督管理局）办结后产生，无需提交")
    expect(page.locator('[data-list="submit"] .material[data-material="YYZZ"]')).to_have_count(0)

    thresholds = page.locator("section", has=page.locator("#thresholds-title"))
    expect(thresholds).to_contain_text("500")
    expect(thresholds).to_contain_text("≥ 500")
    expect(thresholds.locator(".outcome.current")).to_contain_text("≥ 500")

    plan = plan_document("KJD", ANSWERS)
    table = page.locator("table.reductions")
    for key, before in plan["reductions"]["before"].items():
        row = table.locator(f'tr[data-key="{key}"]')
        expect(row.locator("td[data-before]")).to_have_text(str(before))
        expect(row.locator("td[data-after]")).to_have_text(str(plan["reductions"]["after"][key]))
    expect(page.locator('[data-stat="plan-days"]')).to_have_text(str(plan["plan_days"]))


def test_the_hotel_guide_on_a_phone(phone_page, demo, screenshot):
    page = phone_page
    page.goto("/guide/KJD/")
    width, viewport = no_horizontal_scroll(page)
    assert width <= viewport == 375

    page.get_by_label("经营场所建筑面积(平方米)").fill("600")
    page.get_by_role("radiogroup", name="是否使用集中空调通风系统").get_by_label("是", exact=True).check()
    page.get_by_role("radiogroup", name="是否同时经营餐饮(含早餐)").get_by_label("是", exact=True).check()
    page.get_by_role("button", name="生成我的清单").click()
    expect(page).to_have_url(MENU_URL)

    check_the_hotel_menu(page)
    width, viewport = no_horizontal_scroll(page)
    assert width <= viewport, f"the menu scrolls sideways on a phone: {width} > {viewport}"
    # Nothing inside sticks out of the viewport either (a clipped table would hide numbers).
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('main *')]
              .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
              .filter(el => !el.closest('.visually-hidden'))
              .map(el => el.tagName + '.' + el.className)"""
    )
    assert overflowing == []
    screenshot(page, "guide-phone", full_page=True, clip={"x": 0, "y": 0, "width": 375, "height": 1700})

    # On a phone the menu folds behind a button (JavaScript), and opens with it.
    toggle = page.get_by_role("button", name="菜单")
    expect(toggle).to_be_visible()
    expect(page.locator("#site-nav")).to_be_hidden()
    toggle.click()
    expect(page.locator("#site-nav")).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")


def test_the_guide_form_with_the_keyboard_alone(page, demo, screenshot):
    page.goto("/guide/KJD/")

    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["y"] >= 0  # it shows itself when focused

    def focused_id():
        return page.evaluate("document.activeElement.id")

    for _ in range(20):
        page.keyboard.press("Tab")
        if focused_id() == "q-area":
            break
    else:
        pytest.fail("Tab never reached the first question")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.type("600")

    page.keyboard.press("Tab")
    assert focused_id() == "q-central_ac-0"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Space")
    expect(page.locator("#q-central_ac-0")).to_be_checked()

    page.keyboard.press("Tab")
    assert focused_id() == "q-has_catering-0"
    page.keyboard.press("Space")
    expect(page.locator("#q-has_catering-0")).to_be_checked()

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    page.keyboard.press("Enter")
    expect(page).to_have_url(MENU_URL)

    check_the_hotel_menu(page)
    screenshot(page, "guide-menu", full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": 1900})


def test_changing_an_answer_updates_the_menu(page, demo):
    page.goto("/guide/KJD/?area=600&central_ac=true&has_catering=true")
    expect(page.locator('.reason[data-item="ZJ-XFBA"]')).to_have_attribute("data-included", "false")
    page.get_by_label("经营场所建筑面积(平方米)").fill("400")
    page.get_by_role("button", name="更新清单").click()
    expect(page).to_have_url(re.compile(r"area=400"))
    expect(page.locator('.reason[data-item="ZJ-XFBA"]')).to_have_attribute("data-included", "true")
    expect(page.locator('.tl-item[data-item="ZJ-XFSJ"]')).to_have_count(0)
    expect(page.locator('.threshold[data-question="area"] .outcome.current')).to_contain_text("300 ≤ x < 500")
