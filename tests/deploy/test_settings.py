"""The environment of docs/deploy.md turns the production settings into the multi-machine layout.

Each case imports ``lianban.config.settings`` in a fresh interpreter with a given
environment (settings are read once, at import).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.deploy.stack import nginx_site

PROBE = """
import json
from django.conf import settings
import django
django.setup()
print(json.dumps({
    "storage": settings.STORAGES["default"]["BACKEND"],
    "bucket": settings.STORAGES["default"].get("OPTIONS", {}).get("bucket_name"),
    "endpoint": settings.STORAGES["default"].get("OPTIONS", {}).get("endpoint_url"),
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"].get("LOCATION"),
    "sessions": settings.SESSION_ENGINE,
    "proxy_ssl_header": getattr(settings, "SECURE_PROXY_SSL_HEADER", None),
    "lease": settings.LIANBAN_WORKER_LEASE_SECONDS,
}))
"""


def production_settings(tmp_path: Path, **env: str) -> dict[str, object]:
    """The settings ``lianban.config.settings`` makes of ``env`` (and nothing else of this test's environment)."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", PROBE],
        env={
            **keep,
            "DJANGO_SETTINGS_MODULE": "lianban.config.settings",
            "LIANBAN_DATA_DIR": str(tmp_path),
            "DJANGO_SECRET_KEY": "probe",
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_deployment_environment_selects_s3_redis_and_the_proxy_header(tmp_path: Path) -> None:
    found = production_settings(
        tmp_path,
        LIANBAN_S3_BUCKET="materials",
        LIANBAN_S3_ENDPOINT_URL="https://s3.intranet:9000",
        LIANBAN_REDIS_URL="redis://cache.intranet:6379/0",
        DJANGO_SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
        LIANBAN_WORKER_LEASE_SECONDS="30",
    )
    assert found == {
        "storage": "storages.backends.s3.S3Storage",
        "bucket": "materials",
        "endpoint": "https://s3.intranet:9000",
        "cache": "django.core.cache.backends.redis.RedisCache",
        "cache_location": "redis://cache.intranet:6379/0",
        "sessions": "django.contrib.sessions.backends.cached_db",
        "proxy_ssl_header": ["HTTP_X_FORWARDED_PROTO", "https"],
        "lease": 30.0,
    }


def test_without_it_one_machine_keeps_everything_local(tmp_path: Path) -> None:
    found = production_settings(tmp_path)
    assert found["storage"] == "django.core.files.storage.FileSystemStorage"
    assert found["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert found["sessions"] == "django.contrib.sessions.backends.db"
    assert found["proxy_ssl_header"] is None
    assert found["lease"] == 60.0


def test_the_nginx_template_renders_every_placeholder() -> None:
    site = nginx_site(listen="443 ssl", app_servers=["web1:8000", "web2:8000"], server_name="zwfw.example.gov.cn")
    assert "server web1:8000;\n    server web2:8000;" in site
    assert "listen 443 ssl;" in site
    assert "X-Forwarded-Proto $scheme" in site
    assert "@" not in site
