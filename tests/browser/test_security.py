"""The pages run under the strict Content-Security-Policy, and the browser tests would see it if not.

Every test of this package fails when a page it visits reports a CSP violation (see ``csp_watch`` in
the conftest); these tests prove that watch sees one, and that the pages with the most machinery —
the guide's timeline, the Swagger UI — keep working under the policy.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import TIMEOUT_MS, csp_watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INJECT_INLINE = """() => {
  const script = document.createElement("script");
  script.textContent = "window.injected = 'ran'";
  document.head.appendChild(script);
  document.body.setAttribute("style", "background: red");
}"""


def test_an_injected_inline_script_and_style_are_refused_and_the_watch_reports_them(browser, live_server, demo):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    violations = csp_watch(context)
    try:
        page = context.new_page()
        page.goto("/")
        assert page.evaluate("() => document.documentElement.classList.contains('js')")  # our own file ran
        page.evaluate(INJECT_INLINE)
        page.wait_for_function("() => true")
        assert page.evaluate("() => window.injected") is None
        assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") != "rgb(255, 0, 0)"
        expect(page.locator("body")).to_be_visible()
        page.wait_for_timeout(200)  # let the console events arrive (not an assertion on time)
    finally:
        context.close()
    assert any("script-src" in v for v in violations), violations
    assert any("style-src" in v for v in violations), violations


def test_the_guide_timeline_draws_its_bars_without_inline_style(page, demo):
    page.goto("/guide/KJD/?area=600&central_ac=true&has_catering=true")
    bars = page.locator(".gantt .gantt-bar")
    expect(bars.first).to_be_visible()
    widths = [bars.nth(i).bounding_box()["width"] for i in range(bars.count())]
    track = page.locator(".gantt").first.bounding_box()["width"]
    assert all(0 < width <= track for width in widths) and max(widths) < track
    lefts = {round(bars.nth(i).bounding_box()["x"]) for i in range(bars.count())}
    assert len(lefts) > 1  # later stages start further right
    labels = page.locator(".axis text")
    assert labels.count() > 1 and labels.first.text_content() == "0"


def test_the_swagger_ui_lists_the_operations_under_the_policy(page, demo, login):
    login(page, "supervisor")
    page.goto("/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.locator(".opblock").count() > 20


def test_the_admin_pages_run_under_the_policy(page, demo, login):
    login(page, "admin")
    page.goto("/admin/")
    expect(page.locator("#content-main")).to_be_visible()
    add_links = page.locator("#content-main a.addlink")
    assert add_links.count() > 0
    add_links.first.click()
    expect(page.locator("#content-main form")).to_be_visible()
    page.go_back()
    page.locator("#content-main th a").first.click()  # a change list, with its actions and filters
    expect(page.locator("#changelist, #content-main")).not_to_have_count(0)
