"""The home page and search, in a desktop browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_lists_the_things_and_search_finds_the_restaurant(page, demo, screenshot):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("一件事 一次办")
    expect(page.get_by_role("heading", name="企业办事")).to_be_visible()
    expect(page.locator(".thing-card")).to_have_count(3)
    # The stylesheet is served by the platform and applied.
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor") == "rgb(15, 76, 129)"
    )
    screenshot(page, "home")

    page.get_by_label("您想办什么事？").fill("开个小饭店")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    results = page.locator(".result")
    expect(results).to_have_count(1)
    expect(results.first.locator(".result-name")).to_have_text("我要开饭馆")
    expect(page.get_by_label("您想办什么事？")).to_have_value("开个小饭店")

    results.first.locator(".result-name").click()
    expect(page).to_have_url(re.compile(r"/guide/KFG/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("我要开饭馆")


@pytest.mark.parametrize(("query", "name"), [("开民宿", "我要开酒店、宾馆"), ("卖药", "我要开药店")])
def test_search_understands_plain_words(page, demo, query, name):
    page.goto("/")
    page.get_by_label("您想办什么事？").fill(query)
    page.get_by_role("button", name="搜索").click()
    expect(page.locator(".result-name").first).to_have_text(name)


def test_assets_come_from_the_platform_only(page, demo, live_server):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/guide/KJD/?area=600&central_ac=true&has_catering=true")
    expect(page.locator(".stage")).to_have_count(5)
    assert requested
    outside = [url for url in requested if not url.startswith(live_server.url)]
    assert outside == []
    assert any(url.endswith("/static/portal/lianban.css") for url in requested)
    assert any(url.endswith("/static/portal/lianban.js") for url in requested)


def test_a_catalog_never_seen_is_found_by_its_keywords_and_its_guide_shows_its_notes(page, demo):
    from lianban.catalog.services import CatalogFile, catalog_import
    from tests.search.queries import UNSEEN

    catalog_import(files=[CatalogFile(UNSEEN.name, UNSEEN.read_bytes())])
    page.goto("/")
    expect(page.get_by_role("heading", name="个人办事")).to_be_visible()
    expect(page.locator("#search-hint")).to_have_text("用您自己的话描述即可，例如：开便利店、开饭店、开宾馆。")
    page.get_by_label("您想办什么事？").fill("孩子出生了要办什么")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    expect(page.locator(".result-name")).to_have_count(1)
    page.locator(".result-name").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("新生儿出生")
    expect(page.get_by_role("heading", name="办理须知")).to_be_visible()
    expect(page.locator(".guide-notes li")).to_have_text(["请在出生后一个月内申报户口。"])
    page.get_by_text("各事项的设定依据").click()
    expect(page.locator(".basis-list dd")).to_have_text(["《中华人民共和国母婴保健法》"])
