#!/usr/bin/env python3
"""Set up and run lianban on a machine with only Python 3.11.

    python3.11 dev.py demo          start the platform with demo data (http://127.0.0.1:8000/)
    python3.11 dev.py test          run every check and the whole test suite
    python3.11 dev.py check         the fast checks only: lint, format, types, layers, migrations, schema
    python3.11 dev.py pytest ARGS   pytest alone (one process): e.g. one file, ``-k name``
    python3.11 dev.py bench [NAME]  run the benchmarks in bench/ (all, or one: a folder's name)
    python3.11 dev.py <command>     any ``lianban`` command (catalog, plan, migrate…)

The first run creates ``.venv`` and installs lianban into it; later runs reuse
it and reinstall only when ``pyproject.toml`` changed. ``DATABASE_URL`` selects
PostgreSQL for every command, the tests included.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")


def run(*cmd: str | Path, **kwargs: object) -> None:
    """Run a command, echoing it; exit with its status when it fails."""
    print("+", " ".join(str(c) for c in cmd), flush=True)
    result = subprocess.run([str(c) for c in cmd], cwd=ROOT, check=False, **kwargs)  # type: ignore[call-overload]
    if result.returncode != 0:
        sys.exit(result.returncode)


def ensure_venv(extra: str) -> None:
    """Create .venv and install lianban (with ``extra``) when missing or outdated."""
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"lianban needs Python 3.11 (this is {sys.version.split()[0]}); run it with python3.11")
    if not PY.exists():
        print(f"Creating {VENV} …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    stamp = VENV / f".installed-{extra or 'base'}-{digest}"
    if stamp.exists():
        return
    target = f".[{extra}]" if extra else "."
    run(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--upgrade", "pip")
    run(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", target)
    for old in VENV.glob(f".installed-{extra or 'base'}-*"):
        old.unlink()
    stamp.touch()


def lianban(*args: str) -> None:
    """Run the installed ``lianban`` command, replacing this process."""
    exe = BIN / ("lianban.exe" if os.name == "nt" else "lianban")
    os.execv(str(exe), [str(exe), *args])  # noqa: S606


def checks(env: dict[str, str]) -> None:
    """The checks that need no test run: lint, format, types, import contracts, migrations, schema."""
    run(BIN / "ruff", "check", "src", "tests", "bench", "dev.py")
    run(BIN / "ruff", "format", "--check", "src", "tests", "bench", "dev.py")
    run(BIN / "mypy")
    run(BIN / "lint-imports")
    run(BIN / "lianban", "makemigrations", "--check", "--dry-run", env=env)
    check_schema(env)


def check(_args: list[str]) -> None:
    """The fast checks alone (seconds, no tests): what to run before a commit."""
    ensure_venv("dev")
    checks({**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    print("== checks passed", flush=True)


def pytest(args: list[str]) -> None:
    """pytest alone, in one process (``-n`` in ``args`` overrides): one file, one test, ``-k``.

    Hypothesis runs its quick profile here (``LIANBAN_HYPOTHESIS=ci`` for the full one, as ``test`` runs).
    """
    ensure_venv("dev")
    env = {"LIANBAN_HYPOTHESIS": "dev", **os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    workers = [] if any(a == "-n" or a.startswith("-n") for a in args) else ["-n", "0"]
    run(PY, "-m", "pytest", *workers, *args, env=env)


def test(args: list[str]) -> None:
    """Every check CI runs: lint, types, architecture, migrations, translations, schema, tests."""
    ensure_venv("dev")
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "LIANBAN_HYPOTHESIS": "ci"}
    db = env.get("DATABASE_URL") or "SQLite (default)"
    print(f"== lianban checks and tests on {db}", flush=True)
    checks(env)
    run(sys.executable, ROOT / "scripts" / "ensure_browser.py")  # Chromium + a CJK font, or fail
    if env.get("DATABASE_URL", "").startswith(("postgres:", "postgresql:", "pgsql:")):
        # The deployment test (tests/deploy, PostgreSQL pass only): nginx, gunicorn, SeaweedFS, or fail.
        run(sys.executable, ROOT / "scripts" / "ensure_deploy.py")
    run(PY, "-m", "pytest", "-n", env.get("LIANBAN_TEST_WORKERS", "auto"), *args, env=env)


def bench(args: list[str]) -> None:
    """Run every benchmark under bench/ (or the one named), each printing its ratios."""
    ensure_venv("dev")
    names = (
        [args[0]]
        if args and not args[0].startswith("-")
        else sorted(p.parent.name for p in (ROOT / "bench").glob("*/run.py"))
    )
    extra = args[1:] if args and not args[0].startswith("-") else args
    for name in names:
        script = ROOT / "bench" / name / "run.py"
        if not script.exists():
            sys.exit(f"no benchmark {name!r} (looked for {script})")
        print(f"== bench/{name}", flush=True)
        run(PY, script, *extra)


def check_schema(env: dict[str, str]) -> None:
    """The committed OpenAPI schema must equal what the code generates."""
    committed = ROOT / "docs" / "api" / "openapi.yaml"
    fresh = ROOT / "var" / "openapi.generated.yaml"
    fresh.parent.mkdir(exist_ok=True)
    # In English whatever LANGUAGE_CODE says: choice labels and help texts are translated strings.
    run(BIN / "lianban", "spectacular", "--lang", "en", "--validate", "--fail-on-warn", "--file", fresh, env=env)
    if not committed.exists() or committed.read_text() != fresh.read_text():
        print(f"FAIL: {committed.relative_to(ROOT)} is out of date; regenerate it with", flush=True)
        print("  .venv/bin/lianban spectacular --lang en --validate --fail-on-warn --file docs/api/openapi.yaml")
        sys.exit(1)


def main() -> None:
    """Dispatch ``demo``, ``test``, ``bench`` or any other lianban command."""
    args = sys.argv[1:]
    if not args or args[0] in ("-h", "--help", "help"):
        print(__doc__)
        return
    command, rest = args[0], args[1:]
    if command in ("test", "check", "pytest"):
        {"test": test, "check": check, "pytest": pytest}[command](rest)
        return
    if command == "bench":
        bench(rest)
        return
    ensure_venv("")
    if shutil.which("lianban", path=str(BIN)) is None:
        sys.exit("lianban is not installed in .venv; delete .venv and try again")
    lianban(command, *rest)


if __name__ == "__main__":
    main()
