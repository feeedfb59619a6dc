"""The rules of ``lianban-catalog/1`` about one entry (shared by import and admin).

``entry_issues`` checks one entry on its own: codes, texts, categories, days,
question definitions, a thing's conditions against its questions, ``after``…
What entries say about each other is checked by :mod:`.references`.

Values that were unusable in the file (``broken`` paths, see :mod:`.reading`)
are skipped, so that one mistake is reported once.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from lianban.core.catalog import (
    APPLICANT_PREFILLS,
    CATEGORIES,
    FIELD_TYPES,
    MATERIAL_SOURCES,
    NUMERIC_FIELD_TYPES,
    QUESTION_TYPES,
    SUBJECTS,
    TEXT_FIELD_LENGTHS,
    Department,
    FieldDef,
    Item,
    Material,
    Question,
    Thing,
)
from lianban.core.catalog_format.reading import Issue
from lianban.core.conditions import NAME_RE, QuestionType, compile_condition, names_in, parse
from lianban.core.errors import ConditionError
from lianban.core.text import Text, tx

CODE_RE = re.compile(r"[A-Za-z0-9_-]{1,40}")
FIELD_KEY_RE = re.compile(r"[a-z][a-z0-9_]{0,39}")
ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
RESERVED_KEYS = frozenset({"and", "or", "not", "in", "true", "false"})
#: Largest number of days an item may take (what every database stores).
MAX_DAYS = 2_147_483_647
#: Larger whole numbers lose digits when stored as numbers with decimals.
MAX_EXACT = 2**53
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

Broken = Collection[str]
EMPTY = tx("must not be empty")


# --------------------------------------------------------------------- values


def code_problem(value: str) -> Text | None:
    """What is wrong with a code, or None."""
    if value == "":
        return EMPTY
    if not CODE_RE.fullmatch(value):
        return tx("%(code)s is not a valid code (1 to 40 ASCII letters, digits, '_' or '-')", code=repr(value))
    return None


def text_problem(value: str) -> Text | None:
    """What is wrong with a piece of text (a name, a question…), or None."""
    if not value.strip():
        return EMPTY
    bad = _UNSTORABLE.search(value)
    if bad:
        return tx("contains a character that cannot be stored (U+%(code)s)", code=f"{ord(bad.group()):04X}")
    return None


def key_problem(value: str) -> Text | None:
    """What is wrong with a question key, or None."""
    if value == "":
        return EMPTY
    if not NAME_RE.fullmatch(value) or value in RESERVED_KEYS:
        return tx(
            "%(key)s is not a valid key (letters, digits and '_', not starting with a digit, "
            "and not one of %(reserved)s)",
            key=repr(value),
            reserved=", ".join(sorted(RESERVED_KEYS)),
        )
    return None


def field_key_problem(value: str) -> Text | None:
    """What is wrong with a form field key, or None."""
    if value == "":
        return EMPTY
    if not FIELD_KEY_RE.fullmatch(value):
        return tx(
            "%(key)s is not a valid field key (a lowercase letter, then up to 39 lowercase letters, digits or '_')",
            key=repr(value),
        )
    return None


def prefill_problem(value: str) -> Text | None:
    """What is wrong with a field's ``prefill`` source, or None."""
    if value in APPLICANT_PREFILLS:
        return None
    source, dot, name = value.partition(".")
    if source == "answer" and dot and key_problem(name) is None:
        return None
    return tx(
        "unknown prefill source %(value)s (allowed: %(allowed)s, or answer.KEY)",
        value=repr(value),
        allowed=", ".join(APPLICANT_PREFILLS),
    )


def iso_date(value: object) -> date | None:
    """``value`` as a date when it is an ISO date ``YYYY-MM-DD``, else None."""
    if not isinstance(value, str) or not ISO_DATE_RE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _days_problem(value: int) -> Text | None:
    if value < 0:
        return tx("must be ≥ 0, not %(value)s", value=value)
    if value > MAX_DAYS:
        return tx("must be at most %(most)s, not %(value)s", most=MAX_DAYS, value=value)
    return None


def _number_problem(value: int | float, *, minimum: float | None = None) -> Text | None:
    if isinstance(value, float) and not math.isfinite(value):
        return tx("must be a finite number, not %(value)s", value=str(value))
    if isinstance(value, int) and abs(value) > MAX_EXACT:
        return tx("is too large to be kept exactly (at most %(most)s)", most=MAX_EXACT)
    if minimum is not None and value < minimum:
        return tx("must be ≥ %(least)s, not %(value)s", least=f"{minimum:g}", value=str(value))
    return None


