"""``lianban check --deploy`` is clean with the production settings of docs/configuration.md.

The settings are read once at start-up from the environment, so each check runs ``lianban`` in a
fresh process with exactly the documented variables (a ``<placeholder>`` gets a fresh value).
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def production_block() -> dict[str, str]:
    """The ``sh`` block under "Production settings" in docs/configuration.md, as variables."""
    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    section = text.split("## Production settings", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, flags=re.S)
    assert block, "docs/configuration.md has no ```sh block of production settings"
    variables = {}
    for line in block.group(1).splitlines():
        if line.strip() and not line.startswith("#"):
            name, value = line.split("=", 1)
            variables[name] = value
    return variables


#: Placeholders of key variables get a fresh key in the form ``lianban keys generate`` prints.
FRESH_KEYS = {
    "LIANBAN_DATA_KEYS": lambda: "k1:" + base64.b64encode(os.urandom(16)).decode(),
    "LIANBAN_LOOKUP_KEY": lambda: base64.b64encode(os.urandom(32)).decode(),
}


def fresh_value(name: str, value: str) -> str:
    """The documented value with its ``<placeholder>`` replaced by a fresh secret."""
    if not value.startswith("<"):
        return re.sub(r"<[^>]*>", "secret", value)
    return FRESH_KEYS[name]() if name in FRESH_KEYS else secrets.token_urlsafe(50)


def lianban(tmp_path: Path, variables: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``lianban ARGS`` with only ``variables`` set (and a data directory of its own)."""
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "LIANBAN_DATA_DIR": str(tmp_path / "var"),
        **{name: fresh_value(name, value) for name, value in variables.items()},
    }
    return subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "-m", "lianban", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_documented_production_settings_pass_the_deploy_check_without_a_warning(tmp_path):
    variables = production_block()
    assert {"LIANBAN_PUBLIC_URL", "DJANGO_SECURE_SSL_REDIRECT", "DJANGO_SECURE_HSTS_SECONDS"} <= set(variables)
    done = lianban(tmp_path, variables, "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout + done.stderr


def test_without_them_the_deploy_check_names_what_is_missing(tmp_path):
    done = lianban(tmp_path, {}, "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in done.stderr, warning


SHOW = (
    "import json; from django.conf import settings as s; print(json.dumps({n: getattr(s, n) for n in ("
    "'ALLOWED_HOSTS', 'CSRF_TRUSTED_ORIGINS', 'SECURE_PROXY_SSL_HEADER', 'SESSION_COOKIE_SECURE', "
    "'CSRF_COOKIE_SECURE', 'LIANBAN_PUBLIC_URL', 'SECURE_HSTS_SECONDS')}))"
)


def settings_with(tmp_path: Path, variables: dict[str, str]) -> dict[str, object]:
    done = lianban(tmp_path, variables, "shell", "--no-imports", "-c", SHOW)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_hosts_origins_and_cookies_follow_the_public_url(tmp_path):
    derived = settings_with(tmp_path, {"LIANBAN_PUBLIC_URL": "https://zwfw.example.gov.cn/"})
    assert derived["LIANBAN_PUBLIC_URL"] == "https://zwfw.example.gov.cn"
    assert derived["ALLOWED_HOSTS"] == ["zwfw.example.gov.cn", "127.0.0.1", "localhost", "[::1]"]
    assert derived["CSRF_TRUSTED_ORIGINS"] == ["https://zwfw.example.gov.cn"]
    assert derived["SESSION_COOKIE_SECURE"] is True and derived["CSRF_COOKIE_SECURE"] is True
    assert derived["SECURE_PROXY_SSL_HEADER"] is None  # no proxy trusted unless configured

    explicit = settings_with(
        tmp_path,
        {
            "LIANBAN_PUBLIC_URL": "https://zwfw.example.gov.cn",
            "DJANGO_ALLOWED_HOSTS": "zwfw.example.gov.cn",
            "DJANGO_CSRF_TRUSTED_ORIGINS": "https://www.zwfw.example.gov.cn",
            "DJANGO_SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
            "DJANGO_SECURE_HSTS_SECONDS": "600",
        },
    )
    assert explicit["ALLOWED_HOSTS"] == ["zwfw.example.gov.cn"]
    assert explicit["CSRF_TRUSTED_ORIGINS"] == ["https://www.zwfw.example.gov.cn", "https://zwfw.example.gov.cn"]
    assert explicit["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert explicit["SECURE_HSTS_SECONDS"] == 600

    plain = settings_with(tmp_path, {"DJANGO_SECURE_PROXY_SSL_HEADER": "X-Forwarded-Scheme=HTTPS"})
    assert plain["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_SCHEME", "HTTPS"]
    assert plain["SESSION_COOKIE_SECURE"] is False and plain["LIANBAN_PUBLIC_URL"] == ""


@pytest.mark.parametrize("url", ["zwfw.example.gov.cn", "https://zwfw.example.gov.cn/portal", "ftp://x.cn"])
def test_a_public_url_that_is_not_an_origin_is_refused_at_start(tmp_path, url):
    done = lianban(tmp_path, {"LIANBAN_PUBLIC_URL": url}, "check")
    assert done.returncode != 0 and "LIANBAN_PUBLIC_URL must be an origin" in done.stderr
