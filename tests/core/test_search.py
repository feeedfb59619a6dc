"""The search engine on its own: jieba segmentation, the catalog's keywords, ranking."""

from __future__ import annotations

import subprocess
import sys

import pytest

from lianban.core.search import (
    ITEM_SCORE,
    KEYWORD_SCORE,
    NAME_SCORE,
    QUESTION_SCORE,
    SearchDocument,
    SearchIndex,
    query_words,
    segment,
    tokenizer_with,
)

# Words no dictionary of the project holds: the engine must learn them from the documents.
DOCUMENTS = (
    SearchDocument(
        "BOOK",
        "我要开书店",
        keywords=("开书店", "书店", "书屋", "卖旧书"),
        item_names=("个体工商户设立登记", "出版物零售许可"),
        question_texts=("是否销售音像制品",),
    ),
    SearchDocument(
        "PET",
        "宠物医院开办",
        keywords=("宠物诊疗", "动物医院", "猫狗看病"),
        item_names=("个体工商户设立登记", "动物诊疗许可证核发"),
    ),
    SearchDocument("BIRTH", "新生儿出生", keywords=("孩子出生", "生宝宝", "上户口"), item_names=("出生户口登记",)),
)


@pytest.fixture(scope="module")
def index():
    return SearchIndex(DOCUMENTS)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("想开个书屋", ["BOOK"]),
        ("卖旧书", ["BOOK"]),
        ("我家猫狗看病", ["PET"]),
        ("孩子出生了要办什么", ["BIRTH"]),
        ("给孩子上户口", ["BIRTH"]),
        ("动物诊疗", ["PET"]),
    ],
)
def test_a_keyword_finds_its_thing_and_only_it(index, query, expected):
    assert [hit.code for hit in index.search(query)] == expected


def test_keywords_become_words_of_the_tokenizer_without_changing_the_shared_one():
    assert "猫狗看病" not in segment("猫狗看病")
    tokenizer = tokenizer_with(["猫狗看病"])
    assert "猫狗看病" in segment("我家猫狗看病", tokenizer)
    assert "猫狗看病" not in segment("猫狗看病")  # the base dictionary is untouched
    assert tokenizer_with([]) is tokenizer_with(["书店"])  # nothing new to learn: the shared tokenizer


def test_the_name_ranks_above_keywords_above_items_above_questions():
    docs = [
        SearchDocument("Q", "甲", question_texts=("是否有露台",)),
        SearchDocument("I", "乙", item_names=("露台搭建审批",)),
        SearchDocument("K", "丙", keywords=("大露台",)),
        SearchDocument("N", "露台改造"),
    ]
    hits = SearchIndex(docs).search("露台")
    assert [h.code for h in hits] == ["N", "K", "I", "Q"]
    assert [h.score for h in hits] == [NAME_SCORE, KEYWORD_SCORE, ITEM_SCORE, QUESTION_SCORE]


def test_a_keyword_written_whole_adds_a_bonus_that_grows_with_its_length():
    docs = [SearchDocument("SHORT", "甲", keywords=("诊所",)), SearchDocument("LONG", "乙", keywords=("牙科诊所",))]
    hits = SearchIndex(docs).search("开个牙科诊所")
    assert [h.code for h in hits] == ["LONG", "SHORT"]
    assert hits[0].score > hits[1].score
    assert "牙科诊所" in hits[0].words


def test_an_item_name_finds_every_thing_that_includes_it_and_says_which_item(index):
    hits = index.search("个体工商户设立登记")
    assert [h.code for h in hits][:2] == ["BOOK", "PET"]
    assert hits[1].score > hits[2].score  # BIRTH only shares 登记, half weight
    assert hits[0].matched_items == ("个体工商户设立登记",)
    assert hits[0].words == ()


def test_a_hit_says_which_words_matched(index):
    (hit,) = index.search("开书店")
    assert "书店" in hit.words


def test_filler_words_alone_find_nothing(index):
    assert index.search("我要开个") == []
    assert index.search("要办什么") == []
    assert index.search("   ") == []
    assert index.search("！？。") == []


def test_unrelated_words_find_nothing(index):
    assert index.search("航天飞机") == []
    assert index.search("abc") == []


def test_full_width_and_latin_case_are_normalised():
    index = SearchIndex([SearchDocument("X", "ABC 药店")])
    assert [h.code for h in index.search("ａｂｃ")] == ["X"]


def test_query_words_keep_the_longest_word_with_its_parts():
    words = query_words("公司设立登记")
    whole = next(w for w in words if w.word == "设立登记")
    assert "设立" in whole.parts


def test_a_limit_cuts_the_ranking(index):
    assert len(index.search("个体工商户设立登记", limit=1)) == 1


def test_jieba_is_not_loaded_at_import():
    code = (
        "import lianban.core.search as s, sys; "
        "assert not s.tokenizer_loaded(); assert 'jieba' not in sys.modules; "
        "s.segment('开个书店'); assert s.tokenizer_loaded(); print('ok')"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_a_keyword_jieba_knows_only_as_the_start_of_a_longer_word_is_still_learnt():
    assert "营业执" not in segment("办营业执")  # in jieba's dictionary only as a prefix, with frequency 0
    assert "营业执" in segment("办营业执", tokenizer_with(["营业执"]))
