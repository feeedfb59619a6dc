"""The import contract as a pure function: ``check_files``, ``validate_catalog``, export (no database)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lianban.core import catalog_format
from lianban.core.catalog import Catalog, Department, Item, ItemMaterial, Material, Question, Thing, ThingItem
from lianban.core.catalog_format import (
    check_files,
    decode_text,
    dump_json,
    dump_yaml,
    load_document,
    parse_document,
    possible_cycle,
    text_problem,
    validate_catalog,
)
from lianban.core.planner import compile_thing

HEAD = "format: lianban-catalog/1\n"
TESTS = Path(__file__).resolve().parent.parent
BAD = TESTS / "catalog" / "bad"
LEGAL = TESTS / "catalog" / "legal"


def check(*texts: str, base: Catalog | None = None) -> list[str]:
    files = [(f"f{i + 1}.yaml", text) for i, text in enumerate(texts)]
    return [str(p) for p in check_files(base or Catalog(), files).problems]


def load(*texts: str) -> Catalog:
    result = check_files(Catalog(), [(f"f{i + 1}.yaml", text) for i, text in enumerate(texts)])
    assert result.problems == [], [str(p) for p in result.problems]
    return result.catalog


DEPT = HEAD + "departments: [{code: D, name: 部门}]\n"
ITEM = HEAD + "items: [{code: I, name: 事项, department: D, legal_days: 1}]\n"
THING = HEAD + "things: [{code: T, name: 一件事, lead_department: D, items: [{item: I}]}]\n"


# ----------------------------------------------------------------------- loading


class TestLoading:
    def test_plain_scalars_keep_their_text_where_text_is_wanted(self):
        data = load_document("code: NO\nname: 2024\nx: 1e3\nwhen: true\n", "a.yaml")
        assert data["code"].raw == "NO" and data["code"].value is False
        assert data["name"].raw == "2024" and data["name"].value == 2024
        assert data["x"].value == 1000.0  # YAML 1.2 float, which PyYAML alone reads as text

    def test_lines_of_mappings_keys_and_list_elements_are_kept_for_yaml_and_json(self):
        yaml_data = load_document("a:\n  - x\n  - {b: 1,\n     c: 2}\n", "a.yaml")
        assert yaml_data.key_lines == {"a": 1}
        assert yaml_data["a"].item_lines == [2, 3]
        assert yaml_data["a"][1].key_lines == {"b": 3, "c": 4}
        json_data = load_document('{"a": [\n "x",\n {"b": 1,\n  "c": 2}]}', "a.json")
        assert json_data.line == 1
        assert json_data["a"].item_lines == [2, 3]
        assert json_data["a"][1].line == 3
        assert json_data["a"][1].key_lines == {"b": 3, "c": 4}

    def test_json_is_recognised_by_suffix_or_by_content(self):
        assert load_document('{"a": "\\u4e2d\\/"}', "catalog.txt") == {"a": "中/"}
        assert load_document("{a: 1}", "flow-style.yaml")["a"].value == 1  # YAML flow mapping, not JSON

    def test_duplicate_keys_are_refused_but_merge_keys_may_be_overridden(self):
        with pytest.raises(ValueError, match="line 1: not valid YAML: duplicate key 'a'"):
            load_document("{a: 1, a: 2}", "a.yaml")
        with pytest.raises(ValueError, match="duplicate key 'a'"):
            load_document('{"a": 1, "a": 2}', "a.json")
        data = load_document("base: &b {a: 1, c: 3}\nuse:\n  <<: *b\n  a: 2\n", "a.yaml")
        assert data["use"]["a"].value == 2 and data["use"]["c"].value == 3

    @pytest.mark.parametrize(
        ("text", "name", "message"),
        [
            ("a: [1, 2", "a.yaml", "line 1: not valid YAML: expected ',' or ']', but got '<stream end>'"),
            ('{"a": 1,}', "a.json", "line 1: not valid JSON: Expecting property name enclosed in double quotes"),
            ("a: !!python/name:os.system\n", "a.yaml", "line 1: not valid YAML: could not determine a constructor"),
            (
                "a: 1\n---\nb: 2\n",
                "a.yaml",
                "line 2: not valid YAML: expected a single document in the stream but found another document",
            ),
            ('{"a": ' + "9" * 5000 + "}", "a.json", "cannot be read: Exceeds the limit"),
            ("[" * 100_000, "a.json", "nested too deeply"),
            ("a: \x07", "a.yaml", "not valid YAML: unacceptable character #x0007"),
        ],
    )
    def test_what_cannot_be_read_is_a_value_error_naming_the_place(self, text, name, message):
        with pytest.raises(ValueError) as info:
            load_document(text, name)
        assert str(info.value).startswith(message)

    def test_decoding(self):
        assert decode_text("中".encode()) == "中"
        assert decode_text(b"\xef\xbb\xbfa: 1") == "a: 1"
        assert decode_text("a: 中".encode("utf-16")) == "a: 中"
        assert decode_text("a: 中".encode("utf-32")) == "a: 中"
        with pytest.raises(ValueError, match=r"is not UTF-8 text \(byte 3\)"):
            decode_text(b"ab:\xb2\xbf")


# --------------------------------------------------------------------- contract


class TestContract:
    def test_explicit_null_means_the_default_for_optional_keys(self):
        catalog = load(
            HEAD + "departments: [{code: D, name: d}]\n"
            "materials: [{code: M, name: m, source: applicant}]\n"
            "items: [{code: I, name: i, department: D, legal_days: 4, promised_days: null, category: null,"
            " fee: null, online: null, produces: null, fields: null,"
            " materials: [{material: M, when: null, required: null, tolerable: null, name_override: null}]}]\n"
            "things: [{code: T, name: t, subject: null, lead_department: D, questions: null,"
            " items: [{item: I, when: null, after: null}]}]\n"
        )
        assert catalog.items["I"] == Item(
            code="I", name="i", department="D", legal_days=4, promised_days=4, materials=(ItemMaterial("M"),)
        )
        assert catalog.things["T"] == Thing(code="T", name="t", lead_department="D", items=(ThingItem("I"),))

    def test_integral_floats_are_whole_numbers_and_empty_options_mean_none(self):
        catalog = load(
            DEPT + "items: [{code: I, name: i, department: D, legal_days: 3.0}]\n"
            "things: [{code: T, name: t, lead_department: D, items: [{item: I}],"
            " questions: [{key: b, text: b, type: boolean, options: []}]}]\n"
        )
        assert catalog.items["I"].legal_days == 3 and isinstance(catalog.items["I"].legal_days, int)
        assert catalog.things["T"].questions[0].options is None

    def test_files_of_one_import_may_come_in_any_order(self):
        assert load(THING, ITEM, DEPT) == load(DEPT, ITEM, THING)

    def test_a_later_definition_replaces_an_earlier_one_whole(self):
        catalog = load(DEPT, HEAD + "items: [{code: I, name: 旧, department: D, legal_days: 9, fee: 5}]\n", ITEM)
        assert catalog.items["I"] == Item(code="I", name="事项", department="D", legal_days=1, promised_days=1)

    def test_the_same_code_twice_in_one_file_is_refused_but_across_files_replaces(self):
        assert check(HEAD + "departments: [{code: D, name: a}, {code: D, name: b}]\n") == [
            "f1.yaml:2: department D: code: 'D' appears twice in departments"
        ]
        assert load(DEPT, HEAD + "departments: [{code: D, name: b}]\n").departments["D"].name == "b"

    def test_each_problem_is_reported_once_against_the_file_defining_the_entry(self):
        bad_item = HEAD + "items: [{code: I, name: i, department: NOPE, legal_days: 1}]\n"
        assert check(bad_item, DEPT, THING) == ["f1.yaml:2: item I: department: unknown department 'NOPE'"]

    def test_an_entry_already_in_the_catalog_made_wrong_by_a_file_is_reported_under_that_file(self):
        base = load(
            DEPT,
            HEAD + "materials: [{code: M, name: m, source: applicant}]\n"
            "items: [{code: I, name: i, department: D, legal_days: 1,"
            " materials: [{material: M, when: 'area > 1'}]}]\n",
            HEAD + "things: [{code: T, name: t, lead_department: D, items: [{item: I}],"
            " questions: [{key: area, text: a, type: number}]}]\n",
        )
        changed = HEAD + "things: [{code: T, name: t, lead_department: D, items: [{item: I}]}]\n"
        assert check(changed, base=base) == [
            "f1.yaml: item I: materials[0].when (M): unknown name 'area' (not a question of T) in condition 'area > 1'"
        ]

    def test_a_broken_entry_replaces_nothing_in_the_result_but_its_problems_are_all_there(self):
        base = load(DEPT, ITEM, THING)
        result = check_files(base, [("f.yaml", HEAD + "items: [{code: I, name: i, department: D, legal_days: x}]\n")])
        assert [str(p) for p in result.problems] == [
            "f.yaml:2: item I: legal_days: must be a whole number, not 'x' (text)"
        ]
        assert not result.ok

    def test_data_stored_before_a_rule_existed_does_not_crash_an_unrelated_import(self):
        base = load(DEPT, ITEM, THING)
        thing = base.things["T"]
        base.things["T"] = Thing(thing.code, thing.name, "D", (ThingItem("I", when="old syntax ==", after=("I",)),))
        assert check(HEAD + "departments: [{code: E, name: e}]\n", base=base) == []
        assert [p.message for p in validate_catalog(base)] == [  # the admin shows it, and refuses edits until fixed
            "items[0].when (I): unexpected 'syntax' (at 5) in condition 'old syntax =='",
            "items[0].after[0]: 'I': an item cannot come after itself",
        ]

    def test_item_materials_conditions_are_checked_against_every_thing_including_the_item(self):
        two_things = (
            HEAD + "departments: [{code: D, name: d}]\nmaterials: [{code: M, name: m, source: applicant}]\n"
            "items: [{code: I, name: i, department: D, legal_days: 1, materials: [{material: M, when: '{w}'}]}]\n"
            "things:\n"
            "  - {code: T, name: t, lead_department: D, items: [{item: I}],"
            " questions: [{key: kind, text: k, type: choice, options: [a, b]}, {key: area, text: a, type: number}]}\n"
            "  - {code: U, name: u, lead_department: D, items: [{item: I}],"
            " questions: [{key: kind, text: k, type: choice, options: [c]}, {key: ac, text: a, type: boolean}]}\n"
        )
        assert (
            check(two_things.replace("{w}", 'kind == "c" or area > 5 and ac')) == []
        )  # options merge; any thing's keys
        assert check(two_things.replace("{w}", 'kind == "d"')) == [
            "f1.yaml:4: item I: materials[0].when (M): \"d\" is not an option of 'kind' (options: a, b, c) "
            "in condition 'kind == \"d\"' (with the questions of thing T)"
        ]

    def test_a_material_condition_of_an_item_no_thing_includes_yet_is_checked_for_syntax_only(self):
        item = (
            HEAD + "materials: [{code: M, name: m, source: applicant}]\n"
            "items: [{code: I, name: i, department: D, legal_days: 1, materials: [{material: M, when: '{w}'}]}]\n"
        )
        assert check(DEPT, item.replace("{w}", "anything > 1")) == []
        assert check(DEPT, item.replace("{w}", "anything >")) == [
            "f2.yaml:3: item I: materials[0].when: expected a value but found end of condition (at 11) "
            "in condition 'anything >'"
        ]


# --------------------------------------------------------------------- admin parity


def _bad_files() -> list[Path]:
    return sorted(p for p in BAD.iterdir() if p.suffix in (".yaml", ".json"))


@pytest.mark.parametrize("path", _bad_files(), ids=lambda p: p.name)
def test_validate_catalog_finds_what_an_import_refuses_whenever_the_data_can_be_stored(path):
    """The admin validates stored data with ``validate_catalog``; it must refuse the same things.

    Files whose mistakes are in the shape (a list where text belongs, a key
    twice…) cannot be stored at all; every other refused file is checked here.
    """
    try:
        data = load_document(decode_text(path.read_bytes()), path.name)
    except ValueError:
        return
    parsed = parse_document(data, path.name)
    shape_only = any(entry.broken for entry in parsed.entries) or parsed.duplicates or parsed.issues
    if shape_only or any(e.key.startswith("\x00") for e in parsed.entries):
        return
    imported = check_files(Catalog(), [(path.name, path.read_bytes())]).problems
    validated = validate_catalog(parsed.catalog, filename=path.name)
    assert sorted((p.entry, p.message) for p in validated) == sorted((p.entry, p.message) for p in imported)


def test_validate_catalog_checks_every_rule_on_stored_data():
    catalog = Catalog(
        departments={"D": Department("D", "部门"), "bad code": Department("bad code", " ")},
        materials={"M": Material("M", "m", "paper")},
        items={
            "I": Item(
                code="I",
                name="i",
                department="NOPE",
                legal_days=1,
                promised_days=2,
                category="x",
                fee=-1,
                materials=(ItemMaterial("M", when="a >"), ItemMaterial("M", name_override="")),
                produces=("M", "M"),
                fields=("f", "f"),
            )
        },
        things={
            "T": Thing(
                code="T",
                name="t",
                lead_department="D",
                subject="x",
                questions=(
                    Question("in", "q", "choice"),
                    Question("k", "q", "text", options=("a",), min=1),
                    Question("n", "q", "number", min=5, max=1),
                ),
                items=(ThingItem("I", when="k > 1", after=("I", "X")), ThingItem("I")),
            )
        },
    )
    assert [f"{p.entry}: {p.message}" for p in validate_catalog(catalog)] == [
        "department 'bad code': code: 'bad code' is not a valid code (1 to 40 ASCII letters, digits, '_' or '-')",
        "department 'bad code': name: must not be empty",
        "material M: source: must be one of applicant, licence, not 'paper'",
        "item I: category: must be one of 行政许可, 行政确认, 行政备案, 公共服务, 其他行政权力, 其他, not 'x'",
        "item I: promised_days: 2 must not exceed legal_days 1",
        "item I: fee: must be ≥ 0, not -1",
        "item I: materials[0].when: expected a value but found end of condition (at 4) in condition 'a >'",
        "item I: materials[1].material: 'M' is listed twice in this item's materials",
        "item I: materials[1].name_override: must not be empty",
        "item I: produces[1]: 'M' is listed twice",
        "item I: fields[1]: 'f' is listed twice",
        "item I: department: unknown department 'NOPE'",
        "thing T: subject: must be one of enterprise, person, not 'x'",
        "thing T: questions[0].key: 'in' is not a valid key (letters, digits and '_', not starting with a digit, "
        "and not one of and, false, in, not, or, true)",
        "thing T: questions[0].options: a choice question needs at least one option",
        "thing T: questions[1].options: only choice questions have options",
        "thing T: questions[1].min: only number questions have min/max",
        "thing T: questions[2].min: 5 is greater than max 1",
        "thing T: items[0].when (I): cannot compare a string with a number: k > 1 in condition 'k > 1'",
        "thing T: items[0].after[0]: 'I': an item cannot come after itself",
        "thing T: items[0].after[1]: 'X' is not an item of this thing",
        "thing T: items[1].item: 'I' is listed twice in this thing",
    ]


def test_every_legal_catalog_is_valid_for_the_admin_too():
    for path in sorted(LEGAL.glob("*.*")):
        result = check_files(Catalog(), [(path.name, path.read_bytes())])
        assert result.problems == []
        assert validate_catalog(result.catalog) == []


# ------------------------------------------------------------------------ cycles


def cycle(questions: list[Question], items: list[ThingItem], produces: dict[str, tuple[str, ...]] | None = None,
          needs: dict[str, tuple[ItemMaterial, ...]] | None = None) -> tuple[tuple[str, ...], dict] | None:  # fmt: skip
    produces, needs = produces or {}, needs or {}
    catalog = Catalog(
        departments={"D": Department("D", "d")},
        materials={"X": Material("X", "x", "licence"), "Y": Material("Y", "y", "licence")},
        items={
            code: Item(code, code, "D", 1, 1, produces=produces.get(code, ()), materials=needs.get(code, ()))
            for code in ("A", "B", "C")
        },
        things={"T": Thing("T", "t", "D", tuple(items), questions=tuple(questions))},
    )
    return possible_cycle(compile_thing(catalog, "T"))


AREA = Question("area", "a", "number", min=0, max=1000)


class TestPossibleCycles:
    def test_exclusive_conditions_never_realise_the_cycle(self):
        items = [ThingItem("A", "area >= 500", ("B",)), ThingItem("B", "area < 500", ("A",))]
        assert cycle([AREA], items) is None

    def test_overlapping_conditions_realise_it_at_the_boundary(self):
        items = [ThingItem("A", "area >= 500", ("B",)), ThingItem("B", "area <= 500", ("A",))]
        assert cycle([AREA], items) == (("A", "B", "A"), {"area": 500})

    def test_bounds_of_a_question_count(self):
        items = [ThingItem("A", "area > 1000", ("B",)), ThingItem("B", after=("A",))]
        assert cycle([AREA], items) is None
        tight = Question("x", "x", "number", min=0.55, max=0.58)
        items = [ThingItem("A", "x > 0.56 and x < 0.6", ("B",)), ThingItem("B", "x < 0.57", ("A",))]
        assert cycle([tight], items) == (("A", "B", "A"), {"x": 0.565})

    def test_questions_compared_with_each_other_try_every_order(self):
        a, b = Question("a", "a", "number"), Question("b", "b", "number")
        assert cycle([a, b], [ThingItem("A", "a < b", ("B",)), ThingItem("B", "b < a", ("A",))]) is None
        found = cycle([a, b], [ThingItem("A", "a <= b", ("B",)), ThingItem("B", "b <= a", ("A",))])
        assert found is not None and found[1]["a"] == found[1]["b"]

    def test_text_questions_are_tried_with_each_literal_and_another_value(self):
        name = Question("name", "n", "text")
        items = [ThingItem("A", 'name != "x"', ("B",)), ThingItem("B", 'name != "y"', ("A",))]
        found = cycle([name], items)
        assert found is not None and found[1]["name"] not in ("x", "y")

    def test_an_optional_question_left_unanswered_makes_conditions_false(self):
        opt = Question("opt", "o", "boolean", required=False)
        items = [ThingItem("A", "not opt", ("B",)), ThingItem("B", "not opt", ("A",))]
        assert cycle([opt], items) == (("A", "B", "A"), {"opt": False})
        items = [ThingItem("A", "opt", ("B",)), ThingItem("B", "not opt", ("A",))]
        assert cycle([opt], items) is None

    def test_ordering_passes_through_excluded_items(self):
        kind = Question("kind", "k", "choice", options=("p", "q"))
        items = [
            ThingItem("A", after=("C",)),
            ThingItem("B", 'kind == "p"', ("A",)),
            ThingItem("C", 'kind == "q"', ("B",)),
        ]
        # kind p: C is excluded, so A (after C) comes after B (C's own after), which is after A
        assert cycle([kind], items) == (("A", "B", "A"), {"kind": "p"})

    def test_produced_and_needed_materials_make_edges_only_when_the_need_holds(self):
        flag = Question("flag", "f", "boolean")
        found = cycle(
            [flag],
            [ThingItem("A"), ThingItem("B")],
            produces={"A": ("X",), "B": ("Y",)},
            needs={"A": (ItemMaterial("Y", when="flag"),), "B": (ItemMaterial("X"),)},
        )
        assert found == (("A", "B", "A"), {"flag": True})
        # an item that needs what it produces is no cycle
        assert cycle([], [ThingItem("A")], produces={"A": ("X",)}, needs={"A": (ItemMaterial("X"),)}) is None

    def test_only_the_questions_that_matter_are_named(self):
        other = Question("other", "o", "choice", options=tuple("abcdefghij"))
        items = [ThingItem("A", "area >= 500", ("B",)), ThingItem("B", after=("A",)), ThingItem("C", 'other == "a"')]
        assert cycle([AREA, other], items) == (("A", "B", "A"), {"area": 500})

    def test_too_many_combinations_refuse_to_be_safe(self, monkeypatch):
        monkeypatch.setattr(catalog_format.cycles, "CYCLE_SEARCH_LIMIT", 3)
        kind = Question("kind", "k", "choice", options=("a", "b", "c", "d"))
        items = [ThingItem("A", 'kind == "a"', ("B",)), ThingItem("B", 'kind == "b"', ("A",))]
        assert cycle([kind], items) == (("A", "B", "A"), None)

    def test_long_chains_do_not_exhaust_the_stack(self):
        n = 3000
        codes = [f"I{i}" for i in range(n)]
        catalog = Catalog(
            departments={"D": Department("D", "d")},
            items={c: Item(c, c, "D", 1, 1) for c in codes},
            things={
                "T": Thing(
                    "T", "t", "D", tuple(ThingItem(c, after=(codes[i - 1],) if i else ()) for i, c in enumerate(codes))
                )
            },
        )
        assert possible_cycle(compile_thing(catalog, "T")) is None
        looped = Thing("T", "t", "D", (ThingItem(codes[0], after=(codes[-1],)), *catalog.things["T"].items[1:]))
        catalog.things["T"] = looped
        found = possible_cycle(compile_thing(catalog, "T"))
        assert found is not None and len(found[0]) == n + 1


# ------------------------------------------------------------------------ export


_texts = st.text(min_size=1, max_size=12).filter(lambda t: text_problem(t) is None)
_codes = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=40)
_numbers = st.one_of(st.integers(0, 2**53), st.floats(0, 1e300, allow_nan=False, allow_infinity=False))


@st.composite
def catalogs(draw: st.DrawFn) -> Catalog:
    """Valid catalogs whose every text is arbitrary Unicode."""
    dept_codes = draw(st.lists(_codes, min_size=1, max_size=3, unique=True))
    mat_codes = draw(st.lists(_codes, max_size=4, unique=True))
    item_codes = draw(st.lists(_codes, min_size=1, max_size=4, unique=True))
    # results no item needs, so produced -> needed edges never make a cycle
    results = [c for c in draw(st.lists(_codes, max_size=3, unique=True)) if c not in mat_codes]
    options = draw(st.lists(_texts, min_size=1, max_size=3, unique=True))
    questions = (
        Question(
            "n", draw(_texts), "number", min=draw(st.one_of(st.none(), st.integers(-5, 0), st.floats(-1e300, -2)))
        ),
        Question("c", draw(_texts), "choice", options=tuple(options), required=draw(st.booleans())),
        Question("t", draw(_texts), "text"),
    )
    conditions = st.one_of(
        st.none(), st.sampled_from(["n > 1.5", "n <= -2", "not (n == 3)", "t == \"\\u4e2d\""]),
        st.builds(lambda o: f"c in [{json.dumps(o, ensure_ascii=False)}]", st.sampled_from(options)),
    )  # fmt: skip
    items = {}
    for code in item_codes:
        legal = draw(st.integers(0, 100))
        items[code] = Item(
            code=code,
            name=draw(_texts),
            department=draw(st.sampled_from(dept_codes)),
            legal_days=legal,
            promised_days=draw(st.integers(0, legal)),
            category=draw(st.sampled_from(["其他", "行政许可", "公共服务"])),
            fee=draw(_numbers),
            online=draw(st.booleans()),
            materials=tuple(
                ItemMaterial(
                    m, draw(st.one_of(st.none(), _texts)), draw(conditions), draw(st.booleans()), draw(st.booleans())
                )
                for m in draw(
                    st.lists(st.sampled_from(mat_codes), unique=True, max_size=3) if mat_codes else st.just([])
                )
            ),
            produces=tuple(draw(st.lists(st.sampled_from(results), unique=True)) if results else ()),
            fields=tuple(draw(st.lists(_texts, unique=True, max_size=3))),
            basis=draw(st.one_of(st.none(), _texts)),
        )
    thing_items = tuple(
        ThingItem(code, draw(conditions), tuple(draw(st.lists(st.sampled_from(item_codes[:i]), unique=True))))
        if i
        else ThingItem(code, draw(conditions))
        for i, code in enumerate(item_codes)
    )
    return Catalog(
        departments={c: Department(c, draw(_texts)) for c in dept_codes},
        materials={
            c: Material(c, draw(_texts), draw(st.sampled_from(["applicant", "licence"]))) for c in mat_codes + results
        },
        items=items,
        things={
            "T-1": Thing(
                "T-1",
                draw(_texts),
                dept_codes[0],
                thing_items,
                draw(st.sampled_from(["enterprise", "person"])),
                questions,
                keywords=tuple(draw(st.lists(_texts, unique=True, max_size=3))),
                summary=draw(st.one_of(st.none(), _texts)),
                notes=tuple(draw(st.lists(_texts, unique=True, max_size=3))),
            )
        },
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogs())
def test_any_valid_catalog_exports_to_yaml_and_json_that_import_back_to_the_same_data(catalog):
    assert validate_catalog(catalog) == []
    for name, text in (("x.yaml", dump_yaml(catalog)), ("x.json", dump_json(catalog))):
        result = check_files(Catalog(), [(name, text)])
        assert [str(p) for p in result.problems] == []
        assert result.catalog == catalog
        assert dump_yaml(result.catalog) == dump_yaml(catalog)
        assert dump_json(result.catalog) == dump_json(catalog)


def test_strings_that_look_like_other_types_are_quoted_on_export():
    catalog = Catalog(departments={c: Department(c, c) for c in ("NO", "2024", "1e3", "0x1F", "yes", "null", "1_000")})
    text = dump_yaml(catalog)
    for code in ("NO", "2024", "1e3", "0x1F", "yes", "null", "1_000"):
        assert f"{{code: '{code}', name: '{code}'}}" in text
    assert load(text) == catalog
