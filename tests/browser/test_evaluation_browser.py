"""好差评 in the browser: the applicant rates an item 不满意 from "my cases", the department works the
rectification ticket step by step, the applicant re-rates, the supervisor sees the ticket closed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lianban.cases.models import ItemCase
from lianban.evaluation.models import Rating, RectificationTicket
from tests.evaluation.kit import issued
from tests.workbench.kit import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_bad_rating_runs_through_its_ticket_to_closure(page, people, clock, case_rows_wiped_first, login) -> None:  # type: ignore[no-untyped-def]
    case = issued(people, clock)
    item = ItemCase.objects.get(case=case, item_code="SCJG-GSSL")

    login(page, "boss", PASSWORD)
    page.goto(f"/my/cases/{case.pk}/")
    page.locator("[data-rate-link]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("服务评价")
    form = page.locator(f'[data-service="item:{item.pk}"] form')
    expect(form.locator('input[name="level"]:checked')).to_have_count(0)  # nothing pre-selected
    form.get_by_label("不满意", exact=True).check()
    form.get_by_label("办事效率").check()
    form.get_by_label("评价内容（选填）").fill("等待时间太长")
    form.get_by_role("button", name="提交评价").click()
    expect(page.get_by_text("感谢评价，已记录。")).to_be_visible()
    rating = Rating.objects.get(case=case, item_case=item)
    assert (rating.level, rating.channel) == (2, "PORTAL")
    ticket = RectificationTicket.objects.get(rating=rating)

    page.context.clear_cookies()  # sign out: the next person uses the same browser
    login(page, "rev_SCJG", PASSWORD)
    page.goto("/work/rectifications/")
    page.locator(f'[data-ticket="{ticket.pk}"] a').click()
    steps = [
        ("precheck", lambda: (page.get_by_label("属实").check(), page.locator("#note").fill("确实超时"))),
        ("visit", lambda: page.locator("#call_record").fill("已电话联系申请人")),
        ("rectify", lambda: page.locator("#rectification").fill("增加窗口人手")),
        ("feedback", lambda: page.locator("#feedback").fill("已整改，请复评")),
    ]
    for step, fill in steps:
        expect(page.locator(f'[data-next-step="{step}"]')).to_be_visible()
        fill()
        page.get_by_role("button", name="登记", exact=True).click()
        expect(page.get_by_text("已登记。")).to_be_visible()
    expect(page.get_by_text("等待评价人复评。")).to_be_visible()

    page.context.clear_cookies()
    login(page, "boss", PASSWORD)
    page.goto(f"/my/cases/{case.pk}/rate/")
    rerate = page.locator(f'[data-ticket="{ticket.pk}"]')
    expect(rerate).to_have_attribute("data-ticket-state", "RERATE")
    rerate.get_by_label("满意", exact=True).check()
    rerate.get_by_role("button", name="提交复评").click()
    expect(page.get_by_text("感谢复评，已记录。")).to_be_visible()

    page.context.clear_cookies()
    login(page, "super", PASSWORD)
    page.goto("/work/rectifications/?state=CLOSED")
    expect(page.locator(f'[data-ticket="{ticket.pk}"]')).to_have_attribute("data-state", "CLOSED")
