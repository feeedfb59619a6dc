"""Start the test identity platform as its own server process (see the package docstring)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[3]
PORTS = range(18700, 18750)
CLIENT_ID = "lianban"
CLIENT_SECRET = "lianban-secret"
PASSWORD = "platform-password"


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


def _serve(env: dict[str, str], port: int) -> tuple[subprocess.Popen[bytes], dict[str, Any]] | None:
    """The platform serving on ``port`` and its discovery document; None when it could not start there."""
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"],
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


@contextlib.contextmanager
def identity_platform(directory: Path, redirect_uri: str) -> Iterator[dict[str, Any]]:
    """The platform migrated, seeded (lianban a client with ``redirect_uri``) and serving; its discovery document."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.accounts.identity_platform.settings",
        "IDENTITY_PLATFORM_DB": str(directory / "identity-platform.sqlite3"),
        "IDENTITY_PLATFORM_URL": "http://127.0.0.1",
        "PYTHONPATH": str(ROOT),
    }

    def run(*args: str) -> None:
        subprocess.run([sys.executable, *args], cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)  # noqa: S603

    run("-m", "django", "migrate", "--no-input")
    run("-m", "tests.accounts.identity_platform.seed", redirect_uri)
    for port in candidate_ports()[:5]:  # another process may take a port between the probe and the start
        started = _serve(env, port)
        if started is None:
            continue
        server, discovery = started
        try:
            yield discovery
        finally:
            server.terminate()
            server.wait(timeout=10)
        return
    raise RuntimeError("the identity platform did not start on any port of 18700-18749")


def configure(settings: Any, discovery: dict[str, Any]) -> None:
    """lianban's settings for the platform, as the LIANBAN_OIDC_* variables would set them."""
    settings.LIANBAN_OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = discovery["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = discovery["token_endpoint"]
    settings.OIDC_OP_USER_ENDPOINT = discovery["userinfo_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = discovery["jwks_uri"]
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_RP_SCOPES = "openid profile phone identity"
    settings.LIANBAN_OIDC_ISSUER = discovery["issuer"]
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "lianban.accounts.sso.SingleSignOnBackend"]
