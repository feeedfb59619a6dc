"""Shared fixtures. Test packages mirror ``src/lianban``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# Hypothesis: the full search in CI (``dev.py test``), a quick one while developing (``dev.py pytest``).
hypothesis_settings.register_profile("ci", deadline=None)
hypothesis_settings.register_profile("dev", max_examples=15, deadline=None)
hypothesis_settings.load_profile(os.environ.get("LIANBAN_HYPOTHESIS", "ci"))

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "src" / "lianban" / "demo" / "catalog"
SHARED_SCENARIOS = ROOT.parent / "shared" / "scenarios"


@pytest.fixture
def scenario_files() -> list[Path]:
    """The three real scenarios shipped as the demo catalog."""
    return sorted(SCENARIOS.glob("*.yaml"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``postgres`` run in the PostgreSQL pass only: on SQLite they are deselected (and said so).

    They are never skipped: where PostgreSQL is the database they run, and fail when
    anything they need is missing.
    """
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    deselected = [item for item in items if item.get_closest_marker("postgres")]
    if deselected:
        items[:] = [item for item in items if not item.get_closest_marker("postgres")]
        config.hook.pytest_deselected(items=deselected)
        config.stash[_DESELECTED] = len(deselected)


_DESELECTED = pytest.StashKey[int]()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """Say how many PostgreSQL-only tests this SQLite run left out."""
    count = config.stash.get(_DESELECTED, 0)
    if count:
        terminalreporter.write_line(f"{count} PostgreSQL-only test(s) deselected: the database is not PostgreSQL")
