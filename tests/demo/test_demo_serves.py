"""``lianban demo`` as a real process: it serves a home page listing the three one-things, in Chinese.

The demo runs on its embedded SQLite database in a temporary data directory,
whichever database the rest of the suite uses.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

LIANBAN = Path(sys.executable).with_name("lianban")


def free_port() -> int:
    """A free port: from ``LIANBAN_TEST_PORT_BASE`` upwards when it is set (a shared machine), else any."""
    base = os.environ.get("LIANBAN_TEST_PORT_BASE")
    for port in range(int(base), int(base) + 50) if base else [0]:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(s.getsockname()[1])
    pytest.fail(f"no free port in {base}-{int(base or 0) + 49} (LIANBAN_TEST_PORT_BASE)")


def test_the_demo_command_serves_the_home_page_with_the_three_things(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["LIANBAN_DATA_DIR"] = str(tmp_path)
    process = subprocess.Popen(  # noqa: S603 - our own installed command
        [str(LIANBAN), "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body = ""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"demo exited early:\n{process.stdout.read() if process.stdout else ''}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    body = response.read().decode("utf-8")
                    break
            except OSError:
                time.sleep(0.5)
        assert "我要开饭馆" in body
        assert "我要开酒店、宾馆" in body
        assert "我要开药店" in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/portal/lianban.css", timeout=5) as css:
            assert css.status == 200
        # the demo is in Chinese whatever the browser asks
        english = urllib.request.Request(f"http://127.0.0.1:{port}/track/", headers={"Accept-Language": "en"})
        with urllib.request.urlopen(english, timeout=5) as response:  # noqa: S310 - http to our own server
            assert '<html lang="zh-hans"' in response.read().decode("utf-8")
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
