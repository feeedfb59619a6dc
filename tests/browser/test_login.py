"""Logging in from the guide's apply button goes on to the apply page with the same answers."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lianban.demo.services import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_apply_button_logs_in_and_goes_on_to_apply(page, demo):
    page.goto("/guide/KJD/?area=600&central_ac=true&has_catering=true")
    page.get_by_role("link", name="立即申报").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")

    page.get_by_label("用户名").fill("applicant")
    page.get_by_label("密码").fill("wrong password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("请输入一个正确的")

    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/apply/KJD/\?area=600&central_ac=true&has_catering=true$"))
    expect(page.locator(".who")).to_contain_text("申请人")
    expect(page.get_by_role("heading", level=1)).to_have_text("我要开酒店、宾馆")
    expect(page.get_by_label("经营场所建筑面积(平方米)")).to_have_value("600")


def test_the_login_helper_signs_in_and_the_header_shows_the_role(page, demo, login):
    login(page, "clerk")
    expect(page.locator(".who")).to_contain_text("综合窗口人员")
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("link", name="登录")).to_be_visible()
