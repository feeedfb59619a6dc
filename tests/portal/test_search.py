"""Search in plain Chinese: jieba segmentation, the synonym table, ranking."""

from __future__ import annotations

import subprocess
import sys

import pytest

from lianban.portal.search import SearchDocument, SearchIndex, load_synonyms, query_words

DOCUMENTS = (
    SearchDocument(
        "KFG",
        "我要开饭馆",
        ("公司设立登记", "食品经营许可", "特殊建设工程消防设计审查", "公众聚集场所投入使用、营业前消防安全检查"),
    ),
    SearchDocument(
        "KJD",
        "我要开酒店、宾馆",
        ("公司设立登记", "食品经营许可", "公共场所卫生许可", "特种行业许可证核发（旅馆业）", "户外广告设置审批"),
    ),
    SearchDocument(
        "KYD",
        "我要开药店",
        ("公司设立登记", "药品经营许可证（零售）核发", "第二类医疗器械经营备案", "零售药店医疗保障定点申请"),
    ),
)


@pytest.fixture(scope="module")
def index():
    return SearchIndex(DOCUMENTS)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("开个小饭店", "KFG"),
        ("想开一家餐馆", "KFG"),
        ("开民宿", "KJD"),
        ("开个宾馆", "KJD"),
        ("旅馆", "KJD"),
        ("卖药", "KYD"),
        ("开药房", "KYD"),
        ("户外广告", "KJD"),
        ("我要开饭馆", "KFG"),
    ],
)
def test_plain_words_find_the_thing_first(index, query, expected):
    hits = index.search(query)
    assert hits, f"nothing found for {query}"
    assert hits[0].code == expected


def test_the_brief_examples_find_only_their_thing(index):
    assert [h.code for h in index.search("开个小饭店")] == ["KFG"]
    assert [h.code for h in index.search("开民宿")] == ["KJD"]
    assert [h.code for h in index.search("卖药")] == ["KYD"]


def test_a_thing_name_match_ranks_above_an_item_name_match(index):
    # 食品经营许可 is an item of both KFG and KJD; 饭馆 is only in KFG's name.
    hits = index.search("饭馆 食品经营许可")
    assert hits[0].code == "KFG"
    assert hits[0].score > hits[1].score


def test_an_item_name_finds_every_thing_that_includes_it(index):
    hits = index.search("食品经营许可")
    assert {h.code for h in hits[:2]} == {"KFG", "KJD"}
    # The item matching most words comes first in "why".
    assert [h.matched_items[0] for h in hits] == ["食品经营许可", "食品经营许可", "药品经营许可证（零售）核发"]


def test_a_hit_says_why_it_matched(index):
    (hit,) = index.search("开个小饭店")
    assert hit.name_words == ("饭店",)
    assert hit.matched_items == ()


def test_filler_words_alone_find_nothing(index):
    assert index.search("我要开个") == []
    assert index.search("   ") == []
    assert index.search("！？。") == []


def test_unrelated_words_find_nothing(index):
    assert index.search("航天飞机") == []
    assert index.search("abc") == []


def test_full_width_and_latin_case_are_normalised():
    index = SearchIndex([SearchDocument("X", "ABC 药店")])
    assert [h.code for h in index.search("ａｂｃ")] == ["X"]


def test_query_words_keep_the_longest_word_with_its_parts():
    synonyms = load_synonyms()
    words = query_words("公司设立登记", synonyms)
    whole = next(w for w in words if w.written == "设立登记")
    assert ("设立", "设立") in whole.parts


def test_synonyms_map_words_to_their_canonical_word():
    table = load_synonyms()
    assert table["饭店"] == table["小饭店"] == table["餐馆"] == "饭馆"
    assert table["民宿"] == table["宾馆"] == table["旅馆"] == "酒店"
    assert table["卖药"] == "药店"


def test_a_malformed_synonym_file_names_the_line(tmp_path):
    path = tmp_path / "synonyms.txt"
    path.write_text("# comment\n饭馆 = 饭店\n餐馆 饭店\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"synonyms.txt:3"):
        load_synonyms(path)


def test_a_custom_synonym_table_is_used():
    index = SearchIndex([SearchDocument("T", "我要开书店")], synonyms={"书屋": "书店"})
    assert [h.code for h in index.search("开书屋")] == ["T"]


def test_jieba_is_not_loaded_at_import():
    code = (
        "import lianban.portal.search as s, sys; "
        "assert not s.tokenizer_loaded(); assert 'jieba' not in sys.modules; "
        "s.segment('开个小饭店'); assert s.tokenizer_loaded(); print('ok')"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