def _one_of(value: str, allowed: Iterable[str]) -> Text | None:
    allowed = tuple(allowed)
    if value in allowed:
        return None
    return tx("must be one of %(allowed)s, not %(value)s", allowed=", ".join(allowed), value=repr(value))


def condition_problem(text: str, env: Mapping[str, QuestionType] | None) -> Text | None:
    """What is wrong with a condition (syntax; types when ``env`` is given), or None."""
    try:
        compile_condition(text, env)
    except ConditionError as exc:
        return exc.full
    return None


# --------------------------------------------------------------------- entries


class Sink:
    """Collects issues for one entry, skipping broken paths (see :mod:`.reading`)."""

    def __init__(self, broken: Broken) -> None:
        """A sink for an entry whose ``broken`` paths were unusable in its file."""
        self.broken = broken
        self.issues: list[Issue] = []

    def ok(self, path: str) -> bool:
        """True when neither ``path`` nor any path containing it was unusable."""
        while True:
            if path in self.broken:
                return False
            cut = max(path.rfind("."), path.rfind("["))
            if cut <= 0:
                return True
            path = path[:cut]

    def check(self, path: str, problem: Text | None) -> None:
        """Record ``problem`` (if any) at ``path``, unless the value there was unusable."""
        if problem is not None and self.ok(path):
            self.issues.append(Issue(path, problem))

    def add(self, path: str, message: Text) -> None:
        """Record a problem at ``path`` (the caller checked the paths it depends on)."""
        self.issues.append(Issue(path, message))


def _department_issues(d: Department, s: Sink) -> None:
    s.check("code", code_problem(d.code))
    s.check("name", text_problem(d.name))


def _material_issues(m: Material, s: Sink) -> None:
    s.check("code", code_problem(m.code))
    s.check("name", text_problem(m.name))
    s.check("source", _one_of(m.source, MATERIAL_SOURCES))


def _bound_problem(f: FieldDef, value: int | float | str) -> Text | None:
    if f.type == "date":
        if iso_date(value) is None:
            return tx("must be an ISO date YYYY-MM-DD for a date field, not %(value)s", value=repr(value))
        return None
    if f.type in NUMERIC_FIELD_TYPES:
        if isinstance(value, str):
            return tx("must be a number for a field of type %(type)s, not %(value)s", type=f.type, value=repr(value))
        if f.type == "integer" and isinstance(value, float) and not value.is_integer():
            return tx("must be a whole number for an integer field, not %(value)s", value=repr(value))
        return _number_problem(value)
    return tx("only integer, number, amount and date fields have min/max")


def _field_issues(f: FieldDef, s: Sink) -> None:
    s.check("key", field_key_problem(f.key))
    s.check("label", text_problem(f.label))
    s.check("type", _one_of(f.type, FIELD_TYPES))
    if f.help is not None:
        s.check("help", text_problem(f.help))
    type_known = s.ok("type") and f.type in FIELD_TYPES
    if type_known and f.type == "choice":
        if f.options is None:
            s.check("options", tx("a choice field needs options"))
        elif len(f.options) < 2:
            s.check("options", tx("a choice field needs at least two options"))
        else:
            _list_issues("options", f.options, s, EMPTY)
    elif type_known and f.options is not None:
        s.check("options", tx("only choice fields have options"))
    good: dict[str, bool] = {}
    for bound, value in (("min", f.min), ("max", f.max)):
        if value is None or not type_known:
            continue
        problem = _bound_problem(f, value)
        s.check(bound, problem)
        good[bound] = problem is None and s.ok(bound)
    if good.get("min") and good.get("max") and f.min is not None and f.max is not None:
        low, high = (iso_date(f.min), iso_date(f.max)) if f.type == "date" else (f.min, f.max)
        if low > high:  # type: ignore[operator]
            s.add("min", tx("%(min)s is greater than max %(max)s", min=_bound_text(f.min), max=_bound_text(f.max)))
    if f.max_length is not None:
        if type_known and f.type not in TEXT_FIELD_LENGTHS:
            s.check("max_length", tx("only text, textarea and address fields have max_length"))
        elif f.max_length <= 0:
            s.check("max_length", tx("must be > 0, not %(value)s", value=f.max_length))
        elif f.max_length > MAX_DAYS:
            s.check("max_length", tx("must be at most %(most)s, not %(value)s", most=MAX_DAYS, value=f.max_length))
    if f.prefill is not None:
        s.check("prefill", prefill_problem(f.prefill))


