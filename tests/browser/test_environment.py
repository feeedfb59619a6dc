"""The browser tests fail, never skip, when Chromium is missing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.browser


def test_a_missing_chromium_fails_the_browser_tests(tmp_path):
    probe = tmp_path / "test_probe.py"
    probe.write_text("def test_needs_a_browser(browser):\n    assert browser\n")
    # The browser fixtures as the suite has them (their module imports Django models, so Django is set up first).
    (tmp_path / "conftest.py").write_text("from tests.browser.conftest import _playwright, browser  # noqa: F401\n")
    env = {
        **os.environ,
        "LIANBAN_CHROMIUM": str(tmp_path / "no-chromium"),
        "DJANGO_SETTINGS_MODULE": "lianban.config.settings_test",
    }
    env.pop("PYTEST_XDIST_WORKER", None)
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [
            sys.executable, "-m", "pytest", "-c", os.devnull, "--rootdir", str(tmp_path),
            "-p", "no:cacheprovider", "-p", "no:xdist", "-q", str(probe),
        ],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "1 error" in output or "1 failed" in output, output
    assert "skipped" not in output
    assert "no-chromium is missing" in output
