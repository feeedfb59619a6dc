"""Catalog problems are worded in English by the core and translated by the pages.

Every problem the rules report is a :class:`lianban.core.text.Text`: the English
the command line prints, with the template and params it was made from. The
template of every ``tx(...)`` call of the core has a Chinese translation, and a
problem translated to English is exactly the command line's.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.utils import translation

import pytest

from lianban.catalog.services import CatalogFile, catalog_check
from lianban.catalog.wording import problem_line, problem_message, translated
from lianban.core.errors import CatalogProblem
from lianban.core.text import Text, joined, tx
from tests.catalog.conftest import BAD
from tests.portal.test_i18n import po_entries

pytestmark = pytest.mark.django_db

CASES = sorted(p for p in BAD.iterdir() if p.suffix in (".yaml", ".json"))
CORE = Path(__file__).resolve().parents[2] / "src" / "lianban" / "core"
PO = CORE.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
CJK = re.compile(r"[\u4e00-\u9fff]")
#: An entry named by its place in the file, when its code could not be read.
POSITION = re.compile(r"^\w+\[\d+\]$")


def texts(value: object) -> list[Text]:
    """``value`` and every Text among its params, recursively."""
    if not isinstance(value, Text):
        return []
    return [value, *(found for param in value.params.values() for found in texts(param))]


def problems_of(path: Path) -> list[CatalogProblem]:
    problems = catalog_check(files=[CatalogFile(path.name, path.read_bytes())])
    assert problems, path.name
    return problems


def core_templates() -> set[str]:
    """The literal first argument of every ``tx(...)`` call in the core."""
    found: set[str] = set()
    for source in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "tx":
                first = node.args[0]
                assert isinstance(first, ast.Constant) and isinstance(first.value, str), (source.name, node.lineno)
                found.add(first.value)
    return found


def test_a_text_is_its_english_and_keeps_template_and_params():
    inner = tx("unknown item %(code)s", code="'X'")
    outer = tx("%(path)s: %(problem)s", path="items[0].item", problem=inner)
    assert outer == "items[0].item: unknown item 'X'" and type(str(outer)) is str
    assert outer.template == "%(path)s: %(problem)s" and outer.params["problem"] is inner
    assert tx("100% sure") == "100% sure"  # without params a template is not formatted
    assert joined([tx("(unanswered)"), "b", "c"]) == "(unanswered), b, c" and joined([]) == ""


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_every_text_of_a_rejected_file_formats_its_template_to_itself(path: Path):
    for problem in problems_of(path):
        assert isinstance(problem.message, Text), str(problem)
        assert isinstance(problem.entry, Text) or POSITION.match(problem.entry), str(problem)
        for text in texts(problem.message) + texts(problem.entry):
            assert (text.template % text.params if text.params else text.template) == text, str(problem)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_a_rejected_file_reads_in_chinese_and_in_english_as_the_command_line(path: Path):
    problems = problems_of(path)
    with translation.override("en"):
        assert [problem_line(p) for p in problems] == [str(p) for p in problems]
    with translation.override("zh-hans"):
        for problem in problems:
            message = problem_message(problem)
            assert CJK.search(message) and message != problem.message, str(problem)
            assert CJK.search(problem_line(problem)), str(problem)


def test_every_template_of_the_core_has_a_chinese_translation():
    templates = core_templates()
    assert len(templates) > 90
    translations = {
        entry["msgid"]: entry.get("msgstr", "") for entry in po_entries(PO) if "fuzzy" not in entry["flags"]
    }
    untranslated = sorted(t for t in templates if not translations.get(t))
    assert untranslated == []
    with translation.override("zh-hans"):
        for template in templates:
            assert translated(Text(template, {})) == translations[template]


def test_the_words_of_a_condition_problem_inside_an_item_problem_are_translated_too():
    problem = CatalogProblem(
        "a.yaml",
        tx("thing %(code)s", code="KFG"),
        tx(
            "%(path)s: %(problem)s",
            path="items[2].when (ZJ-XFSJ)",
            problem=tx(
                "%(reason)s in condition %(condition)s",
                reason=tx("cannot compare %(left)s with %(right)s: %(comparison)s", left=tx("a number"),
                          right=tx("a string"), comparison='area == "x"'),
                condition="'area == \"x\"'",
            ),
        ),
        4,
    )  # fmt: skip
    with translation.override("zh-hans"):
        assert problem_line(problem) == (
            'a.yaml:4：一件事 KFG：items[2].when (ZJ-XFSJ)：条件 \'area == "x"\'：不能将数字与字符串比较：area == "x"'
        )
    with translation.override("en"):
        assert problem_line(problem) == str(problem)
