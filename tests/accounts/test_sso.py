"""Single sign-on against a real OpenID Connect provider started by the test (django-oidc-provider).

The provider (``tests/accounts/identity_platform``) runs as its own server
process on a port of 18700–18749 with its own database; lianban fetches its
discovery document, sends the person there, and exchanges the code, checks the
RS256 ID token against the provider's JWKS and reads the userinfo endpoint —
over HTTP, nothing mocked. The person's side (the provider's login form) is
driven with ``requests``; lianban's side with Django's test client.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

from django.test import Client

import pytest
import requests
from pytest_django import Settings

from lianban.accounts.models import AccountEvent, Applicant, Role, SingleSignOnIdentity, User
from tests.accounts.identity_platform.server import PASSWORD, configure, identity_platform

pytestmark = pytest.mark.django_db

CALLBACK = "http://testserver/accounts/sso/callback/"


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The identity platform serving in its own process; its discovery document."""
    with identity_platform(tmp_path_factory.mktemp("identity-platform"), CALLBACK) as discovery:
        yield discovery


@pytest.fixture
def sso(settings: Settings, platform: dict[str, Any]) -> dict[str, Any]:
    """lianban configured for the platform, as the LIANBAN_OIDC_* variables would (docs/configuration.md)."""
    configure(settings, platform)
    return platform


def sign_in_at_the_platform(authorize_url: str, username: str) -> str:
    """The person signs in on the platform's own page; returns where the platform sends them back (lianban)."""
    person = requests.Session()
    url = authorize_url
    for _ in range(10):
        response = person.get(url, allow_redirects=False, timeout=10)
        if response.status_code == 200 and "csrfmiddlewaretoken" in response.text:
            token = person.cookies["csrftoken"]
            next_ = parse_qs(urlsplit(url).query)["next"][0]
            response = person.post(
                url,
                data={
                    "csrfmiddlewaretoken": token,
                    "username": username,
                    "password": PASSWORD,
                    "next": next_,
                },
                headers={"Referer": url},
                allow_redirects=False,
                timeout=10,
            )
        assert response.status_code == 302, response.text[:2000]
        url = urljoin(url, response.headers["Location"])
        if url.startswith(CALLBACK):
            return url
    raise AssertionError("the platform never sent the person back")


def single_sign_on(client: Client, username: str, next_: str = "") -> Any:
    """lianban sends the person to the platform's authorization endpoint and takes them back: its answer."""
    start = client.get("/accounts/sso/" + (f"?next={next_}" if next_ else ""))
    assert start.status_code == 302
    authorize = urlsplit(start["Location"])
    query = parse_qs(authorize.query)
    assert (query["client_id"], query["response_type"], query["redirect_uri"]) == (["lianban"], ["code"], [CALLBACK])
    assert query["state"] and query["nonce"]
    back = urlsplit(sign_in_at_the_platform(start["Location"], username))
    return client.get(back.path + "?" + back.query, HTTP_ACCEPT_LANGUAGE="zh-hans"), start["Location"]


def test_a_citizen_signs_in_through_the_platform_and_becomes_an_applicant(sso: dict[str, Any]) -> None:
    client = Client()
    response, authorize = single_sign_on(client, "lisi", next_="/my/cases/")
    assert authorize.startswith(sso["authorization_endpoint"] + "?")
    assert response.status_code == 302 and response["Location"] == "/my/cases/"
    identity = SingleSignOnIdentity.objects.get()
    user = identity.user
    assert client.session["_auth_user_id"] == str(user.pk)
    assert (identity.issuer, user.role, user.display_name, user.phone) == (
        sso["issuer"],
        Role.APPLICANT,
        "李四",
        "13700137000",
    )
    assert not user.has_usable_password()
    applicant = Applicant.objects.get(memberships__user=user)
    assert (applicant.kind, applicant.name, applicant.id_number, applicant.claim_of) == (
        "person",
        "李四",
        "11010519491231002X",
        None,
    )
    assert AccountEvent.objects.filter(action="account.sso_signed_up", target=user).exists()
    assert client.get("/my/cases/").status_code == 200  # an applicant's page opens

    # the next sign-in finds the same user (by iss + sub), nothing added
    again = Client()
    response, _ = single_sign_on(again, "lisi")
    assert response.status_code == 302
    assert again.session["_auth_user_id"] == str(user.pk)
    assert User.objects.filter(role=Role.APPLICANT).count() == 1
    assert Applicant.objects.count() == 1


def test_an_identity_without_an_id_number_claim_gets_a_user_and_no_applicant(sso: dict[str, Any]) -> None:
    client = Client()
    response, _ = single_sign_on(client, "wangwu")
    assert response.status_code == 302
    user = User.objects.get(sso_identities__subject__isnull=False)
    assert user.display_name == "王五"
    assert not Applicant.objects.exists()


def test_another_platform_identity_with_a_registered_number_gets_a_claim(sso: dict[str, Any]) -> None:
    single_sign_on(Client(), "lisi")
    single_sign_on(Client(), "lisi2")
    registered, claim = Applicant.objects.order_by("id")
    assert claim.claim_of == registered  # confirmed at the window against the papers, as in the portal


def test_a_deactivated_account_is_refused(sso: dict[str, Any]) -> None:
    single_sign_on(Client(), "lisi")
    User.objects.filter(role=Role.APPLICANT).update(is_active=False)
    client = Client()
    response, _ = single_sign_on(client, "lisi")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "统一身份认证登录未成功" in page


def test_a_forged_callback_is_refused(sso: dict[str, Any]) -> None:
    client = Client()
    client.get("/accounts/sso/")
    response = client.get("/accounts/sso/callback/?code=forged&state=forged")
    assert response.status_code in (302, 400)
    assert "_auth_user_id" not in client.session
    assert not User.objects.exists()


def test_the_login_page_offers_the_platform_when_configured(sso: dict[str, Any]) -> None:
    page = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'href="/accounts/sso/"' in page and "使用省统一身份认证平台登录" in page


def test_single_sign_on_is_off_unless_configured() -> None:
    client = Client()
    assert client.get("/accounts/sso/").status_code == 404
    assert client.get("/accounts/sso/callback/?code=x&state=y").status_code == 404
    assert "/accounts/sso/" not in client.get("/accounts/login/").content.decode()


def test_the_security_administrator_sees_the_identity_on_the_users_page(sso: dict[str, Any]) -> None:
    single_sign_on(Client(), "lisi")
    user = User.objects.get(role=Role.APPLICANT)
    security = User.objects.create_user("sec", password="pw-for-tests-only", role=Role.SECURITY, is_staff=True)
    admin = Client()
    admin.force_login(security)
    page = admin.get(f"/admin/accounts/user/{user.pk}/change/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "统一身份认证账号" in page and sso["issuer"] in page
