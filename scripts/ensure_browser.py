#!/usr/bin/env python3
"""Make sure the browser tests can run: Debian's Chromium and a CJK font.

    python3 scripts/ensure_browser.py           check; install what is missing (root + apt-get)
    python3 scripts/ensure_browser.py --check   check only; never install

Checks ``/usr/bin/chromium`` (it must start and print its version) and a font
covering Chinese (``fc-list :lang=zh``). When something is missing and this
runs as root on a system with ``apt-get``, it installs ``chromium`` and
``fonts-noto-cjk`` (running ``apt-get update`` first only when the package
lists are missing or do not know a package, or after an install that failed
on stale lists). Exits 0 when everything is there,
1 with a message saying what is missing and how to install it otherwise.

Standard library only: it runs before the virtualenv exists.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
PACKAGES = ("chromium", "fonts-noto-cjk")
APT_LISTS = Path("/var/lib/apt/lists")
APT_ENV = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}


def say(message: str) -> None:
    """Print a line for the person reading the CI log."""
    print(f"ensure_browser: {message}", flush=True)  # noqa: T201


def chromium_version() -> str | None:
    """Chromium's version line, or None when it is missing or does not start."""
    if not CHROMIUM.exists():
        return None
    try:
        result = subprocess.run(  # noqa: S603
            [str(CHROMIUM), "--headless", "--no-sandbox", "--version"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    line = result.stdout.strip().splitlines()[0] if result.stdout.strip() else ""
    return line if result.returncode == 0 and line else None


def cjk_fonts() -> list[str]:
    """Font families that cover Chinese, as fontconfig sees them."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    result = subprocess.run(  # noqa: S603
        [fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=60, check=False
    )
    return sorted({line.strip() for line in result.stdout.splitlines() if line.strip()})


def missing_packages() -> list[str]:
    """The Debian packages still needed."""
    missing = []
    if chromium_version() is None:
        missing.append("chromium")
    if not cjk_fonts():
        missing.append("fonts-noto-cjk")
    return missing


def apt_knows(packages: list[str]) -> bool:
    """True when the local package lists have an install candidate for every package."""
    if not APT_LISTS.is_dir() or not any(APT_LISTS.glob("*_Packages*")):
        return False
    for package in packages:
        result = subprocess.run(  # noqa: S603
            ["apt-cache", "policy", package],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if "Candidate:" not in result.stdout or "Candidate: (none)" in result.stdout:
            return False
    return True


def apt(*args: str) -> bool:
    """Run apt-get with the arguments; True when it succeeded."""
    command = ["apt-get", *args]
    say("running " + " ".join(command))
    return subprocess.run(command, env=APT_ENV, check=False).returncode == 0  # noqa: S603


def install(packages: list[str]) -> str | None:
    """Install the packages with apt-get; None on success, else why it could not."""
    if shutil.which("apt-get") is None:
        return "apt-get is not available on this system"
    if os.geteuid() != 0:
        return "installing needs root (run this script as root, or install the packages yourself)"
    updated = False
    if not apt_knows(packages):
        if not apt("update"):
            return "apt-get update failed"
        updated = True
    if apt("install", "-y", *packages):
        return None
    # Stale package lists point at files the mirror no longer has: refresh once and retry.
    if not updated and apt("update") and apt("install", "-y", *packages):
        return None
    return "apt-get install failed"


def main(argv: list[str]) -> int:
    """Check, install when allowed and needed, check again."""
    check_only = "--check" in argv
    missing = missing_packages()
    if missing and not check_only:
        say("missing: " + ", ".join(missing))
        problem = install(missing)
        if problem:
            say(f"cannot install: {problem}")
        missing = missing_packages()
    if missing:
        say(
            "FAIL: the browser tests need "
            + " and ".join(f"{name!r}" for name in missing)
            + f"; install with: apt-get install -y {' '.join(PACKAGES)}"
        )
        if "chromium" in missing:
            say(f"({CHROMIUM} is missing or does not start)")
        if "fonts-noto-cjk" in missing:
            say("(no font covers Chinese: `fc-list :lang=zh` is empty)")
        return 1
    say(f"ok: {chromium_version()}; CJK font: {cjk_fonts()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
