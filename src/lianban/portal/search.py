"""Search for one-things in plain Chinese: 开个小饭店 finds 我要开饭馆.

The query and every thing's name and item names are segmented with jieba
(``lcut_for_search``, plus the domain words of ``search_dict.txt``); each word
is replaced by its canonical word from ``search_synonyms.txt`` (饭店 → 饭馆,
民宿 → 酒店, 卖药 → 药店); filler words (我要, 开个, 想开…) are dropped. A thing
scores for every query word found in its name, and less for one found only in
the name of one of its items; results are ranked by score.

Pure apart from reading the two data files: no Django, no database. jieba's
dictionary is loaded once, on the first search, not at import.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
USER_DICT = HERE / "search_dict.txt"
SYNONYMS = HERE / "search_synonyms.txt"

#: Words that say nothing about what the applicant wants to do.
STOPWORDS = frozenset(
    [
        "我",
        "我要",
        "要",
        "想",
        "想要",
        "想开",
        "开",
        "开个",
        "开一家",
        "一家",
        "一个",
        "个",
        "家",
        "的",
        "了",
        "吗",
        "呢",
        "啊",
        "在",
        "去",
        "和",
        "与",
        "及",
        "办",
        "办理",
        "怎么",
        "如何",
        "怎样",
        "需要",
        "什么",
        "哪些",
        "请问",
        "可以",
        "能",
        "一下",
        "帮",
        "我们",
        "自己",
        "新",
        "小",
    ]
)
#: A query longer than this is cut (segmenting is linear, but keep it bounded).
MAX_QUERY_CHARS = 100

NAME_SCORE = 10.0
ITEM_SCORE = 3.0
SINGLE_CHAR_FACTOR = 0.4

_tokenizer: Any = None
_tokenizer_lock = threading.Lock()


def _jieba() -> Any:
    """The jieba tokenizer with the domain dictionary, created on first use."""
    global _tokenizer
    if _tokenizer is None:
        with _tokenizer_lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                tokenizer.load_userdict(str(USER_DICT))
                _tokenizer = tokenizer
    return _tokenizer


def tokenizer_loaded() -> bool:
    """True once jieba's dictionary has been loaded (for tests of laziness)."""
    return _tokenizer is not None


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, trimmed, bounded."""
    return unicodedata.normalize("NFKC", text).strip().lower()[:MAX_QUERY_CHARS]


def segment(text: str) -> list[str]:
    """The words of ``text`` as jieba's search mode cuts them (overlapping words included)."""
    return [word for word in _jieba().lcut_for_search(normalise(text)) if word.strip()]


def load_synonyms(path: Path = SYNONYMS) -> dict[str, str]:
    """``word → canonical word`` from a synonym file (``canonical = word word …`` per line)."""
    table: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        canonical, sep, words = line.partition("=")
        canonical = normalise(canonical)
        if not sep or not canonical:
            raise ValueError(f"{path.name}:{number}: expected 'canonical = word word …'")
        table[canonical] = canonical
        for word in words.split():
            table[normalise(word)] = canonical
    return table


@cache
def default_synonyms() -> Mapping[str, str]:
    """The synonym table shipped with the portal."""
    return load_synonyms()


def _is_word(token: str) -> bool:
    return any(unicodedata.category(char)[0] in "LN" for char in token)


def terms(text: str, synonyms: Mapping[str, str]) -> dict[str, str]:
    """Significant words of ``text``: canonical word → the word as written (first seen)."""
    found: dict[str, str] = {}
    for word in segment(text):
        if word in STOPWORDS or not _is_word(word):
            continue
        found.setdefault(synonyms.get(word, word), word)
    return found


@dataclass(frozen=True, slots=True)
class QueryWord:
    """A word of the query, with the shorter words jieba found inside it (tried when it matches nothing)."""

    canonical: str
    written: str
    parts: tuple[tuple[str, str], ...] = ()


