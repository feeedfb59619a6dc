"""Single sign-on against a real OpenID Connect provider started by the test (django-oidc-provider).

The provider (``tests/accounts/identity_platform``) runs as its own server
process on a port of 18700–18749 with its own database; lianban fetches its
discovery document, sends the person there, and exchanges the code, checks the
RS256 ID token against the provider's JWKS and reads the userinfo endpoint —
over HTTP, nothing mocked. The person's side (the provider's login form) is
driven with ``requests``; lianban's side with Django's test client.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

from django.test import Client

import pytest
import requests
from pytest_django import Settings

from lianban.accounts.models import AccountEvent, Applicant, Role, SingleSignOnIdentity, User

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
CALLBACK = "http://testserver/accounts/sso/callback/"
PORTS = range(18700, 18750)


def candidate_ports() -> list[int]:
    """Free-looking ports of 18700–18749, each pytest-xdist worker starting at its own."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    start = (int(worker) * 7 if worker.isdigit() else 0) % len(PORTS)
    ports = []
    for port in [*PORTS[start:], *PORTS[:start]]:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        ports.append(port)
    return ports


def serve(python: str, env: dict[str, str], port: int) -> tuple[subprocess.Popen[bytes], dict[str, Any]] | None:
    """The platform serving on ``port`` and its discovery document; None when it could not start there."""
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603
        [python, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"],
        cwd=ROOT,
        env={**env, "IDENTITY_PLATFORM_URL": url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            response = requests.get(f"{url}/openid/.well-known/openid-configuration", timeout=2)
            if response.status_code == 200:
                return server, response.json()
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    server.terminate()
    server.wait(timeout=10)
    return None


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The identity platform, migrated, seeded and serving (its own process and port); its discovery document."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.accounts.identity_platform.settings",
        "IDENTITY_PLATFORM_DB": str(tmp_path_factory.mktemp("identity-platform") / "db.sqlite3"),
        "IDENTITY_PLATFORM_URL": "http://127.0.0.1",
        "PYTHONPATH": str(ROOT),
    }
    python = sys.executable

    def run(*args: str) -> None:
        subprocess.run([python, *args], cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)  # noqa: S603

    run("-m", "django", "migrate", "--no-input")
    run("-m", "tests.accounts.identity_platform.seed", CALLBACK)
    for port in candidate_ports()[:5]:  # another process may take a port between the probe and the start
        started = serve(python, env, port)
        if started is not None:
            server, discovery = started
            try:
                yield discovery
            finally:
                server.terminate()
                server.wait(timeout=10)
            return
    raise RuntimeError("the identity platform did not start on any port of 18700-18749")


@pytest.fixture
def sso(settings: Settings, platform: dict[str, Any]) -> dict[str, Any]:
    """lianban configured for the platform, as the LIANBAN_OIDC_* variables would (docs/configuration.md)."""
    settings.LIANBAN_OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = "lianban"
    settings.OIDC_RP_CLIENT_SECRET = "lianban-secret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = platform["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = platform["token_endpoint"]
    settings.OIDC_OP_USER_ENDPOINT = platform["userinfo_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = platform["jwks_uri"]
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_RP_SCOPES = "openid profile phone identity"
    settings.LIANBAN_OIDC_ISSUER = platform["issuer"]
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "lianban.accounts.sso.SingleSignOnBackend"]
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
                    "password": "platform-password",
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
    assert 'action="/accounts/sso/"' in page and "使用省统一身份认证平台登录" in page


def test_single_sign_on_is_off_unless_configured() -> None:
    client = Client()
    assert client.get("/accounts/sso/").status_code == 404
    assert client.get("/accounts/sso/callback/?code=x&state=y").status_code == 404
    assert 'action="/accounts/sso/"' not in client.get("/accounts/login/").content.decode()


def test_the_security_administrator_sees_the_identity_on_the_users_page(sso: dict[str, Any]) -> None:
    single_sign_on(Client(), "lisi")
    user = User.objects.get(role=Role.APPLICANT)
    security = User.objects.create_user("sec", password="pw-for-tests-only", role=Role.SECURITY, is_staff=True)
    admin = Client()
    admin.force_login(security)
    page = admin.get(f"/admin/accounts/user/{user.pk}/change/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "统一身份认证账号" in page and sso["issuer"] in page
