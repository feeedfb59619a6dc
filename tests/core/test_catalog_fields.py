"""The ``fields`` section of ``lianban-catalog/1`` as a pure function: each refusal, upsert, export, warnings."""

from __future__ import annotations

from pathlib import Path

import pytest

from lianban.core.catalog import Catalog, FieldDef
from lianban.core.catalog_format import check_files, dump_json, dump_yaml, undefined_field_warnings, validate_catalog

BAD = Path(__file__).resolve().parent.parent / "catalog" / "bad"
LEGAL = Path(__file__).resolve().parent.parent / "catalog" / "legal"
EXPECT = "# expect: "


@pytest.mark.parametrize("path", sorted(BAD.glob("field_*.yaml")), ids=lambda p: p.name)
def test_each_refusal_of_the_fields_section_names_file_line_entry_and_problem(path):
    want = [line[len(EXPECT) :] for line in path.read_text(encoding="utf-8").splitlines() if line.startswith(EXPECT)]
    assert want
    assert [str(p) for p in check_files(Catalog(), [(path.name, path.read_bytes())]).problems] == want


def test_every_refusal_the_spec_lists_has_its_file():
    text = "\n".join(p.read_text(encoding="utf-8") for p in BAD.glob("field_*.yaml"))
    for problem in (
        "type: must be one of",  # an unknown type
        "unknown key 'placeholder'",  # an unknown key
        "only choice fields have options",  # options on another type
        "a choice field needs options",  # missing on choice
        "is greater than max",  # min > max
        "must be an ISO date YYYY-MM-DD for a date field",  # a bound of the wrong type
        "must be a number for a field of type integer",
        "unknown prefill source",
        "it cannot fill a boolean field",  # answer.KEY of a question that cannot fill the type
    ):
        assert problem in text, problem


def test_fields_upsert_by_key_and_export_every_definition_round_trip():
    first = check_files(Catalog(), [("a.yaml", (LEGAL / "form_fields.yaml").read_bytes())])
    assert first.problems == []
    assert first.catalog.fields["weight"] == FieldDef("weight", "出生体重（克）", type="integer", min=300, max=8000)
    assert first.catalog.fields["birth_date"].min == "2000-01-01"  # an unquoted YAML date is the ISO text
    changed = "format: lianban-catalog/1\nfields:\n  - {key: weight, label: 体重, type: number}\n"
    second = check_files(first.catalog, [("b.yaml", changed)])
    assert second.problems == [] and second.touched["fields"] == frozenset({"weight"})
    assert second.catalog.fields["weight"] == FieldDef("weight", "体重", type="number")  # replaced whole
    assert len(second.catalog.fields) == len(first.catalog.fields)
    for dump in (dump_yaml, dump_json):
        text = dump(first.catalog)
        again = check_files(Catalog(), [("export.json" if dump is dump_json else "export.yaml", text)])
        assert again.problems == [] and again.catalog == first.catalog
        assert dump(again.catalog) == text
    assert dump_yaml(first.catalog).count("\n- key: ") == len(first.catalog.fields)


def test_a_field_key_without_definition_is_importable_and_a_warning():
    result = check_files(Catalog(), [("a.yaml", (LEGAL / "form_fields.yaml").read_bytes())])
    assert result.problems == []
    assert [str(w) for w in undefined_field_warnings(result.catalog, filename="a.yaml")] == [
        "a.yaml: item CSDJ: fields[15]: field 'hospital' has no definition (shown as a text field labelled with its key)"
    ]
    assert result.catalog.field_def("hospital") == FieldDef("hospital", "hospital")


def test_stored_definitions_are_checked_like_an_import():
    catalog = Catalog(fields={"gender": FieldDef("gender", "性别", type="choice", options=("男",)),
                              "born": FieldDef("born", "出生日期", type="date", min="2026-01-01", max="2025-01-01")})  # fmt: skip
    assert sorted(str(p) for p in validate_catalog(catalog)) == [
        "catalog: field born: min: 2026-01-01 is greater than max 2025-01-01",
        "catalog: field gender: options: a choice field needs at least two options",
    ]