def _bound_text(value: int | float | str) -> str:
    return value if isinstance(value, str) else _num_text(value)


def _item_issues(item: Item, s: Sink) -> None:
    s.check("code", code_problem(item.code))
    s.check("name", text_problem(item.name))
    s.check("department", EMPTY if item.department == "" else None)
    s.check("category", _one_of(item.category, CATEGORIES))
    legal = _days_problem(item.legal_days)
    promised = _days_problem(item.promised_days)
    s.check("legal_days", legal)
    s.check("promised_days", promised)
    both = legal is None and promised is None and s.ok("legal_days") and s.ok("promised_days")
    if both and item.promised_days > item.legal_days:
        s.add(
            "promised_days",
            tx(
                "%(promised)s must not exceed legal_days %(legal)s",
                promised=item.promised_days,
                legal=item.legal_days,
            ),
        )
    s.check("fee", _number_problem(item.fee, minimum=0))
    listed: set[str] = set()
    for index, need in enumerate(item.materials):
        path = f"materials[{index}]"
        if not s.ok(path):
            continue
        if need.material == "":
            s.check(f"{path}.material", EMPTY)
        elif need.material in listed and s.ok(f"{path}.material"):
            s.add(
                f"{path}.material",
                tx("%(material)s is listed twice in this item's materials", material=repr(need.material)),
            )
        elif s.ok(f"{path}.material"):
            listed.add(need.material)
        if need.name_override is not None:
            s.check(f"{path}.name_override", text_problem(need.name_override))
        if need.when is not None:
            s.check(f"{path}.when", condition_problem(need.when, None))
    _list_issues("produces", item.produces, s, EMPTY)
    _list_issues("fields", item.fields, s, None)
    if item.basis is not None:
        s.check("basis", text_problem(item.basis))


def _list_issues(key: str, values: tuple[str, ...], s: Sink, empty: Text | None) -> None:
    seen: set[str] = set()
    for index, value in enumerate(values):
        path = f"{key}[{index}]"
        if not s.ok(path):
            continue
        problem = (empty if value == "" else None) or text_problem(value)
        if problem is not None:
            s.add(path, problem)
        elif value in seen:
            s.add(path, tx("%(value)s is listed twice", value=repr(value)))
        else:
            seen.add(value)


@dataclass(frozen=True, slots=True)
class QuestionEnv:
    """The names a thing's conditions may read, and how sure we are of them.

    ``uncertain`` keys have a question whose type or options could not be read;
    ``complete`` is False when some question's key itself could not be read.
    """

    types: Mapping[str, QuestionType]
    uncertain: frozenset[str]
    complete: bool

    def can_check(self, names: Iterable[str]) -> bool:
        """True when a condition reading ``names`` can be checked without guessing."""
        return not any(name in self.uncertain or (not self.complete and name not in self.types) for name in names)


def question_env(thing: Thing, broken: Broken = ()) -> QuestionEnv:
    """The type environment of a thing's conditions (first question wins a repeated key)."""
    sink = Sink(broken)
    types: dict[str, QuestionType] = {}
    uncertain: set[str] = set()
    complete = True
    for index, q in enumerate(thing.questions):
        path = f"questions[{index}]"
        if not sink.ok(f"{path}.key") or key_problem(q.key) is not None:
            complete = False
            continue
        if q.key in types or q.key in uncertain:
            continue
        certain = sink.ok(f"{path}.type") and q.type in QUESTION_TYPES
        if q.type == "choice":
            certain = certain and sink.ok(f"{path}.options")
        if certain:
            types[q.key] = QuestionType(q.type, tuple(q.options or ()))
        else:
            uncertain.add(q.key)
    return QuestionEnv(types, frozenset(uncertain), complete)


