"""Search for one-things in plain Chinese, with the catalog's own words.

Every thing is searched by its name, its ``keywords`` (the words people use
for it, from the catalog), the names of its items and the texts of its
questions. The query and those texts are segmented with jieba
(``lcut_for_search``); the catalog's keywords are added to jieba's dictionary
when an index is built, so a keyword such as 孩子出生 is one word and its parts
(孩子, 出生) are words too. Filler words that say nothing about the thing
(我要, 想开, 办什么…) are dropped; they are generic, never a domain word: every
domain word comes from the catalog.

A thing scores for each query word found in its name (most), in its keywords,
in an item's name or in a question's text (least); a keyword written whole
in the query adds a bonus that grows with its length, so the most specific
keyword wins. Results are ranked by score, ties in index order.

Pure apart from jieba: no Django, no database. jieba's dictionary is loaded
once, on the first search, not at import.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

#: Generic words that say nothing about what the applicant wants to do (no domain word here).
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
        "吧",
        "在",
        "去",
        "和",
        "与",
        "及",
        "或",
        "办",
        "办理",
        "要办",
        "办什么",
        "怎么",
        "怎么办",
        "如何",
        "怎样",
        "需要",
        "什么",
        "哪些",
        "什么样",
        "请问",
        "可以",
        "能",
        "一下",
        "帮",
        "帮我",
        "我们",
        "自己",
        "新",
        "小",
        "该",
        "应该",
        "手续",
    ]
)
#: A query longer than this is cut (segmenting is linear, but keep it bounded).
MAX_QUERY_CHARS = 100

NAME_SCORE = 10.0
KEYWORD_SCORE = 8.0
ITEM_SCORE = 3.0
QUESTION_SCORE = 2.0
#: Per character of a keyword written whole in the query.
PHRASE_SCORE = 2.0
SINGLE_CHAR_FACTOR = 0.4
#: How often jieba should think a catalog keyword occurs: enough to keep it in one piece.
KEYWORD_FREQUENCY = 2000

_tokenizer: Any = None
_tokenizer_lock = threading.Lock()


def _jieba() -> Any:
    """jieba's tokenizer with its own dictionary only, created on first use."""
    global _tokenizer
    if _tokenizer is None:
        with _tokenizer_lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _tokenizer = tokenizer
    return _tokenizer


def tokenizer_with(words: Iterable[str]) -> Any:
    """A tokenizer that also knows ``words`` (the base dictionary is shared, never changed)."""
    base = _jieba()
    extra = sorted({w for w in (normalise(word) for word in words) if len(w) >= 2 and not base.FREQ.get(w)})
    if not extra:
        return base
    import jieba

    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ = dict(base.FREQ)
    tokenizer.total = base.total
    tokenizer.initialized = True
    for word in extra:
        tokenizer.add_word(word, freq=KEYWORD_FREQUENCY)
    return tokenizer


def tokenizer_loaded() -> bool:
    """True once jieba's dictionary has been loaded (for tests of laziness)."""
    return _tokenizer is not None


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, trimmed, bounded."""
    return unicodedata.normalize("NFKC", text).strip().lower()[:MAX_QUERY_CHARS]


def segment(text: str, tokenizer: Any = None) -> list[str]:
    """The words of ``text`` as jieba's search mode cuts them (overlapping words included)."""
    return [word for word in (tokenizer or _jieba()).lcut_for_search(normalise(text)) if word.strip()]


def _is_word(token: str) -> bool:
    return any(unicodedata.category(char)[0] in "LN" for char in token)


def terms(text: str, tokenizer: Any = None) -> list[str]:
    """Significant words of ``text``, each once, in order."""
    return list(dict.fromkeys(w for w in segment(text, tokenizer) if w not in STOPWORDS and _is_word(w)))


@dataclass(frozen=True, slots=True)
class QueryWord:
    """A word of the query, with the shorter words jieba found inside it (tried when it matches nothing)."""

    word: str
    parts: tuple[str, ...] = ()


