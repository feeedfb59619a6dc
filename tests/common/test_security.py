"""Hardening that every answer carries: CSP and the other security headers, private-by-default caching,
the staff idle timeout, password validation, absolute URLs of the public origin (docs/security.md)."""

from __future__ import annotations

import re
import time
from pathlib import Path

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import translation

import pytest

from lianban.accounts.models import Role, User
from lianban.common.http import absolute_url
from lianban.common.middleware import LAST_SEEN
from lianban.core.tracking import format_code
from lianban.workbench.views.common import tracking_url
from tests.cases.kit import catalog, clock, people, submit
from tests.workbench.kit import accepted

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "src" / "lianban").glob("**/templates/**/*.html"))
PUBLIC = "https://zwfw.example.gov.cn"

__all__ = ["catalog", "clock", "people"]  # fixtures of the case-engine kit


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


# ------------------------------------------------------------------ headers


@pytest.mark.django_db
def test_every_page_carries_a_strict_content_security_policy_and_the_other_headers(client):
    response = client.get("/")
    assert response.status_code == 200
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"] and policy["base-uri"] == ["'self'"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in permissions


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "src" / "lianban")))
def test_no_template_has_inline_script_style_or_event_handler(template):
    """The CSP refuses inline code: every script and style is a file the platform serves."""
    text = re.sub(
        r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", "", template.read_text(encoding="utf-8"), flags=re.S
    )
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "inline <script>"
    assert not re.search(r"<style\b", text), "<style> block"
    assert not re.search(r"\sstyle\s*=", text), "style attribute"
    assert not re.search(r"\son[a-z]+\s*=", text), "on… event handler"
    assert "javascript:" not in text


@pytest.mark.django_db
def test_the_swagger_ui_page_runs_under_the_policy_with_data_images_only_added(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("dev", password="x", role=Role.SUPERVISOR))
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    policy = directives(response)
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert "<style" not in html and not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    start = re.search(r'<script src="([^"]*\?script=)"', html)
    assert start, html
    script = client.get(start.group(1).replace("&amp;", "&"))
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content and b'"validatorUrl": null' in script.content


# ------------------------------------------------------------------ caching


def stored(response) -> bool:
    """True when a cache may keep the answer."""
    cache_control = response.get("Cache-Control", "")
    return "no-store" not in cache_control and "private" not in cache_control


