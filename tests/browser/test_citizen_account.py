"""A citizen signs up with a mobile number and a code, signs out, signs in with the number, and resets the password;
another signs in through the identity platform (a real OpenID Connect provider in its own process)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

from django.db.models import F
from django.utils import timezone

import pytest
from playwright.sync_api import expect
from pytest_django import Settings
from stdnum.cn import ric

from lianban.accounts.models import PhoneCode
from lianban.messaging import providers
from tests.accounts.codes import MemoryProvider, deliver
from tests.accounts.identity_platform.server import PASSWORD as PLATFORM_PASSWORD
from tests.accounts.identity_platform.server import configure, identity_platform

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13800138000"
PASSWORD = "Lantern-Harbour-58"
NEW_PASSWORD = "Willow-Courtyard-91"
BODY = "11010519900307123"
ID_NUMBER = BODY + ric.calc_check_digit(BODY + "0")


@pytest.fixture
def sms(sms_outbox: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """What the SMS provider took (the live server runs in this process; the tests' task backend runs the
    sending of the codes as the request commits)."""
    return sms_outbox


def code_in(sms: list[tuple[str, str]]) -> str:
    assert sms and sms[-1][0] == PHONE
    return re.findall(r"(?<!\d)\d{6}(?!\d)", sms[-1][1])[0]


def a_minute_passes() -> None:
    PhoneCode.objects.update(
        created_at=F("created_at") - timedelta(minutes=1), expires_at=F("expires_at") - timedelta(minutes=1)
    )


def test_sign_up_sign_out_sign_in_and_reset_the_password(page, sms) -> None:
    page.goto("/accounts/login/")
    page.get_by_role("link", name="手机号注册").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("注册")
    page.get_by_label("手机号码").fill("138 0013 8000")
    page.get_by_role("button", name="发送验证码").click()
    expect(page).to_have_url(re.compile(r"/signup/verify/$"))
    expect(page.get_by_role("status")).to_contain_text("验证码正在发送至138****8000")
    expect(page.locator("#code-status")).to_contain_text("验证码已发出")

    # a weak password and a wrong code are named; the code is not used up by the refusal
    page.get_by_label("短信验证码").fill("000000" if code_in(sms) != "000000" else "111111")
    page.get_by_label("真实姓名").fill("张三")
    page.get_by_label("公民身份号码").fill(ID_NUMBER)
    page.get_by_label("密码", exact=True).fill("12345678")
    page.get_by_label("再次输入密码").fill("12345678")
    page.get_by_role("button", name="注册账号").click()
    expect(page.get_by_text("验证码错误，还可以再试4次")).to_be_visible()
    expect(page.get_by_text("密码只包含数字")).to_be_visible()

    page.get_by_label("短信验证码").fill(code_in(sms))
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("再次输入密码").fill(PASSWORD)
    page.get_by_role("button", name="注册账号").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("status")).to_contain_text("注册成功，您已登录")
    expect(page.locator(".who")).to_contain_text("张三")

    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("link", name="登录")).to_be_visible()

    # sign in with the mobile number
    page.goto("/accounts/login/")
    page.get_by_label("用户名或手机号").fill(PHONE)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".who")).to_contain_text("张三")
    page.get_by_role("button", name="退出登录").click()

    # forgot the password: a code to the number, a new password, then sign in with it
    page.goto("/accounts/login/")
    page.get_by_role("link", name="忘记密码？").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("忘记密码")
    page.get_by_label("手机号码").fill(PHONE)
    page.get_by_role("button", name="发送验证码").click()
    # the number asked for a code less than a minute ago (both purposes count): refused, then a minute passes
    expect(page.get_by_role("alert")).to_contain_text("该手机号获取验证码过于频繁")
    a_minute_passes()
    page.get_by_role("button", name="发送验证码").click()
    expect(page).to_have_url(re.compile(r"/password/forgot/verify/$"))
    assert "重置密码" in sms[-1][1]
    page.get_by_label("短信验证码").fill(code_in(sms))
    page.get_by_label("密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("再次输入密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="确认修改密码").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("status")).to_contain_text("密码已修改，请用新密码登录")

    page.get_by_label("用户名或手机号").fill(PHONE)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("请输入一个正确的")  # the old password no longer works
    page.get_by_label("密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".who")).to_contain_text("张三")
    expect(page.locator(".who")).to_contain_text("申请人")


def test_the_sign_up_page_tells_when_the_code_could_not_be_sent(page, sms) -> None:
    MemoryProvider.script.extend([providers.TEMPORARY, providers.PERMANENT])  # busy, then the number refused
    page.goto("/signup/")
    page.get_by_label("手机号码").fill(PHONE)
    page.get_by_role("button", name="发送验证码").click()
    expect(page).to_have_url(re.compile(r"/signup/verify/$"))
    status = page.locator("#code-status")
    expect(status).to_have_text("正在发送验证码……")
    deliver(timezone.now() + timedelta(seconds=31))  # the worker's retry: refused for good
    expect(status).to_contain_text("验证码未能发出")  # the page asked by itself, no reload
    assert sms == []


@pytest.fixture
def platform(live_server, settings: Settings, tmp_path) -> Iterator[dict]:
    """The identity platform in its own process, with lianban's live server as its client; lianban configured."""
    with identity_platform(tmp_path, f"{live_server.url}/accounts/sso/callback/") as discovery:
        configure(settings, discovery)
        yield discovery


def test_a_citizen_signs_in_through_the_identity_platform(page, platform) -> None:
    page.goto("/accounts/login/?next=/my/cases/")
    page.get_by_role("link", name="使用省统一身份认证平台登录").click()
    # the platform's own login page, on its own origin
    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:187\d\d/login/"))
    page.locator("#id_username").fill("lisi")
    page.locator("#id_password").fill(PLATFORM_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # back on lianban, signed in as the platform's person, on the page asked for
    expect(page).to_have_url(re.compile(r"/my/cases/$"))
    expect(page.locator(".who")).to_contain_text("李四")
    expect(page.locator(".who")).to_contain_text("申请人")