def query_words(query: str, tokenizer: Any = None) -> list[QueryWord]:
    """The query's significant words; words inside a longer word become its parts."""
    written = terms(query, tokenizer)
    longest = [w for w in written if not any(w != other and w in other for other in written)]
    return [QueryWord(word, tuple(part for part in written if part != word and part in word)) for word in longest]


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """What a one-thing is searched by."""

    code: str
    name: str
    keywords: tuple[str, ...] = ()
    item_names: tuple[str, ...] = ()
    question_texts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A thing that matches a query, with why: the words found in its name or keywords, the items."""

    code: str
    name: str
    score: float
    words: tuple[str, ...]
    matched_items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Field:
    """One searchable text: its normalised form and its words."""

    text: str
    normal: str
    terms: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Entry:
    document: SearchDocument
    name: _Field
    keywords: tuple[_Field, ...]
    items: tuple[_Field, ...]
    questions: tuple[_Field, ...]


@dataclass(frozen=True, slots=True)
class _Found:
    score: float
    words: tuple[str, ...] = ()
    items: tuple[str, ...] = ()


class SearchIndex:
    """The things of a catalog, segmented once, searchable many times."""

    def __init__(self, documents: Iterable[SearchDocument]) -> None:
        documents = tuple(documents)
        self.tokenizer = tokenizer_with(k for doc in documents for k in doc.keywords)
        self._entries = tuple(
            _Entry(
                document=doc,
                name=self._field(doc.name),
                keywords=tuple(self._field(k) for k in doc.keywords),
                items=tuple(self._field(n) for n in doc.item_names),
                questions=tuple(self._field(t) for t in doc.question_texts),
            )
            for doc in documents
        )

    def _field(self, text: str) -> _Field:
        return _Field(text, normalise(text), frozenset(terms(text, self.tokenizer)))

    def __len__(self) -> int:
        return len(self._entries)

    def search(self, query: str, limit: int | None = None) -> list[SearchHit]:
        """Things matching ``query``, best first (ties keep the index order)."""
        wanted = query_words(query, self.tokenizer)
        if not wanted:
            return []
        normal = normalise(query)
        hits: list[tuple[float, int, SearchHit]] = []
        for position, entry in enumerate(self._entries):
            hit = self._score(entry, wanted, normal)
            if hit is not None:
                hits.append((-hit.score, position, hit))
        hits.sort(key=lambda row: (row[0], row[1]))
        ranked = [hit for _, _, hit in hits]
        return ranked if limit is None else ranked[:limit]

    def _score(self, entry: _Entry, wanted: list[QueryWord], query: str) -> SearchHit | None:
        score = 0.0
        words: list[str] = []
        matched_items: dict[str, int] = {}  # item name -> how many query words it matched
        for word in wanted:
            found = _match(entry, word.word)
            if found is None and word.parts:
                # The whole word is unknown here: fall back to the words inside it, at half weight.
                partial = [m for m in (_match(entry, part) for part in word.parts) if m is not None]
                if partial:
                    found = _Found(
                        sum(m.score for m in partial) / 2,
                        tuple(w for m in partial for w in m.words),
                        tuple(i for m in partial for i in m.items),
                    )
            if found is not None:
                score += found.score
                words.extend(found.words)
                for item_name in found.items:
                    matched_items[item_name] = matched_items.get(item_name, 0) + 1
        if score <= 0:
            return None
        # A keyword written whole in the query: the longer, the more specific.
        phrases = [k for k in entry.keywords if len(k.normal) >= 2 and k.normal in query]
        score += sum(PHRASE_SCORE * len(k.normal) for k in phrases)
        words.extend(k.text for k in phrases)
        doc = entry.document
        best_first = sorted(matched_items, key=lambda name: -matched_items[name])  # stable: ties keep item order
        return SearchHit(doc.code, doc.name, score, tuple(dict.fromkeys(words)), tuple(best_first))


def _contains(field: _Field, word: str) -> bool:
    return word in field.terms or (len(word) >= 2 and word in field.normal)


def _match(entry: _Entry, word: str) -> _Found | None:
    """Score of one word for one thing: in its name, else its keywords, else its items, else its questions."""
    weight = SINGLE_CHAR_FACTOR if len(word) == 1 else 1.0
    if _contains(entry.name, word):
        return _Found(NAME_SCORE * weight, (word,))
    if any(_contains(keyword, word) for keyword in entry.keywords):
        return _Found(KEYWORD_SCORE * weight, (word,))
    items = tuple(item.text for item in entry.items if _contains(item, word))
    if items:
        return _Found(ITEM_SCORE * weight, (), items)
    if any(_contains(question, word) for question in entry.questions):
        return _Found(QUESTION_SCORE * weight)
    return None
