"""Conditions and answers in words (Chinese through i18n; English msgids as the fallback)."""

from __future__ import annotations

from django.utils import translation

import pytest

from lianban.core.catalog import Question
from lianban.portal.wording import answers_in_words, condition_in_words, value_text

QUESTIONS = (
    Question("area", "经营场所建筑面积(平方米)", "number", min=0),
    Question("central_ac", "是否使用集中空调通风系统", "boolean"),
    Question("kind", "经营类别", "choice", options=("酒店", "民宿")),
)


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.mark.parametrize(
    ("condition", "words"),
    [
        ("area >= 500", "「经营场所建筑面积(平方米)」 ≥ 500"),
        ("area >= 300 and area < 500", "「经营场所建筑面积(平方米)」 ≥ 300 且 「经营场所建筑面积(平方米)」 < 500"),
        ("300 <= area < 500", "300 ≤ 「经营场所建筑面积(平方米)」 < 500"),
        ("central_ac == true", "「是否使用集中空调通风系统」为“是”"),
        ("central_ac != false", "「是否使用集中空调通风系统」不为“否”"),
        ('kind in ["酒店", "民宿"]', "「经营类别」为“酒店”、“民宿”之一"),
        ("not (area > 10)", "并非（「经营场所建筑面积(平方米)」 > 10）"),
        (
            "central_ac == true or (area > 1 and area < 2)",
            "「是否使用集中空调通风系统」为“是” 或 (「经营场所建筑面积(平方米)」 > 1 且 「经营场所建筑面积(平方米)」 < 2)",
        ),
        ("area == 2.5", "「经营场所建筑面积(平方米)」 = 2.5"),
        ("central_ac", "「是否使用集中空调通风系统」为“是”"),
    ],
)
def test_a_condition_reads_as_a_sentence(condition, words):
    assert condition_in_words(condition, QUESTIONS) == words


def test_no_condition_means_always():
    assert condition_in_words(None, QUESTIONS) is None
    assert condition_in_words("  ", QUESTIONS) is None


def test_a_key_the_thing_does_not_ask_is_shown_by_its_key():
    assert condition_in_words("rooms > 10", QUESTIONS) == "「rooms」 > 10"


def test_a_condition_that_does_not_parse_is_shown_as_written():
    assert condition_in_words("area >=", QUESTIONS) == "area >="


def test_answers_read_by_a_condition_are_listed_in_question_order():
    read = {"central_ac": False, "area": 600, "kind": None}
    assert answers_in_words(read, QUESTIONS) == [
        "「经营场所建筑面积(平方米)」：600",
        "「是否使用集中空调通风系统」：否",
        "「经营类别」：未回答",
    ]


def test_values_read_naturally():
    assert [value_text(v) for v in (True, False, 600, 600.0, 2.5, "民宿", None)] == [
        "是",
        "否",
        "600",
        "600",
        "2.5",
        "民宿",
        "未回答",
    ]


def test_english_is_the_fallback_language():
    with translation.override("en"):
        assert condition_in_words("central_ac == true and area >= 500", QUESTIONS) == (
            "“是否使用集中空调通风系统” is “yes” and “经营场所建筑面积(平方米)” ≥ 500"
        )
