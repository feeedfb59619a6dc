"""Every environment variable the settings read is documented, and nothing more."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def read_by_settings() -> set[str]:
    text = (ROOT / "src" / "lianban" / "config" / "settings.py").read_text(encoding="utf-8")
    return set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', text))


def test_the_configuration_table_lists_exactly_the_variables_the_settings_read():
    table = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", table, flags=re.MULTILINE))
    assert documented == read_by_settings()


def test_env_example_lists_them_too():
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^# ([A-Z_]+)=", example, flags=re.MULTILINE))
    assert listed == read_by_settings()