def _question_issues(q: Question, path: str, s: Sink, asked: set[str]) -> None:
    s.check(f"{path}.key", key_problem(q.key))
    if s.ok(f"{path}.key") and q.key:
        if q.key in asked:
            s.add(f"{path}.key", tx("%(key)s is asked twice", key=repr(q.key)))
        asked.add(q.key)
    s.check(f"{path}.text", text_problem(q.text))
    s.check(f"{path}.type", _one_of(q.type, QUESTION_TYPES))
    type_known = s.ok(f"{path}.type") and q.type in QUESTION_TYPES
    if type_known and q.type == "choice":
        if not q.options:
            s.check(f"{path}.options", tx("a choice question needs at least one option"))
        else:
            _list_issues(f"{path}.options", q.options, s, None)
    elif type_known and q.options:
        s.check(f"{path}.options", tx("only choice questions have options"))
    for bound, value in (("min", q.min), ("max", q.max)):
        if value is None:
            continue
        if type_known and q.type != "number":
            s.check(f"{path}.{bound}", tx("only number questions have min/max"))
        else:
            s.check(f"{path}.{bound}", _number_problem(value))
    if (
        q.min is not None
        and q.max is not None
        and s.ok(f"{path}.min")
        and s.ok(f"{path}.max")
        and _number_problem(q.min) is None
        and _number_problem(q.max) is None
        and q.min > q.max
    ):
        s.add(f"{path}.min", tx("%(min)s is greater than max %(max)s", min=_num_text(q.min), max=_num_text(q.max)))


def _num_text(value: int | float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _thing_issues(thing: Thing, s: Sink) -> None:
    s.check("code", code_problem(thing.code))
    s.check("name", text_problem(thing.name))
    s.check("subject", _one_of(thing.subject, SUBJECTS))
    s.check("lead_department", EMPTY if thing.lead_department == "" else None)
    asked: set[str] = set()
    for index, question in enumerate(thing.questions):
        if s.ok(f"questions[{index}]"):
            _question_issues(question, f"questions[{index}]", s, asked)
    _guide_text_issues(thing, s)
    if not thing.items:
        s.check("items", tx("a thing needs at least one item"))
    env = question_env(thing, s.broken)
    codes = [entry.item for index, entry in enumerate(thing.items) if s.ok(f"items[{index}].item")]
    all_known = len(codes) == len(thing.items)
    listed: set[str] = set()
    for index, entry in enumerate(thing.items):
        path = f"items[{index}]"
        if not s.ok(path):
            continue
        if entry.item == "":
            s.check(f"{path}.item", EMPTY)
        elif entry.item in listed and s.ok(f"{path}.item"):
            s.add(f"{path}.item", tx("%(item)s is listed twice in this thing", item=repr(entry.item)))
        listed.add(entry.item)
        if entry.when is not None and s.ok(f"{path}.when"):
            problem = condition_problem(entry.when, None)
            if problem is None and env.can_check(condition_names(entry.when)):
                problem = condition_problem(entry.when, env.types)
            if problem is not None:
                s.add(f"{path}.when ({entry.item})", problem)
        before: set[str] = set()
        for position, code in enumerate(entry.after):
            where = f"{path}.after[{position}]"
            if not s.ok(where):
                continue
            if code == "":
                s.add(where, EMPTY)
            elif code == entry.item:
                s.add(where, tx("%(item)s: an item cannot come after itself", item=repr(code)))
            elif code in before:
                s.add(where, tx("%(value)s is listed twice", value=repr(code)))
            elif all_known and code not in codes:
                s.add(where, tx("%(item)s is not an item of this thing", item=repr(code)))
            before.add(code)


def _guide_text_issues(thing: Thing, s: Sink) -> None:
    """Search words and guide text: no empty or repeated keyword or note, no empty summary."""
    _list_issues("keywords", thing.keywords, s, EMPTY)
    if thing.summary is not None:
        s.check("summary", text_problem(thing.summary))
    _list_issues("notes", thing.notes, s, EMPTY)


_ENTRY_RULES: dict[str, Callable[[object, Sink], None]] = {
    "department": _department_issues,  # type: ignore[dict-item]
    "material": _material_issues,  # type: ignore[dict-item]
    "field": _field_issues,  # type: ignore[dict-item]
    "item": _item_issues,  # type: ignore[dict-item]
    "thing": _thing_issues,  # type: ignore[dict-item]
}


def entry_issues(kind: str, entry: object, broken: Broken = ()) -> list[Issue]:
    """Every rule of the contract about one entry on its own."""
    sink = Sink(broken)
    _ENTRY_RULES[kind](entry, sink)
    return sink.issues


@functools.lru_cache(maxsize=4096)
def condition_names(text: str) -> tuple[str, ...]:
    """The names a (syntactically valid) condition reads, each once."""
    return tuple(dict.fromkeys(names_in(parse(text))))
