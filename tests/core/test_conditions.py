"""The condition language: tokenizer, parser, type checker and evaluation (no database)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lianban.core.conditions import (
    MAX_DEPTH,
    And,
    Compare,
    Literal,
    Membership,
    Name,
    Not,
    Or,
    QuestionType,
    compile_condition,
    literals_compared_with,
    names_in,
    parse,
    unparse,
)
from lianban.core.errors import ConditionError

ENV = {
    "area": QuestionType("number"),
    "central_ac": QuestionType("boolean"),
    "kind": QuestionType("choice", ("hotel", "hostel", "饭店")),
    "name": QuestionType("text"),
    "opt": QuestionType("number"),
    "面积": QuestionType("number"),
}


def holds(text: str, **answers: object) -> bool:
    return compile_condition(text, ENV).holds(answers)  # type: ignore[arg-type]


def refused(text: str, env: dict[str, QuestionType] | None = ENV) -> str:
    with pytest.raises(ConditionError) as info:
        compile_condition(text, env)
    assert info.value.text == text
    return info.value.reason


# --------------------------------------------------------------------- parsing


class TestParse:
    def test_comparison_precedence_and_grouping(self):
        assert parse("a and b or not c") == Or((And((Name("a"), Name("b"))), Not(Name("c"))))
        assert parse("a and (b or c)") == And((Name("a"), Or((Name("b"), Name("c")))))
        assert parse("not not a") == Not(Not(Name("a")))

    def test_chained_comparison_is_one_node(self):
        assert parse("300 <= area < 500") == Compare((Literal(300), Name("area"), Literal(500)), ("<=", "<"))

    @pytest.mark.parametrize(
        ("text", "value"),
        [
            ("5", 5),
            ("-5", -5),
            ("- 5", -5),
            ("2.5", 2.5),
            ("-0.5", -0.5),
            ("1e3", 1000.0),
            ("1.5E-2", 0.015),
            (".5", 0.5),
            ("5.", 5.0),
            ("true", True),
            ("false", False),
            ('"饭店"', "饭店"),
            (r'"say \"hi\""', 'say "hi"'),
            (r'"\u4e2d\n"', "中\n"),
            ('""', ""),
        ],
    )
    def test_literals(self, text, value):
        literal = parse(f"x == {text}").operands[1]  # type: ignore[union-attr]
        assert literal == Literal(value)
        assert type(literal.value) is type(value)

    def test_membership_and_not_in(self):
        assert parse('kind in ["a", "b"]') == Membership(Name("kind"), (Literal("a"), Literal("b")))
        assert parse("kind in []") == Membership(Name("kind"), ())
        assert parse('kind in ["a",]') == Membership(Name("kind"), (Literal("a"),))
        assert parse('kind not in ["a"]') == Not(Membership(Name("kind"), (Literal("a"),)))
        assert parse("area in [-1, 2.5]") == Membership(Name("area"), (Literal(-1), Literal(2.5)))

    def test_unicode_question_keys_are_names(self):
        assert parse("面积 >= 500") == Compare((Name("面积"), Literal(500)), (">=",))

    def test_whitespace_and_newlines_are_ignored(self):
        assert parse("  area\n>=\t500 ") == parse("area >= 500")

    @pytest.mark.parametrize(
        ("text", "reason"),
        [
            ("", "empty condition (at 1)"),
            ("   ", "empty condition (at 4)"),
            ("area >=", "expected a value but found end of condition (at 8)"),
            ("area >= 500 and", "expected a value but found end of condition (at 16)"),
            ("(area > 1", "expected ')' but found end of condition (at 10)"),
            ("area > 1)", "unexpected ')' (at 9)"),
            ("area 500", "unexpected '500' (at 6)"),
            ("kind == 'hotel'", "strings must be in double quotes, not single quotes (at 9)"),
            ('kind == "hotel', "unterminated string (at 9)"),
            ("len(kind) > 1", "function calls are not allowed: len( (at 1)"),
            ("area.real > 1", "attribute access is not allowed (at 5: '.real > 1')"),
            ("kind[0] == 1", "indexing is not allowed: kind[ (at 1)"),
            ("area = 1", "use '==' to compare, '=' is not allowed (at 6)"),
            ("!central_ac", "use 'not' for negation, '!' is not allowed (at 1)"),
            ("a && b", "use 'and' / 'or', '&' is not allowed (at 3)"),
            ("a || b", "use 'and' / 'or', '|' is not allowed (at 3)"),
            ("area + 1 > 2", "arithmetic is not allowed ('+' at 6)"),
            ("area * 2 > 2", "arithmetic is not allowed ('*' at 6)"),
            ("area > -x", "'-' must be followed by a number (at 8)"),
            ("kind in kind", "'in' must be followed by a list like [\"a\", \"b\"], found 'kind' (at 9)"),
            ("kind in [name]", "expected a value but found 'name' (at 10)"),
            ('kind in ["a" "b"]', "expected ',' or ']' but found '\"b\"' (at 14)"),
            ("[1] == area", "a list is only allowed after 'in' (at 1)"),
            ("not in [1]", "'not in' needs a value before it, as in 'x not in [...]' (at 5)"),
            ("kind not ok", "expected 'in' after 'not' but found 'ok' (at 6)"),
            ("1 < area in [1]", "'in' cannot be chained with a comparison; use parentheses (at 10)"),
            ("5x > 1", "malformed number '5x > 1' (at 1)"),
            ("area > 1e999", "number 1e999 is too large (at 8)"),
            ('name == "\\q"', 'invalid string "\\q": Invalid \\escape (at 9)'),
            ("area @ 1", "unexpected character '@' (at 6)"),
        ],
    )
    def test_syntax_errors_name_what_and_where(self, text, reason):
        with pytest.raises(ConditionError) as info:
            parse(text)
        assert info.value.reason == reason
        assert str(info.value) == f"{reason} in condition {text!r}"

    def test_a_number_with_too_many_digits_is_refused_not_crashed(self):
        with pytest.raises(ConditionError, match="is too long"):
            parse("area > " + "9" * 5000)

    def test_deep_nesting_is_refused_before_the_stack_runs_out(self):
        assert parse("(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH) == Name("a")
        with pytest.raises(ConditionError, match="nested more than 100 levels deep"):
            parse("(" * 5000 + "a" + ")" * 5000)
        with pytest.raises(ConditionError, match="nested more than 100 levels deep"):
            parse("not " * 5000 + "a")

    def test_a_condition_must_be_text(self):
        with pytest.raises(ConditionError, match="a condition must be text, not int"):
            parse(5)  # type: ignore[arg-type]


# ----------------------------------------------------------------- type checking


class TestTypeCheck:
    @pytest.mark.parametrize(
        "text",
        [
            "area >= 500",
            "300 <= area < 500",
            "central_ac",
            "not central_ac",
            "central_ac == true",
            "central_ac != false",
            'kind == "hotel"',
            'kind in ["hotel", "饭店"]',
            'kind not in ["hostel"]',
            'name == "任何文字"',
            'name in ["a", "b"]',
            "area in [1, 2.5, -3]",
            "area == opt",
            "area < opt",
            "(area > 1) == central_ac",
            "true",
            "1 < 2",
            '面积 > 0 and (central_ac or kind == "hotel")',
        ],
    )
    def test_well_typed_conditions_compile(self, text):
        assert compile_condition(text, ENV).text == text

    @pytest.mark.parametrize(
        ("text", "reason"),
        [
            ("size > 1", "unknown name 'size' (not a question of this thing)"),
            ("True", "unknown name 'True' (not a question of this thing; write 'true')"),
            ('area == "500"', 'cannot compare a number with a string: area == "500"'),
            ("central_ac == 1", "cannot compare a boolean with a number: central_ac == 1"),
            ("kind == area", "cannot compare a string with a number: kind == area"),
            ('name < "m"', "'<' needs numbers, but name < \"m\" compares strings"),
            ("central_ac >= false", "'>=' needs numbers, but central_ac >= false compares booleans"),
            ("area", "a condition must be true or false, not a number"),
            ('"yes"', "a condition must be true or false, not a string"),
            ("area and central_ac", "'and' needs true/false operands, but area is a number"),
            ("central_ac or name", "'or' needs true/false operands, but name is a string"),
            ("not area", "'not' needs true/false operands, but area is a number"),
            ('kind == "motel"', "\"motel\" is not an option of 'kind' (options: hotel, hostel, 饭店)"),
            ('"motel" != kind', "\"motel\" is not an option of 'kind' (options: hotel, hostel, 饭店)"),
            ('kind in ["hotel", "motel"]', "\"motel\" is not an option of 'kind' (options: hotel, hostel, 饭店)"),
            ('area in [1, "2"]', 'cannot test a number for membership in a list containing a string: "2"'),
            ("central_ac in [1]", "cannot test a boolean for membership in a list containing a number: 1"),
            ("1 < area < kind", "cannot compare a number with a string: area < kind"),
        ],
    )
    def test_type_errors_are_refused_with_the_offending_text(self, text, reason):
        assert refused(text) == reason

    def test_without_an_environment_only_syntax_is_checked(self):
        assert compile_condition("whatever > 1", None).holds({"whatever": 2})
        assert refused("whatever >", None).startswith("expected a value")

    def test_absent_condition_is_always(self):
        condition = compile_condition(None, ENV)
        assert condition.holds({})
        assert condition.names == ()


# -------------------------------------------------------------------- evaluation


class TestEvaluation:
    @pytest.mark.parametrize(
        ("text", "answers", "expected"),
        [
            ("area >= 500", {"area": 500}, True),
            ("area >= 500", {"area": 499.9}, False),
            ("300 <= area < 500", {"area": 300}, True),
            ("300 <= area < 500", {"area": 500}, False),
            ("area == 500", {"area": 500.0}, True),
            ("area in [500]", {"area": 500.0}, True),
            ("area in []", {"area": 1}, False),
            ("area > -1.5", {"area": -1}, True),
            ("central_ac", {"central_ac": True}, True),
            ("not central_ac", {"central_ac": True}, False),
            ("central_ac == false", {"central_ac": False}, True),
            ('kind in ["hotel", "hostel"]', {"kind": "hostel"}, True),
            ('kind not in ["hotel", "hostel"]', {"kind": "饭店"}, True),
            ('kind != "hotel"', {"kind": "hotel"}, False),
            ("area == opt", {"area": 3, "opt": 3}, True),
            ("area < opt", {"area": 3, "opt": 3}, False),
            ("true", {}, True),
            ("false or true", {}, True),
            ('面积 > 10 and name == "张三"', {"面积": 11, "name": "张三"}, True),
        ],
    )
    def test_values(self, text, answers, expected):
        assert compile_condition(text, ENV).holds(answers) is expected

    def test_reading_an_unanswered_question_makes_the_whole_condition_false(self):
        assert holds("opt > 10") is False
        assert holds("opt > 10", opt=None) is False
        assert holds("not (opt > 10)") is False  # not "not false": the whole condition is false
        assert holds("opt <= 10 or opt > 10") is False
        assert holds("central_ac and opt > 1", central_ac=True) is False
        assert holds('kind not in ["hotel"]') is False

    def test_and_or_short_circuit_left_to_right(self):
        # the unanswered question on the right is never read
        assert holds("central_ac or opt > 10", central_ac=True) is True
        assert holds("central_ac and opt > 10", central_ac=False) is False
        # ... but it is read when the left side does not decide
        assert holds("central_ac or opt > 10", central_ac=False) is False
        assert holds("opt > 10 or central_ac", central_ac=True) is False

    def test_a_chain_stops_at_the_first_false_link(self):
        assert holds("area < 0 < opt", area=5) is False
        assert holds("0 < area < opt", area=5) is False

    def test_names_are_listed_once_in_reading_order(self):
        condition = compile_condition('kind == "hotel" or area > 1 and kind != "饭店" or central_ac', ENV)
        assert condition.names == ("kind", "area", "central_ac")

    def test_helpers_for_messages_and_analysis(self):
        expr = parse('not (area > 1 and 500 >= area) or kind in ["hotel"]')
        assert list(names_in(expr)) == ["area", "area", "kind"]
        assert list(literals_compared_with(expr, "area")) == [1, 500]
        assert list(literals_compared_with(expr, "kind")) == ["hotel"]
        assert unparse(expr) == '(not (area > 1 and 500 >= area) or kind in ["hotel"])'


# -------------------------------------------------------------------- properties


class _Unanswered(Exception):
    pass


def _need(answers: dict[str, object], key: str) -> object:
    if answers.get(key) is None:
        raise _Unanswered(key)
    return answers[key]


_ATOMS = {
    "area > 10": lambda a: _need(a, "area") > 10,  # type: ignore[operator]
    "area <= 3": lambda a: _need(a, "area") <= 3,  # type: ignore[operator]
    "central_ac": lambda a: _need(a, "central_ac"),
    'kind == "hotel"': lambda a: _need(a, "kind") == "hotel",
    "opt >= 2": lambda a: _need(a, "opt") >= 2,  # type: ignore[operator]
    'name == "x"': lambda a: _need(a, "name") == "x",
}


@st.composite
def _exprs(draw: st.DrawFn, depth: int = 3) -> tuple[str, object]:
    """Condition text and a reference evaluation written with Python's own and/or/not."""
    if depth == 0 or draw(st.booleans()):
        text = draw(st.sampled_from(sorted(_ATOMS)))
        return text, _ATOMS[text]
    op = draw(st.sampled_from(["and", "or", "not"]))
    left_text, left = draw(_exprs(depth - 1))
    if op == "not":
        return f"not ({left_text})", lambda a: not left(a)  # type: ignore[operator]
    right_text, right = draw(_exprs(depth - 1))
    if op == "and":
        return f"({left_text}) and ({right_text})", lambda a: left(a) and right(a)  # type: ignore[operator]
    return f"({left_text}) or ({right_text})", lambda a: left(a) or right(a)  # type: ignore[operator]


@given(
    _exprs(),
    st.fixed_dictionaries(
        {
            "area": st.one_of(st.none(), st.integers(0, 20)),
            "central_ac": st.one_of(st.none(), st.booleans()),
            "kind": st.one_of(st.none(), st.sampled_from(["hotel", "hostel"])),
            "opt": st.one_of(st.none(), st.integers(0, 5)),
            "name": st.one_of(st.none(), st.sampled_from(["x", "y"])),
        }
    ),
)
def test_evaluation_agrees_with_python_semantics_where_unanswered_makes_it_false(sample, answers):
    text, reference = sample
    try:
        expected = bool(reference(answers))  # type: ignore[operator]
    except _Unanswered:
        expected = False
    assert compile_condition(text, ENV).holds(answers) is expected
