"""Reading the guide's answers from the query string and wording the planner's problems."""

from __future__ import annotations

import re

from django.utils import translation

import pytest

from lianban.core.catalog import Question
from lianban.core.errors import AnswerProblem, AnswersInvalid
from lianban.core.planner import validate_answers
from lianban.portal.guide import add_problems, is_submitted, problem_message, read_answers

QUESTIONS = (
    Question("area", "经营场所建筑面积(平方米)", "number", min=0, max=100000),
    Question("central_ac", "是否使用集中空调通风系统", "boolean"),
    Question("kind", "经营类别", "choice", options=("酒店", "民宿")),
    Question("note", "备注", "text", required=False),
)


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def test_text_becomes_typed_answers():
    answers, fields = read_answers(QUESTIONS, {"area": " 600 ", "central_ac": "false", "kind": "民宿", "note": ""})
    assert answers == {"area": 600, "central_ac": False, "kind": "民宿"}
    assert isinstance(answers["area"], int)
    assert [f.errors for f in fields] == [[], [], [], []]
    assert fields[0].raw == "600"


def test_decimals_full_width_digits_and_thousands_separators_are_numbers():
    assert read_answers(QUESTIONS, {"area": "2.5"})[0]["area"] == 2.5
    assert read_answers(QUESTIONS, {"area": "６００"})[0]["area"] == 600
    assert read_answers(QUESTIONS, {"area": "1,200"})[0]["area"] == 1200


@pytest.mark.parametrize("text", ["abc", "NaN", "Infinity", "1e", "--1"])
def test_text_that_is_not_a_number_is_an_error_naming_the_question(text):
    answers, fields = read_answers(QUESTIONS, {"area": text})
    assert "area" not in answers
    assert fields[0].errors == ["「经营场所建筑面积(平方米)」须填写数字。"]


def test_a_yes_no_answer_must_be_true_or_false():
    answers, fields = read_answers(QUESTIONS, {"central_ac": "maybe"})
    assert "central_ac" not in answers
    assert fields[1].errors == ["「是否使用集中空调通风系统」：请选择“是”或“否”。"]


def test_fields_know_their_widgets_and_options():
    _, fields = read_answers(QUESTIONS, {"central_ac": "true", "kind": "民宿"})
    assert [f.widget for f in fields] == ["number", "radio", "radio", "text"]
    assert [(o.value, o.label, o.checked) for o in fields[1].options] == [("true", "是", True), ("false", "否", False)]
    assert [o.checked for o in fields[2].options] == [False, True]
    assert (fields[0].min, fields[0].max) == ("0", "100000")
    many = Question("city", "城市", "choice", options=tuple(f"城{i}" for i in range(10)))
    assert read_answers((many,), {})[1][0].widget == "select"


def _planner_problems(answers):
    with pytest.raises(AnswersInvalid) as info:
        validate_answers(QUESTIONS, answers)
    return info.value.problems


@pytest.mark.parametrize(
    ("answers", "key", "message"),
    [
        ({"central_ac": True, "kind": "民宿"}, "area", "请回答「经营场所建筑面积(平方米)」。"),
        ({"area": -1, "central_ac": True, "kind": "民宿"}, "area", "「经营场所建筑面积(平方米)」不能小于 0。"),
        ({"area": 10**6, "central_ac": True, "kind": "民宿"}, "area", "「经营场所建筑面积(平方米)」不能大于 100000。"),
        ({"area": "x", "central_ac": True, "kind": "民宿"}, "area", "「经营场所建筑面积(平方米)」须填写数字。"),
        (
            {"area": 1, "central_ac": "yes", "kind": "民宿"},
            "central_ac",
            "「是否使用集中空调通风系统」：请选择“是”或“否”。",
        ),
        ({"area": 1, "central_ac": True, "kind": "客栈"}, "kind", "「经营类别」：请从选项中选择一项。"),
        ({"area": 1, "central_ac": True, "kind": 3}, "kind", "「经营类别」：请从选项中选择一项。"),
        ({"area": 1, "central_ac": True, "kind": "民宿", "note": 5}, "note", "「备注」：请填写文字。"),
        ({"area": 1, "central_ac": True, "kind": "民宿", "colour": 1}, "colour", "「colour」不是本指南的问题。"),
    ],
)
def test_every_planner_problem_is_worded_in_chinese_and_names_the_question(answers, key, message):
    problems = [p for p in _planner_problems(answers) if p.question == key]
    assert len(problems) == 1
    question = next((q for q in QUESTIONS if q.key == key), None)
    text = problem_message(question, problems[0])
    assert text == message
    assert not re.search(r"[A-Za-z]{3,}", text.replace("colour", ""))


def test_an_unknown_problem_falls_back_to_the_planner_message():
    text = problem_message(QUESTIONS[0], AnswerProblem("area", "something new"))
    assert text == "「经营场所建筑面积(平方米)」：something new"


def test_problems_go_to_their_fields_and_do_not_hide_a_reading_error():
    _, fields = read_answers(QUESTIONS, {"area": "abc"})
    unplaced = add_problems(
        fields,
        [
            AnswerProblem("area", "an answer is required (x)", "required"),
            AnswerProblem("kind", "an answer is required (经营类别)", "required"),
            AnswerProblem("answers", "answers must be an object", "not-an-object"),
        ],
    )
    assert fields[0].errors == ["「经营场所建筑面积(平方米)」须填写数字。"]
    assert fields[2].errors == ["请回答「经营类别」。"]
    assert unplaced == ["「answers」：answers must be an object"]


def test_the_form_counts_as_sent_once_any_question_is_in_the_query():
    assert not is_submitted(QUESTIONS, {})
    assert not is_submitted(QUESTIONS, {"utm": "x"})
    assert is_submitted(QUESTIONS, {"note": ""})
    optional_only = (Question("note", "备注", "text", required=False),)
    assert is_submitted(optional_only, {})
    assert is_submitted((), {})
