"""好差评 in the browser, an anonymous 差评: a visitor rates a window from its QR code's page, the window's
department pre-checks the ticket (no case, nobody to call back: the window is shown instead), rectifies it with
evidence and the ticket closes; the public page lists the rectification under the anonymous rating."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lianban.catalog.models import Department
from lianban.evaluation.models import Rating, RectificationTicket
from lianban.evaluation.services import window_link
from tests.cases.kit import PDF
from tests.workbench.kit import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_anonymous_bad_rating_is_prechecked_rectified_and_closed(  # type: ignore[no-untyped-def]
    page, people, clock, case_rows_wiped_first, login, tmp_path
) -> None:
    page.goto(f"/rate/window/{window_link(Department.objects.get(code='SCJG'))}/")  # the tablet: nobody signed in
    form = page.locator("[data-window-rate] form")
    form.get_by_label("非常不满意", exact=True).check()
    form.get_by_label("服务态度").check()
    form.locator("textarea").first.fill("窗口人员态度冷淡")
    form.get_by_role("button", name="提交评价").click()
    expect(page.locator("[data-rate-thanks]")).to_be_visible()
    rating = Rating.objects.get(anonymous=True)
    ticket = RectificationTicket.objects.get(rating=rating)
    assert (ticket.case_id, ticket.flow) == (None, "ANONYMOUS")

    login(page, "rev_SCJG", PASSWORD)
    page.goto("/work/rectifications/")
    row = page.locator(f'[data-ticket="{ticket.pk}"]')
    expect(row.locator("[data-anonymous]")).to_have_text("匿名评价（窗口二维码）")
    row.get_by_role("link").first.click()
    expect(page.locator("[data-anonymous-rating]")).to_have_text("匿名评价（窗口二维码）")
    expect(page.locator('[data-window="SCJG"]')).to_be_visible()
    expect(page.locator("[data-no-history]")).to_be_visible()
    expect(page.locator('[data-step="visit"]')).to_have_count(0)  # nobody to call back
    expect(page.locator('a[href^="/work/cases/"]')).to_have_count(0)

    step = page.locator('[data-next-step="precheck"]')
    step.locator('input[name="verdict"][value="TRUE"]').check()
    step.locator("#note").fill("经核实，窗口人员答复不耐心")
    step.get_by_role("button", name="登记").click()
    expect(page.locator("[data-ticket-state]")).to_have_attribute("data-ticket-state", "RECTIFY")

    step = page.locator('[data-next-step="rectify"]')
    step.locator("#rectification").fill("已对窗口人员开展服务规范培训")
    evidence = tmp_path / "培训记录.pdf"
    evidence.write_bytes(PDF)
    step.locator("#evidence").set_input_files(str(evidence))
    step.get_by_role("button", name="登记").click()
    expect(page.locator("[data-ticket-state]")).to_have_attribute("data-ticket-state", "CLOSED")
    expect(page.locator("[data-next-step]")).to_have_count(0)
    ticket.refresh_from_db()
    assert (ticket.state, ticket.verdict, bool(ticket.evidence)) == ("CLOSED", "TRUE", True)

    page.context.clear_cookies()
    page.goto(f"/ratings/statistics/?period={clock.today():%Y-%m}")
    listed = page.locator("[data-rectification]")
    expect(listed).to_have_count(1)
    expect(listed.locator("[data-anonymous]")).to_have_text("匿名评价（窗口二维码）")
    expect(listed).to_contain_text("已对窗口人员开展服务规范培训")
    expect(page.locator('[data-anonymous-department="SCJG"]')).to_be_visible()
