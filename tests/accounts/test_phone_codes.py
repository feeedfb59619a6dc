"""Citizens sign up and reset a password with codes sent to their mobile number: every rule of the codes.

Random six digits stored as a keyed digest; expiry, limited attempts, single use, newest only; rate
limits per number (1 a minute, 5 an hour, 10 a day) and per address, checked before anything is
sent or stored; the answers do not tell whether a number has an account; Django's password
validators; the applicant record as the real-name identity; sign-in by mobile number (django-axes).
The texts reach the SMS provider through the messaging worker (``tests.accounts.codes``): each request
here is followed by the worker's run of the codes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.test import Client
from django.utils import timezone, translation

import pytest
from stdnum.cn import ric

from lianban.accounts import phone_codes
from lianban.accounts.models import AccountEvent, Applicant, CodePurpose, PhoneCode, Role, User
from lianban.accounts.phone_codes import (
    CodeNotSent,
    CodeRefused,
    parse_limits,
    password_reset_by_code,
    phone_clean,
    phone_code_send,
    phone_codes_prune,
    signup_complete,
)
from lianban.accounts.services import AccountInvalid
from lianban.accounts.tasks import phone_code_prune
from lianban.common.hooks import Hook
from tests.accounts.codes import deliver

pytestmark = pytest.mark.django_db

PHONE = "13800138000"
OTHER = "13900139000"
PASSWORD = "Lantern-Harbour-58"
ADDRESS = "203.0.113.7"


def id_number(body: str = "11010519900307123") -> str:
    """A valid 公民身份号码 from its first 17 digits."""
    return body + ric.calc_check_digit(body + "0")


@pytest.fixture(autouse=True)
def chinese() -> Iterator[None]:
    with translation.override("zh-hans"):
        yield


@pytest.fixture(autouse=True)
def sms(sms_outbox: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return sms_outbox


@pytest.fixture
def t0() -> datetime:
    return timezone.now()


def last_code(sms: list[tuple[str, str]], phone: str = PHONE) -> str:
    texts = [text for to, text in sms if to == phone]
    assert texts, "no message to the number"
    found = re.findall(r"(?<!\d)\d{6}(?!\d)", texts[-1])
    assert found, texts[-1]
    return str(found[0])


def send(phone: str = PHONE, purpose: str = CodePurpose.SIGNUP, at: datetime | None = None, address: str = ADDRESS):
    phone_code_send(phone=phone, purpose=purpose, address=address, now=at)
    deliver(at)


def sign_up(code: str, at: datetime | None = None, **overrides: Any) -> User:
    fields = {
        "phone": PHONE,
        "code": code,
        "name": "张三",
        "id_number": id_number(),
        "password": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }
    return signup_complete(**fields, now=at)


def citizen(phone: str = PHONE) -> User:
    return User.objects.create_user(phone, password=PASSWORD, role=Role.APPLICANT, phone=phone)


# ------------------------------------------------------------------ the code


def test_a_code_is_six_random_digits_sent_and_stored_only_as_a_keyed_digest(sms, t0) -> None:
    send(at=t0)
    code = last_code(sms)
    assert re.fullmatch(r"\d{6}", code)
    assert "10分钟" in sms[-1][1] and "注册" in sms[-1][1]
    row = PhoneCode.objects.get()
    stored = " ".join(str(v) for v in PhoneCode.objects.values().get().values())
    assert code not in stored and PHONE not in stored and ADDRESS not in stored
    assert row.expires_at == t0 + timedelta(minutes=10)
    send(OTHER, at=t0)
    assert last_code(sms, OTHER) != code or PhoneCode.objects.count() == 2  # a fresh code per request


def test_codes_differ_between_requests(sms, t0, settings) -> None:
    settings.LIANBAN_PHONE_CODE_LIMITS = "none"
    settings.LIANBAN_PHONE_CODE_ADDRESS_LIMITS = "none"
    for i in range(8):
        send(at=t0 + timedelta(seconds=i))
    assert len({last_code([m]) for m in sms}) > 1


def test_signing_up_creates_the_citizen_and_the_applicant_record(sms, t0) -> None:
    send(at=t0)
    user = sign_up(last_code(sms), at=t0 + timedelta(minutes=3))
    assert (user.username, user.role, user.display_name, user.phone) == (PHONE, Role.APPLICANT, "张三", PHONE)
    assert user.check_password(PASSWORD)
    applicant = Applicant.objects.get(memberships__user=user)
    assert (applicant.kind, applicant.name, applicant.id_number, applicant.contact_phone) == (
        "person",
        "张三",
        id_number(),
        PHONE,
    )
    assert AccountEvent.objects.filter(action="account.signed_up", target=user).exists()


def test_the_identity_number_is_checked(sms, t0) -> None:
    send(at=t0)
    with pytest.raises(AccountInvalid) as refused:
        sign_up(last_code(sms), id_number="110105199003071235" if id_number()[-1] != "5" else "110105199003071236")
    assert "校验" in refused.value.problems["id_number"]
    assert not User.objects.filter(username=PHONE).exists()


def test_an_identity_another_account_registered_becomes_a_claim(sms, t0) -> None:
    other = User.objects.create_user("someone", password=PASSWORD, role=Role.APPLICANT)
    from lianban.accounts.services import applicant_create

    registered = applicant_create(
        actor=other, kind="person", id_number=id_number(), name="张三", contact_name="张三", contact_phone=OTHER
    )
    send(at=t0)
    user = sign_up(last_code(sms))
    mine = Applicant.objects.get(memberships__user=user)
    assert mine.claim_of == registered and mine.pk != registered.pk


def test_a_code_expires(sms, t0) -> None:
    send(at=t0)
    with pytest.raises(AccountInvalid) as refused:
        sign_up(last_code(sms), at=t0 + timedelta(minutes=10, seconds=1))
    assert refused.value.problems == {"code": "验证码已过期，请重新获取"}


def test_wrong_codes_count_and_the_fifth_ends_the_code(sms, t0) -> None:
    send(at=t0)
    code = last_code(sms)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for left in (4, 3, 2, 1):
        with pytest.raises(AccountInvalid) as refused:
            sign_up(wrong)
        assert refused.value.problems["code"] == f"验证码错误，还可以再试{left}次"
    with pytest.raises(AccountInvalid) as refused:
        sign_up(wrong)
    assert refused.value.problems["code"] == "验证码错误次数过多，请重新获取"
    assert PhoneCode.objects.get().attempts == 5  # counted although each answer was a refusal
    with pytest.raises(AccountInvalid) as refused:
        sign_up(code)  # the right code no longer works
    assert refused.value.problems["code"] == "验证码错误次数过多，请重新获取"


def test_a_code_works_once(sms, t0) -> None:
    citizen()
    send(purpose=CodePurpose.RESET, at=t0)
    code = last_code(sms)
    password_reset_by_code(phone=PHONE, code=code, password="Other-Lantern-77", password2="Other-Lantern-77")
    with pytest.raises(AccountInvalid) as refused:
        password_reset_by_code(phone=PHONE, code=code, password="Third-Lantern-99", password2="Third-Lantern-99")
    assert refused.value.problems == {"code": "验证码错误或已失效，请重新获取"}
    assert User.objects.get(username=PHONE).check_password("Other-Lantern-77")


def test_only_the_newest_code_works(sms, t0) -> None:
    send(at=t0)
    first = last_code(sms)
    send(at=t0 + timedelta(minutes=2))
    second = last_code(sms)
    if first != second:
        with pytest.raises(AccountInvalid):
            sign_up(first, at=t0 + timedelta(minutes=3))
    assert sign_up(second, at=t0 + timedelta(minutes=3)).username == PHONE


def test_a_code_of_one_purpose_does_not_serve_the_other(sms, t0) -> None:
    citizen()
    send(purpose=CodePurpose.RESET, at=t0)
    with pytest.raises(AccountInvalid) as refused:
        signup_complete(
            phone=PHONE,
            code=last_code(sms),
            name="张三",
            id_number=id_number(),
            password=PASSWORD,
            password2=PASSWORD,
        )
    assert "code" in refused.value.problems


def test_a_right_code_with_a_refused_password_is_not_used_up(sms, t0) -> None:
    send(at=t0)
    code = last_code(sms)
    for password, password2, words in (
        ("12345678", "12345678", "只包含数字"),
        ("short", "short", "太短"),
        ("password123", "password123", "太常见"),
        (PHONE + "a", PHONE + "a", "相似"),
        (PASSWORD, PASSWORD + "x", "两次输入的密码不一致"),
    ):
        with pytest.raises(AccountInvalid) as refused:
            sign_up(code, password=password, password2=password2)
        assert words in refused.value.problems["password"], refused.value.problems
        assert "code" not in refused.value.problems
    assert PhoneCode.objects.get().used_at is None
    assert sign_up(code).username == PHONE


def test_a_reset_refuses_a_weak_password(sms, t0) -> None:
    citizen()
    send(purpose=CodePurpose.RESET, at=t0)
    with pytest.raises(AccountInvalid) as refused:
        password_reset_by_code(phone=PHONE, code=last_code(sms), password="11111111", password2="11111111")
    assert "只包含数字" in refused.value.problems["password"]


# ------------------------------------------------------------------ rate limits


def test_one_code_a_minute_per_number_and_a_refusal_costs_nothing(sms, t0) -> None:
    send(at=t0)
    with pytest.raises(CodeRefused) as refused:
        send(at=t0 + timedelta(seconds=30))
    assert refused.value.message == "该手机号获取验证码过于频繁，请在31秒后再试。"
    assert refused.value.retry_after == 31
    assert PhoneCode.objects.count() == 1 and len(sms) == 1
    # the refused request did not count: a minute after the first, the next one goes
    send(at=t0 + timedelta(seconds=61))
    assert PhoneCode.objects.count() == 2 and len(sms) == 2


def test_five_codes_an_hour_per_number(sms, t0) -> None:
    for i in range(5):
        send(at=t0 + timedelta(minutes=2 * i))
    with pytest.raises(CodeRefused) as refused:
        send(at=t0 + timedelta(minutes=10))
    assert refused.value.retry_after == 50 * 60 + 1
    assert "50分钟" in refused.value.message or "51分钟" in refused.value.message
    send(at=t0 + timedelta(minutes=60, seconds=1))


def test_ten_codes_a_day_per_number(sms, t0) -> None:
    for i in range(10):
        send(at=t0 + timedelta(minutes=13 * i))
    with pytest.raises(CodeRefused) as refused:
        send(at=t0 + timedelta(hours=5))
    assert "小时" in refused.value.message
    send(at=t0 + timedelta(days=1, seconds=1))


def test_limits_per_address_across_numbers(sms, t0) -> None:
    for i in range(5):
        send(f"1380013800{i}", at=t0)
    with pytest.raises(CodeRefused) as refused:
        send("13800138009", at=t0 + timedelta(seconds=5))
    assert refused.value.message.startswith("您所在的网络获取验证码过于频繁")
    send("13800138009", at=t0 + timedelta(seconds=5), address="198.51.100.1")  # another address may


def test_the_limits_count_both_purposes_and_numbers_without_accounts(sms, t0) -> None:
    send(purpose=CodePurpose.RESET, at=t0)  # no account: nothing sent, but counted
    assert sms == []
    with pytest.raises(CodeRefused):
        send(purpose=CodePurpose.SIGNUP, at=t0 + timedelta(seconds=10))


def test_parse_limits() -> None:
    assert [(limit.count, limit.seconds) for limit in parse_limits("1/minute, 5/hours,10/day")] == [
        (1, 60),
        (5, 3600),
        (10, 86400),
    ]
    assert parse_limits("none") == ()
    with pytest.raises(ValueError, match="not a rate limit"):
        parse_limits("5/fortnight")


def test_with_nothing_to_send_codes_nothing_is_stored(monkeypatch, t0) -> None:
    monkeypatch.setattr(phone_codes, "PHONE_CODE_QUEUED", Hook("nobody registered"))
    with pytest.raises(CodeNotSent):
        send(at=t0)
    assert not PhoneCode.objects.exists()


def test_phone_numbers_are_cleaned() -> None:
    assert phone_clean("+86 138-0013-8000") == PHONE
    assert phone_clean("0086 13800138000") == PHONE
    for bad in ("12800138000", "1380013800", "138001380001", "电话", ""):
        with pytest.raises(AccountInvalid) as refused:
            phone_clean(bad)
        assert refused.value.problems == {"phone": "请输入11位手机号码"}


# ------------------------------------------------------------------ no account enumeration


def test_a_reset_code_goes_only_to_a_number_with_an_account(sms, t0) -> None:
    send(purpose=CodePurpose.RESET, at=t0)
    assert sms == []  # no account: nothing sent
    citizen(OTHER)
    send(OTHER, purpose=CodePurpose.RESET, at=t0, address="198.51.100.2")
    assert "重置密码" in sms[-1][1]


def test_a_sign_up_request_for_a_number_with_an_account_says_so_by_sms_not_on_the_page(sms, t0) -> None:
    citizen()
    send(at=t0)
    assert "已注册" in sms[-1][1] and not re.search(r"(?<!\d)\d{6}(?!\d)", sms[-1][1])


def page(client: Client, path: str, data: dict[str, str] | None = None) -> Any:
    if data is None:
        return client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
    response = client.post(path, data, HTTP_ACCEPT_LANGUAGE="zh-hans", REMOTE_ADDR=ADDRESS, follow=True)
    deliver()  # the worker's run the request asked for
    return response


def answer(response: Any, phone: str) -> tuple[int, str, str]:
    """Status, where it went, the messages (the masked number as typed left out)."""
    text = response.content.decode().replace(f"{phone[:3]}****{phone[-4:]}", "NUMBER")
    messages = re.findall(r'<li class="message[^"]*">(.*?)</li>', text)
    return response.status_code, response.redirect_chain[-1][0] if response.redirect_chain else "", "|".join(messages)


@pytest.mark.parametrize("path", ["/password/forgot/", "/signup/"])
def test_the_page_answers_alike_whether_the_number_has_an_account(sms, path: str) -> None:
    citizen(PHONE)
    with_account = answer(page(Client(), path, {"phone": PHONE}), PHONE)
    without = answer(page(Client(), path, {"phone": OTHER}), OTHER)
    assert with_account == without
    assert with_account[1].endswith("verify/")
    assert "验证码正在发送" in with_account[2]


def test_a_reset_for_a_number_without_account_fails_like_a_wrong_code(sms) -> None:
    client = Client()
    page(client, "/password/forgot/", {"phone": OTHER})
    response = page(client, "/password/forgot/verify/", {"code": "123456", "password": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 400
    assert "验证码错误" in response.content.decode()


# ------------------------------------------------------------------ the pages


def test_the_pages_are_chinese(sms) -> None:
    text = page(Client(), "/signup/").content.decode()
    assert "注册" in text and "手机号码" in text and "发送验证码" in text
    text = page(Client(), "/password/forgot/").content.decode()
    assert "忘记密码" in text
    login = page(Client(), "/accounts/login/").content.decode()
    assert "用户名或手机号" in login and 'href="/signup/"' in login and 'href="/password/forgot/"' in login


def test_the_second_step_needs_the_first() -> None:
    assert page(Client(), "/signup/verify/").url == "/signup/"
    assert page(Client(), "/password/forgot/verify/").url == "/password/forgot/"


def test_sign_up_on_the_pages_then_sign_in_with_the_number(sms) -> None:
    client = Client()
    response = page(client, "/signup/", {"phone": "+86 138 0013 8000"})
    assert response.redirect_chain[-1][0] == "/signup/verify/"
    assert "138****8000" in response.content.decode()
    form = {"code": last_code(sms), "name": "张三", "id_number": id_number(), "password": PASSWORD}
    response = page(client, "/signup/verify/", {**form, "password2": PASSWORD})
    assert response.redirect_chain[-1][0] == "/"
    assert client.session["_auth_user_id"] == str(User.objects.get(username=PHONE).pk)
    fresh = Client()
    response = fresh.post("/accounts/login/", {"username": PHONE, "password": PASSWORD})
    assert response.status_code == 302 and fresh.session["_auth_user_id"]


def test_a_bad_number_and_a_rate_limit_are_named_on_the_page(sms) -> None:
    response = page(Client(), "/signup/", {"phone": "12345"})
    assert response.status_code == 400 and "请输入11位手机号码" in response.content.decode()
    page(Client(), "/signup/", {"phone": PHONE})
    response = page(Client(), "/signup/", {"phone": PHONE})
    assert response.status_code == 429
    assert "该手机号获取验证码过于频繁" in response.content.decode()
    assert 0 < int(response["Retry-After"]) <= 61


def test_reset_on_the_pages(sms) -> None:
    citizen()
    client = Client()
    page(client, "/password/forgot/", {"phone": PHONE})
    new = "Other-Lantern-77"
    response = page(client, "/password/forgot/verify/", {"code": last_code(sms), "password": new, "password2": new})
    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert "密码已修改" in response.content.decode()
    assert User.objects.get(username=PHONE).check_password(new)
    assert AccountEvent.objects.filter(action="account.password_reset").count() == 1


def test_sign_in_by_mobile_number_is_locked_after_repeated_failures(settings, sms) -> None:
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 10
    citizen()
    client = Client()
    for _ in range(10):
        client.post("/accounts/login/", {"username": PHONE, "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    response = client.post("/accounts/login/", {"username": PHONE, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_reset_lifts_the_lock_of_the_number(settings, sms) -> None:
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_LOCKOUT_PARAMETERS = ["username"]
    citizen()
    for _ in range(3):
        Client().post("/accounts/login/", {"username": PHONE, "password": "wrong"})
    assert Client().post("/accounts/login/", {"username": PHONE, "password": PASSWORD}).status_code == 429
    client = Client()
    page(client, "/password/forgot/", {"phone": PHONE})
    new = "Other-Lantern-77"
    page(client, "/password/forgot/verify/", {"code": last_code(sms), "password": new, "password2": new})
    assert Client().post("/accounts/login/", {"username": PHONE, "password": new}).status_code == 302


def test_old_code_rows_are_pruned(sms, t0) -> None:
    send(at=t0 - timedelta(days=1, minutes=11))
    send(OTHER, at=t0 - timedelta(hours=23))
    assert phone_codes_prune(now=t0) == 1
    assert PhoneCode.objects.count() == 1
    assert phone_code_prune.call() == 0  # the worker's periodic task


def test_a_sign_up_that_loses_a_race_for_its_number_is_refused_not_a_server_error(sms, t0, monkeypatch) -> None:
    send(at=t0)
    code = last_code(sms)
    citizen()  # another sign-up for the number committed after this one's check
    monkeypatch.setattr(phone_codes, "_username_taken", lambda phone: False)
    with pytest.raises(AccountInvalid) as refused:
        sign_up(code, at=t0)
    assert set(refused.value.problems) == {"code"}
    assert User.objects.filter(username=PHONE).count() == 1
