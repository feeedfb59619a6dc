"""Reads: the catalog's one-things searched in plain Chinese (``lianban.core.search``).

The index is built from the catalog (names, keywords, item names, question
texts) once per catalog change, and shared by the API and the portal.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.db.models import Prefetch

from lianban.catalog import models as m
from lianban.catalog.selectors import catalog_token
from lianban.core.search import MAX_QUERY_CHARS, SearchDocument, SearchHit, SearchIndex

__all__ = ["MAX_QUERY_CHARS", "SearchResult", "search_examples", "search_index", "thing_search"]

_index: tuple[str, SearchIndex] | None = None
_index_lock = threading.Lock()


def search_index() -> SearchIndex:
    """The search index over the catalog's one-things, rebuilt when the catalog changes."""
    global _index
    token = catalog_token()
    current = _index
    if current is not None and token and current[0] == token:
        return current[1]
    things = m.Thing.objects.order_by("code").prefetch_related(
        Prefetch("entries", queryset=m.ThingItem.objects.select_related("item").order_by("position", "id")),
        Prefetch("questions", queryset=m.Question.objects.order_by("position", "id")),
    )
    index = SearchIndex(
        SearchDocument(
            thing.code,
            thing.name,
            tuple(thing.keywords),
            tuple(entry.item.name for entry in thing.entries.all()),
            tuple(question.text for question in thing.questions.all()),
        )
        for thing in things
    )
    with _index_lock:
        _index = (token, index)
    return index


@dataclass(frozen=True, slots=True)
class SearchResult:
    """A matching thing and why it matched."""

    thing: m.Thing
    hit: SearchHit


def thing_search(query: str, limit: int | None = 20) -> list[SearchResult]:
    """One-things matching a query in plain Chinese, best first (empty: nothing matched)."""
    hits = search_index().search(query[:MAX_QUERY_CHARS], limit=limit)
    things = m.Thing.objects.select_related("lead_department").in_bulk([hit.code for hit in hits], field_name="code")
    return [SearchResult(things[hit.code], hit) for hit in hits if hit.code in things]


def search_examples(count: int = 3) -> list[str]:
    """Words to suggest in the search hint, from the catalog: the first keyword of the first things."""
    examples: list[str] = []
    for keywords in m.Thing.objects.order_by("code").values_list("keywords", flat=True):
        if keywords and keywords[0] not in examples:
            examples.append(keywords[0])
        if len(examples) == count:
            break
    return examples
