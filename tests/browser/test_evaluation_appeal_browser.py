"""好差评 in the browser, the rest of the loop: the rated unit appeals a 差评 with evidence (never seeing who
gave it), a supervisor upholds it; and a visitor rates a window anonymously from its QR code's page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lianban.cases.models import ItemCase
from lianban.evaluation.models import Appeal, AppealState, Rating, RectificationTicket
from lianban.evaluation.selectors import counted_ratings
from tests.cases.kit import PDF
from tests.evaluation.kit import issued
from tests.workbench.kit import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_unit_appeals_a_bad_rating_and_the_supervisor_upholds_it(  # type: ignore[no-untyped-def]
    page, people, clock, case_rows_wiped_first, login, tmp_path
) -> None:
    case = issued(people, clock)
    item = ItemCase.objects.get(case=case, item_code="SCJG-GSSL")
    login(page, "boss", PASSWORD)
    page.goto(f"/my/cases/{case.pk}/rate/")
    form = page.locator(f'[data-service="item:{item.pk}"] form')
    form.get_by_label("非常不满意", exact=True).check()
    form.get_by_label("办事效率").check()
    form.get_by_role("button", name="提交评价").click()
    expect(page.get_by_text("感谢评价，已记录。")).to_be_visible()
    rating = Rating.objects.get(case=case, item_case=item)
    ticket = RectificationTicket.objects.get(rating=rating)
    assert rating in counted_ratings()

    page.context.clear_cookies()
    login(page, "rev_SCJG", PASSWORD)
    page.goto(f"/work/rectifications/{ticket.pk}/")
    expect(page.get_by_text(case.tracking_code)).to_have_count(0)  # the unit does not see whose case it was
    appeal_form = page.locator("[data-appeal-form]")
    appeal_form.locator('input[name="grounds"][value="MALICIOUS"]').check()
    appeal_form.locator("#statement").fill("评价人当天未到本窗口办理，系误评")
    evidence = tmp_path / "窗口记录.pdf"
    evidence.write_bytes(PDF)
    appeal_form.locator("#appeal-evidence").set_input_files(str(evidence))
    appeal_form.get_by_role("button", name="提交申诉").click()
    expect(page.locator("[data-appeal-state]")).to_have_attribute("data-appeal-state", "PENDING")  # its page
    appeal = Appeal.objects.get(rating=rating)
    expect(page).to_have_url(f"{page.url.split('/work/')[0]}/work/appeals/{appeal.pk}/")
    expect(page.locator("[data-evaluator-masked]")).to_be_visible()
    expect(page.locator("[data-decision-form]")).to_have_count(0)  # the unit cannot decide its own appeal

    page.context.clear_cookies()
    login(page, "super", PASSWORD)
    page.goto("/work/appeals/")
    page.locator(f'a[href="/work/appeals/{appeal.pk}/"]').first.click()
    expect(page.locator("[data-evaluator]")).to_be_visible()  # the supervisor sees who rated
    decision = page.locator("[data-decision-form]")
    decision.locator('input[name="outcome"][value="UPHELD"]').check()
    decision.locator("#reason").fill("窗口录像证实评价人当天未到场")
    decision.get_by_role("button", name="记录裁定").click()
    expect(page.locator("[data-outcome]")).to_have_attribute("data-outcome", "UPHELD")

    appeal.refresh_from_db()
    assert appeal.state == AppealState.UPHELD
    assert Rating.objects.filter(pk=rating.pk).exists()  # kept on the record
    assert rating not in counted_ratings()  # out of the statistics


def test_a_visitor_rates_a_window_anonymously_from_its_qr_page(  # type: ignore[no-untyped-def]
    page, people, clock, case_rows_wiped_first, login
) -> None:
    login(page, "clerk", PASSWORD)
    page.goto("/work/windows/")
    link = page.locator("[data-window-link]").first
    expect(link.locator("svg")).to_be_visible()  # the QR code, drawn by the platform
    url = link.get_attribute("href")
    assert url

    page.context.clear_cookies()  # the tablet on the counter: nobody signed in
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("评价本窗口")
    form = page.locator("[data-window-rate] form")
    expect(form.locator('input[name="level"]:checked')).to_have_count(0)
    form.get_by_label("满意", exact=True).check()
    form.get_by_role("button", name="提交评价").click()
    expect(page.locator("[data-rate-thanks]")).to_be_visible()
    rating = Rating.objects.get(anonymous=True)
    assert (rating.level, rating.case_id) == (4, None)
