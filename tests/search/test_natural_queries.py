"""Natural queries over catalogs with keywords find the right thing first (the pure engine)."""

from __future__ import annotations

import pytest

from lianban.core.catalog import Catalog
from lianban.core.catalog_format import check_files
from lianban.core.search import SearchDocument, SearchIndex
from tests.conftest import SCENARIOS
from tests.search.queries import EXPECTED, HARD, ONLY, UNSEEN, first_right


def documents(catalog: Catalog) -> list[SearchDocument]:
    return [
        SearchDocument(
            thing.code,
            thing.name,
            thing.keywords,
            tuple(catalog.items[entry.item].name for entry in thing.items),
            tuple(question.text for question in thing.questions),
        )
        for thing in catalog.things.values()
    ]


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    paths = [*sorted(SCENARIOS.glob("*.yaml")), UNSEEN]
    result = check_files(Catalog(), [(p.name, p.read_bytes()) for p in paths])
    assert result.problems == []
    assert set(result.catalog.things) == {"KFG", "KJD", "KYD", "XSECS", "KZS", "KBLD"}
    return SearchIndex(documents(result.catalog))


def test_the_right_thing_comes_first_for_at_least_nine_queries_in_ten(index):
    first = {query: next((hit.code for hit in index.search(query)), None) for query in {**EXPECTED, **HARD}}
    assert first_right(first) >= 0.9, {q: c for q, c in first.items() if c != {**EXPECTED, **HARD}[q]}


@pytest.mark.parametrize(("query", "code"), EXPECTED.items(), ids=EXPECTED.keys())
def test_each_natural_query_finds_its_thing_first(index, query, code):
    hits = index.search(query)
    assert hits, f"nothing found for {query}"
    assert hits[0].code == code


@pytest.mark.parametrize(("query", "codes"), ONLY.items(), ids=ONLY.keys())
def test_a_specific_query_finds_only_its_thing(index, query, codes):
    assert [hit.code for hit in index.search(query)] == codes


def test_without_keywords_the_same_things_are_found_far_less_often():
    """The keywords do the work: strip them and most natural queries miss (the test set is not trivial)."""
    paths = [*sorted(SCENARIOS.glob("*.yaml")), UNSEEN]
    catalog = check_files(Catalog(), [(p.name, p.read_bytes()) for p in paths]).catalog
    bare = SearchIndex(SearchDocument(d.code, d.name, (), d.item_names, d.question_texts) for d in documents(catalog))
    first = {query: next((hit.code for hit in bare.search(query)), None) for query in EXPECTED}
    assert first_right(first) < 0.6
