"""Each rule of the contract, broken by its own file under ``bad/``, is refused exactly.

Every YAML file ends with ``# expect: <problem>`` lines (a JSON file has a
``.expected`` file beside it): the complete list of problems the import must
report, in order, each as ``file:line: entry: what is wrong``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lianban.catalog.services import CatalogFile, catalog_check, catalog_import
from lianban.core.errors import CatalogInvalid
from tests.catalog.conftest import BAD, catalog_state

pytestmark = pytest.mark.django_db

CASES = sorted(p for p in BAD.iterdir() if p.suffix in (".yaml", ".json"))
EXPECT = b"# expect: "


def expected(path: Path) -> list[str]:
    if path.suffix == ".json":
        return path.with_name(path.name + ".expected").read_text(encoding="utf-8").splitlines()
    return [line[len(EXPECT) :].decode("utf-8") for line in path.read_bytes().splitlines() if line.startswith(EXPECT)]


def test_there_is_a_bad_file_for_every_rule_the_brief_lists():
    names = {p.stem for p in CASES}
    for rule in (
        "format_missing", "format_wrong", "duplicate_code_in_section", "code_invalid_characters", "code_too_long",
        "unknown_keys", "missing_required_keys", "wrong_type_text", "wrong_type_boolean", "wrong_type_whole_number",
        "wrong_type_number", "negative_numbers", "promised_days_exceed_legal_days", "unknown_category",
        "unknown_source", "unknown_subject", "unknown_question_type", "unknown_department", "unknown_material",
        "unknown_item", "after_names_an_item_not_in_the_thing", "item_after_itself", "item_listed_twice_in_a_thing",
        "material_listed_twice_in_an_item", "produces_listed_twice", "fields_listed_twice_or_empty",
        "choice_without_options", "options_on_a_question_that_is_not_a_choice", "min_greater_than_max",
        "question_key_invalid", "question_key_asked_twice", "condition_syntax_error", "condition_unknown_name",
        "condition_function_call", "condition_attribute", "condition_indexing", "condition_single_quotes",
        "condition_number_compared_with_string", "condition_ordering_booleans", "condition_ordering_strings",
        "condition_not_boolean", "condition_and_on_numbers", "condition_unknown_choice_option",
        "material_condition_names_no_question_of_any_including_thing",
        "material_condition_type_conflict_across_things", "cycle_among_items_with_after",
        "cycle_through_produced_and_needed_materials", "cycle_through_an_excluded_item", "invalid_yaml",
        "invalid_json", "not_utf8", "top_level_not_a_mapping", "thing_without_items", "guide_texts_wrong",
        "field_unknown_type_or_key", "field_options_rules", "field_min_greater_than_max", "field_bound_of_wrong_type",
        "field_unknown_prefill_source", "field_prefill_answer_cannot_fill",
    ):  # fmt: skip
        assert rule in names


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_a_file_breaking_a_rule_is_refused_with_file_line_entry_and_problem(path: Path):
    want = expected(path)
    assert want, f"{path.name} states the problems it expects"
    files = [CatalogFile(path.name, path.read_bytes())]
    before = catalog_state()

    assert [str(problem) for problem in catalog_check(files=files)] == want
    with pytest.raises(CatalogInvalid) as info:
        catalog_import(files=files)

    assert [str(problem) for problem in info.value.problems] == want
    assert str(info.value) == "\n".join(want)
    assert catalog_state() == before


def test_every_problem_of_a_file_is_reported_in_file_order_not_only_the_first():
    path = BAD / "every_problem_of_a_file_is_reported.yaml"
    with pytest.raises(CatalogInvalid) as info:
        catalog_import(files=[CatalogFile(path.name, path.read_bytes())])
    problems = info.value.problems
    assert len(problems) == 14
    assert {p.entry for p in problems} == {"thing T", "department D", "material M", "item I1", "item I2"}
    lines = [p.line for p in problems]
    assert lines == sorted(lines)  # in file order, although things come first in this file
    assert all(p.file == path.name and p.line for p in problems)


def test_a_broken_entry_still_has_its_references_checked_without_follow_on_noise():
    path = BAD / "broken_entries_keep_their_references_checked.yaml"
    problems = [str(p) for p in catalog_check(files=[CatalogFile(path.name, path.read_bytes())])]
    where = f"{path.name}:12: item I1: "
    assert f"{where}department: unknown department 'NOPE'" in problems
    assert f"{where}legal_days: must be ≥ 0, not -1" in problems
    assert not any("promised_days" in p for p in problems)  # defaults to legal_days: nothing of its own
    assert not any("unknown item 'I1'" in p or "unknown item 'I2'" in p for p in problems)
    assert not any("when" in p for p in problems)  # conditions reading broken questions are not guessed at
    assert len(problems) == len(set(problems))


def test_problems_of_several_files_are_grouped_by_file_in_import_order():
    first, second = BAD / "unknown_source.yaml", BAD / "negative_numbers.yaml"
    problems = catalog_check(files=[CatalogFile(p.name, p.read_bytes()) for p in (second, first)])
    assert [p.file for p in problems] == [second.name] * 3 + [first.name] * 2


def test_a_reference_problem_is_reported_once_against_the_file_that_defines_the_entry():
    good = b"format: lianban-catalog/1\ndepartments: [{code: D, name: d}]\n"
    bad = b"format: lianban-catalog/1\nitems: [{code: I, name: i, department: NOPE, legal_days: 1}]\n"
    problems = [str(p) for p in catalog_check(files=[CatalogFile("bad.yaml", bad), CatalogFile("good.yaml", good)])]
    assert problems == ["bad.yaml:2: item I: department: unknown department 'NOPE'"]


def test_a_file_that_cannot_be_read_does_not_cause_unknown_reference_noise_in_the_others():
    unreadable = CatalogFile("broken.yaml", b"format: lianban-catalog/1\ndepartments: [{code: D,\n")
    user = CatalogFile(
        "user.yaml", b"format: lianban-catalog/1\nitems: [{code: I, name: i, department: D, legal_days: 1}]\n"
    )
    problems = [str(p) for p in catalog_check(files=[unreadable, user])]
    assert len(problems) == 1
    assert problems[0].startswith("broken.yaml:3: file: not valid YAML")
