"""No code or template outside the demo names a demo one-thing, item or form field.

The catalog is the only source of domain words: a centre loads its own catalog
and must not meet the demo's restaurant, hotel or pharmacy in its pages. The
words are read from the demo catalog's YAML files (thing names, item names,
field labels and keys), and every file of the package outside ``lianban/demo``
(code, templates, translations, data files) is searched for them.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "lianban"
DEMO = PACKAGE / "demo"
SUFFIXES = (".py", ".html", ".txt", ".js", ".css", ".po", ".md", ".json", ".yaml", ".yml")

#: Words of the demo catalog that are also the platform's own, generic words (each says why).
GENERIC = {
    # the applicant record's attributes, which the spec names as prefill sources (applicant.address, …)
    "address",
    "contact_phone",
    # a field type of the spec (catalog-format.md) and python-stdnum's module for it
    "uscc",
    # the applicant record's own labels: an enterprise's name, its credit code, its contact phone
    "企业名称",
    "统一社会信用代码",
    "联系电话",
}

#: Files not searched yet, with the reason. Keep this short; each entry is a debt.
PENDING: set[str] = set()


def demo_words() -> dict[str, str]:
    """Word → what it is in the demo catalog."""
    words: dict[str, str] = {}
    for path in sorted((DEMO / "catalog").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for thing in data.get("things") or []:
            words[thing["name"]] = f"thing {thing['code']}"
        for item in data.get("items") or []:
            words[item["name"]] = f"item {item['code']}"
        for field in data.get("fields") or []:
            words[field["label"]] = f"label of field {field['key']}"
            words[field["key"]] = "field key"
    return words


def pattern(word: str) -> re.Pattern[str]:
    if word.isascii():  # a key: a whole identifier, not part of a longer one
        return re.compile(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])")
    return re.compile(re.escape(word))


def searched_files() -> list[Path]:
    return [
        path
        for path in sorted(PACKAGE.rglob("*"))
        if path.is_file()
        and path.suffix in SUFFIXES
        and DEMO not in path.parents
        and path.relative_to(PACKAGE).as_posix() not in PENDING
    ]


def test_the_demo_catalog_gives_words_to_look_for():
    words = demo_words()
    kinds = {kind.split()[0] for kind in words.values()}
    assert {"thing", "item", "label", "field"} <= kinds
    assert len(words) > 60
    assert set(words) >= GENERIC, "an allowed word the demo no longer uses: drop it from GENERIC"


def test_the_search_finds_a_demo_word_where_it_is_written():
    word = next(w for w, kind in demo_words().items() if kind.startswith("thing"))
    assert pattern(word).search(f"<p>{word}</p>")
    assert pattern("bed_count").search("form['bed_count']")
    assert not pattern("bed_count").search("form['bed_count_total']")


def test_no_demo_word_outside_the_demo():
    patterns = [(word, kind, pattern(word)) for word, kind in demo_words().items() if word not in GENERIC]
    files = searched_files()
    assert len(files) > 200
    found = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for word, kind, regex in patterns:
            for match in regex.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(PACKAGE)}:{line}: {word} ({kind})")
    assert found == []