@pytest.mark.django_db
def test_public_pages_stay_cacheable_for_anonymous_visitors(client, people):
    for url in ("/", "/search/?q=酒店", "/guide/KJD/", "/api/things/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert stored(response), (url, response.get("Cache-Control"))


@pytest.mark.django_db
def test_personal_answers_are_private_and_never_stored(client, people, clock):
    case = accepted(people)
    code = format_code(case.tracking_code)
    assert client.get(f"/track/{code}/")["Cache-Control"].count("no-store") == 1  # tracking code: a secret link
    client.force_login(people.applicant_user)
    for url in ("/", "/guide/KJD/", "/my/cases/", f"/my/cases/{case.pk}/", f"/api/cases/{case.pk}"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert {"no-store", "private"} <= set(re.split(r",\s*", response["Cache-Control"])), url
    client.force_login(people.clerk)
    for url in ("/work/window/", f"/work/cases/{case.pk}/", f"/work/cases/{case.pk}/receipt.pdf", "/api/cases/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert {"no-store", "private"} <= set(re.split(r",\s*", response["Cache-Control"])), url


# ------------------------------------------------------------------ sessions


def seen_minutes_ago(client, minutes: int) -> None:
    session = client.session
    session[LAST_SEEN] = int(time.time()) - minutes * 60
    session.save()


@pytest.mark.django_db
def test_staff_are_signed_out_after_the_idle_time_and_told_so(client, people, settings):
    settings.LIANBAN_STAFF_IDLE_MINUTES = 30
    client.force_login(people.clerk)
    assert client.get("/work/window/").status_code == 200
    seen_minutes_ago(client, 29)
    assert client.get("/work/window/").status_code == 200
    assert client.session[LAST_SEEN] >= int(time.time()) - 5  # the request counted as activity
    seen_minutes_ago(client, 31)
    response = client.get("/work/window/", follow=True)
    assert response.redirect_chain and response.redirect_chain[0][0].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    assert "30 分钟没有操作" in response.content.decode()


@pytest.mark.django_db
def test_applicants_keep_their_session_past_the_staff_idle_time(client, people, settings):
    settings.LIANBAN_STAFF_IDLE_MINUTES = 30
    client.force_login(people.applicant_user)
    seen_minutes_ago(client, 240)
    assert client.get("/my/cases/").status_code == 200
    assert client.session.get("_auth_user_id") == str(people.applicant_user.pk)


@pytest.mark.django_db
def test_the_idle_timeout_can_be_switched_off(client, people, settings):
    settings.LIANBAN_STAFF_IDLE_MINUTES = 0
    client.force_login(people.supervisor)
    seen_minutes_ago(client, 600)
    client.get("/work/")
    assert client.session.get("_auth_user_id") == str(people.supervisor.pk)


# ------------------------------------------------------------------ passwords


@pytest.mark.django_db
def test_a_password_like_the_user_name_is_refused_in_chinese():
    user = User(username="wangxiaoming2024", display_name="王小明", role=Role.CLERK)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        validate_password("wangxiaoming2024", user)
    assert any("相似" in message for message in refused.value.messages), refused.value.messages
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        validate_password("20241031", user)
    assert any("数字" in message for message in refused.value.messages), refused.value.messages
    validate_password("橙色-灯塔-Vq7#", user)  # a good one passes


# ------------------------------------------------------------------ absolute URLs


def test_absolute_urls_use_the_public_origin_when_one_is_configured(settings):
    settings.ALLOWED_HOSTS = ["10.0.0.5"]
    request = RequestFactory().get("/", HTTP_HOST="10.0.0.5:8000")
    settings.LIANBAN_PUBLIC_URL = ""
    assert absolute_url(request, "/track/X/") == "http://10.0.0.5:8000/track/X/"
    settings.LIANBAN_PUBLIC_URL = PUBLIC
    assert absolute_url(request, "/track/X/") == f"{PUBLIC}/track/X/"


def test_a_proxy_header_is_trusted_only_when_configured(settings):
    settings.ALLOWED_HOSTS = ["zwfw.example.gov.cn"]
    settings.LIANBAN_PUBLIC_URL = ""

    def proxied():
        return RequestFactory().get("/", HTTP_HOST="zwfw.example.gov.cn", HTTP_X_FORWARDED_PROTO="https")

    settings.SECURE_PROXY_SSL_HEADER = None
    assert absolute_url(proxied(), "/a/") == "http://zwfw.example.gov.cn/a/"
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert absolute_url(proxied(), "/a/") == "https://zwfw.example.gov.cn/a/"


@pytest.mark.django_db
def test_qr_links_on_pages_and_pdfs_point_to_the_public_origin(client, people, clock, settings):
    """Behind the TLS proxy the request says http://127.0.0.1:8000; the printed QR code must not."""
    from lianban.intake.selectors import acceptance_receipt as receipt_round
    from lianban.workbench import documents

    settings.LIANBAN_PUBLIC_URL = PUBLIC
    case = accepted(people)
    code = format_code(case.tracking_code)
    expected = f"{PUBLIC}/track/{code}/"
    assert tracking_url(RequestFactory().get("/", HTTP_HOST="127.0.0.1"), case) == expected
    client.force_login(people.clerk)
    pdf = client.get(f"/work/cases/{case.pk}/receipt.pdf", HTTP_HOST="127.0.0.1").content
    drawn = documents.render_pdf(documents.acceptance_receipt(case, receipt_round(case), expected))
    elsewhere = documents.render_pdf(
        documents.acceptance_receipt(case, receipt_round(case), f"http://127.0.0.1/track/{code}/")
    )
    assert page_stream(pdf) == page_stream(drawn) != page_stream(elsewhere)
    fresh = submit(people)
    client.force_login(people.applicant_user)
    page = client.get(f"/my/cases/{fresh.pk}/submitted/", HTTP_HOST="127.0.0.1").content.decode()
    assert f"{PUBLIC}/track/{format_code(fresh.tracking_code)}/" in page


@pytest.mark.django_db
def test_the_apis_page_links_carry_the_public_origin_too(client, people, clock, settings):
    submit(people)
    submit(people)
    client.force_login(people.clerk)
    settings.LIANBAN_PUBLIC_URL = ""
    assert client.get("/api/cases/?page_size=1", HTTP_HOST="127.0.0.1").json()["next"].startswith("http://127.0.0.1/")
    settings.LIANBAN_PUBLIC_URL = PUBLIC
    assert (
        client.get("/api/cases/?page_size=1", HTTP_HOST="127.0.0.1").json()["next"].startswith(f"{PUBLIC}/api/cases/")
    )


def page_stream(content: bytes) -> bytes:
    import io

    from pypdf import PdfReader

    return PdfReader(io.BytesIO(content)).pages[0].get_contents().get_data()