def query_words(query: str, synonyms: Mapping[str, str]) -> list[QueryWord]:
    """The query's significant words; words inside a longer word become its parts."""
    found = terms(query, synonyms)
    written = list(dict.fromkeys(found.values()))
    longest = [w for w in written if not any(w != other and w in other for other in written)]
    result = []
    for word in longest:
        parts = tuple((synonyms.get(part, part), part) for part in written if part != word and part in word)
        result.append(QueryWord(synonyms.get(word, word), word, parts))
    return result


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """What a one-thing is searched by."""

    code: str
    name: str
    item_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A thing that matches a query, with why."""

    code: str
    name: str
    score: float
    name_words: tuple[str, ...]
    matched_items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Entry:
    document: SearchDocument
    name_terms: frozenset[str]
    item_terms: tuple[frozenset[str], ...]


class SearchIndex:
    """The things of a catalog, segmented once, searchable many times."""

    def __init__(self, documents: Iterable[SearchDocument], synonyms: Mapping[str, str] | None = None) -> None:
        self.synonyms = default_synonyms() if synonyms is None else synonyms
        self._entries = tuple(
            _Entry(
                document=doc,
                name_terms=frozenset(terms(doc.name, self.synonyms)),
                item_terms=tuple(frozenset(terms(name, self.synonyms)) for name in doc.item_names),
            )
            for doc in documents
        )

    def __len__(self) -> int:
        return len(self._entries)

    def search(self, query: str, limit: int | None = None) -> list[SearchHit]:
        """Things matching ``query``, best first (ties keep the index order)."""
        wanted = query_words(query, self.synonyms)
        if not wanted:
            return []
        hits: list[tuple[float, int, SearchHit]] = []
        for position, entry in enumerate(self._entries):
            hit = self._score(entry, wanted)
            if hit is not None:
                hits.append((-hit.score, position, hit))
        hits.sort(key=lambda row: (row[0], row[1]))
        ranked = [hit for _, _, hit in hits]
        return ranked if limit is None else ranked[:limit]

    def _score(self, entry: _Entry, wanted: list[QueryWord]) -> SearchHit | None:
        score = 0.0
        name_words: list[str] = []
        matched_items: dict[str, int] = {}  # item name -> how many query words it matched
        for word in wanted:
            found = self._match(entry, word.canonical, word.written)
            if found is None and word.parts:
                # The whole word is unknown here: fall back to the words inside it, at half weight.
                partial = [m for m in (self._match(entry, c, w) for c, w in word.parts) if m is not None]
                found = (
                    (
                        sum(m[0] for m in partial) / 2,
                        [w for m in partial for w in m[1]],
                        [i for m in partial for i in m[2]],
                    )
                    if partial
                    else None
                )
            if found is not None:
                score += found[0]
                name_words.extend(found[1])
                for item_name in found[2]:
                    matched_items[item_name] = matched_items.get(item_name, 0) + 1
        if score <= 0:
            return None
        doc = entry.document
        best_first = sorted(matched_items, key=lambda name: -matched_items[name])  # stable: ties keep item order
        return SearchHit(doc.code, doc.name, score, tuple(dict.fromkeys(name_words)), tuple(best_first))

    @staticmethod
    def _match(entry: _Entry, canonical: str, written: str) -> tuple[float, list[str], list[str]] | None:
        """Score of one word for one thing: in its name, else in its items' names."""
        doc = entry.document
        weight = SINGLE_CHAR_FACTOR if len(canonical) == 1 and len(written) == 1 else 1.0
        long_enough = [w for w in (canonical, written) if len(w) >= 2]
        if canonical in entry.name_terms or any(w in normalise(doc.name) for w in long_enough):
            return NAME_SCORE * weight, [written], []
        items = [
            item_name
            for item_name, item_terms in zip(doc.item_names, entry.item_terms, strict=True)
            if canonical in item_terms or any(w in normalise(item_name) for w in long_enough)
        ]
        if items:
            return ITEM_SCORE * weight, [], items
        return None
