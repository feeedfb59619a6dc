"""Shared fixtures. Test packages mirror ``src/lianban``."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "src" / "lianban" / "demo" / "catalog"
SHARED_SCENARIOS = ROOT.parent / "shared" / "scenarios"


@pytest.fixture
def scenario_files() -> list[Path]:
    """The three real scenarios shipped as the demo catalog."""
    return sorted(SCENARIOS.glob("*.yaml"))
