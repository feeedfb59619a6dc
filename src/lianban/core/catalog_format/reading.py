"""Loaded data → catalog entries, checking the shape of every key.

This layer checks only what the data *is*: mappings where mappings belong,
known keys, required keys present, text/whole number/number/true-false/list
where the contract says so. What the values *mean* (valid codes, known
categories, promised ≤ legal days, conditions…) is checked by
:mod:`.rules`, which the admin shares.

An entry whose shape is wrong is still built, with placeholders where values
were unusable, and the paths of those values are recorded in ``broken``; the
rules skip exactly those paths, so every other problem of the entry (an
unknown department, say) is still reported, without follow-on noise.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lianban.core.catalog import (
    Catalog,
    Department,
    FieldDef,
    Item,
    ItemMaterial,
    Material,
    Question,
    Thing,
    ThingItem,
)
from lianban.core.catalog_format.loading import Plain, unplain
from lianban.core.text import Text, tx

FORMAT = "lianban-catalog/1"
SECTIONS = ("departments", "materials", "fields", "items", "things")
KIND_OF_SECTION = {
    "departments": "department",
    "materials": "material",
    "fields": "field",
    "items": "item",
    "things": "thing",
}
SECTION_OF_KIND = {kind: section for section, kind in KIND_OF_SECTION.items()}
#: The key that identifies an entry of each kind (``code`` unless listed).
ID_KEYS = {"field": "key"}

Key = tuple[str, str]  # (kind, code)


@dataclass(slots=True)
class Issue:
    """Something wrong at ``path`` inside one entry (``""`` = the entry itself).

    ``at`` is where to point in the file when it is not ``path`` itself
    (an unknown key is reported on its mapping, but found on its own line).
    """

    path: str
    message: Text
    at: str | None = None


@dataclass(slots=True)
class Entry:
    """One entry as read from a file: the value, its label, raw data and broken paths."""

    kind: str
    key: str
    label: str
    value: Any
    data: Any
    broken: set[str] = field(default_factory=set)
    issues: list[Issue] = field(default_factory=list)


@dataclass(slots=True)
class ParsedFile:
    """One file read into catalog entries, with what was wrong with its shape.

    ``entries`` holds every entry in file order, including one that repeats a
    code of its section (``duplicates``): it is checked, but not part of
    ``catalog``. File-level issues (format, top level) are in ``issues``.
    """

    filename: str
    data: Any = None
    catalog: Catalog = field(default_factory=Catalog)
    entries: list[Entry] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    duplicates: set[int] = field(default_factory=set)

    def entry(self, kind: str, key: str) -> Entry | None:
        """The entry of the catalog with this kind and key."""
        for index, entry in enumerate(self.entries):
            if entry.kind == kind and entry.key == key and index not in self.duplicates:
                return entry
        return None


_ABSENT: Any = object()
REQUIRED = tx("is required")


def describe(value: Any) -> Text:
    """A value as messages show it, with its type."""
    value = unplain(value)
    if value is None:
        return tx("empty")
    if isinstance(value, bool):
        return tx("%(value)s (true/false)", value=str(value).lower())
    if isinstance(value, int | float):
        return tx("%(value)s (a number)", value=repr(value))
    if isinstance(value, str):
        return tx("%(value)s (text)", value=repr(value))
    if isinstance(value, list):
        return tx("a list")
    if isinstance(value, dict):
        return tx("a mapping")
    return tx("%(value)s (%(type)s)", value=repr(value), type=type(value).__name__)


class _Reader:
    """Reads typed values out of one mapping, recording shape issues and broken paths."""

    def __init__(self, entry: Entry, data: Mapping[str, Any], prefix: str = "") -> None:
        self.entry = entry
        self.data = data
        self.prefix = prefix

    def fail(self, key: str, message: Text) -> None:
        path = f"{self.prefix}{key}"
        self.entry.broken.add(path)
        self.entry.issues.append(Issue(path, message))

    def only(self, allowed: Iterable[str]) -> None:
        allowed = tuple(allowed)
        for key in self.data:
            if key not in allowed:
                self.entry.issues.append(
                    Issue(
                        self.prefix.rstrip("."),
                        tx("unknown key %(key)s (allowed: %(allowed)s)", key=repr(key), allowed=", ".join(allowed)),
                        at=f"{self.prefix}{key}",
                    )
                )

    def get(self, key: str) -> Any:
        """The value, or _ABSENT when the key is missing or null."""
        value = self.data.get(key, _ABSENT)
        return _ABSENT if value is _ABSENT or unplain(value) is None else value

    def text(self, key: str, *, required: bool = True) -> str | None:
        value = self.get(key)
        if value is _ABSENT:
            if required:
                self.fail(key, REQUIRED)
            return None
        if isinstance(value, Plain):
            return value.raw
        if not isinstance(value, str):
            self.fail(key, tx("must be text, not %(value)s", value=describe(value)))
            return None
        return value

    def integer(self, key: str, *, required: bool = True) -> int | None:
        value = unplain(self.get(key))
        if value is _ABSENT:
            if required:
                self.fail(key, REQUIRED)
            return None
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            return int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, tx("must be a whole number, not %(value)s", value=describe(value)))
            return None
        return value

    def number(self, key: str) -> int | float | None:
        value = unplain(self.get(key))
        if value is _ABSENT:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(key, tx("must be a number, not %(value)s", value=describe(value)))
            return None
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = unplain(self.get(key))
        if value is _ABSENT:
            return default
        if not isinstance(value, bool):
            self.fail(key, tx("must be true or false, not %(value)s", value=describe(value)))
            return default
        return value

    def sequence(self, key: str, *, required: bool = False) -> list[Any]:
        value = unplain(self.get(key))
        if value is _ABSENT:
            if required:
                self.fail(key, REQUIRED)
            return []
        if not isinstance(value, list):
            self.fail(key, tx("must be a list, not %(value)s", value=describe(value)))
            return []
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        """A list of text; an element that is not text becomes "" and is marked broken."""
        result: list[str] = []
        for index, value in enumerate(self.sequence(key)):
            if isinstance(value, Plain):
                value = value.raw
            if not isinstance(value, str):
                self.fail(f"{key}[{index}]", tx("must be text, not %(value)s", value=describe(value)))
                value = ""
            result.append(value)
        return tuple(result)

    def mappings(self, key: str, *, required: bool = False) -> list[tuple[int, Mapping[str, Any] | None]]:
        """A list of mappings; an element that is not one is None and marked broken."""
        result: list[tuple[int, Mapping[str, Any] | None]] = []
        for index, value in enumerate(self.sequence(key, required=required)):
            if isinstance(value, dict):
                result.append((index, value))
            else:
                self.fail(f"{key}[{index}]", tx("must be a mapping, not %(value)s", value=describe(value)))
                result.append((index, None))
        return result

    def bound(self, key: str) -> int | float | str | None:
        """A bound: a number, or an ISO date (text, or a date YAML read unquoted)."""
        value = self.get(key)
        if value is _ABSENT:
            return None
        if isinstance(value, Plain):
            if isinstance(value.value, date):
                return value.raw
            value = value.value
        if isinstance(value, str) or (isinstance(value, int | float) and not isinstance(value, bool)):
            return value
        self.fail(key, tx("must be a number or an ISO date, not %(value)s", value=describe(value)))
        return None

    def condition(self, key: str) -> str | None:
        value = self.get(key)
        if value is _ABSENT:
            return None
        if isinstance(value, Plain):
            return value.raw
        if not isinstance(value, str):
            self.fail(key, tx("must be a condition (text), not %(value)s", value=describe(value)))
            return None
        return value


# ------------------------------------------------------------------------ entries


def _department(r: _Reader) -> Department:
    r.only(("code", "name"))
    return Department(code=r.text("code") or "", name=r.text("name") or "")


def _material(r: _Reader) -> Material:
    r.only(("code", "name", "source"))
    return Material(code=r.text("code") or "", name=r.text("name") or "", source=r.text("source") or "")


_FIELD_KEYS = (
    "key", "label", "type", "required", "help", "options", "min", "max", "max_length", "prefill", "personal",
)  # fmt: skip


def _field(r: _Reader) -> FieldDef:
    r.only(_FIELD_KEYS)
    options = r.texts("options") if r.get("options") is not _ABSENT else None
    personal = r.boolean("personal", False) if r.get("personal") is not _ABSENT else None
    return FieldDef(
        key=r.text("key") or "",
        label=r.text("label") or "",
        type=r.text("type", required=False) or "text",
        required=r.boolean("required", True),
        help=r.text("help", required=False),
        options=options,
        min=r.bound("min"),
        max=r.bound("max"),
        max_length=r.integer("max_length", required=False),
        prefill=r.text("prefill", required=False),
        personal=personal,
    )


_ITEM_KEYS = (
    "code", "name", "department", "category", "legal_days", "promised_days",
    "fee", "online", "materials", "produces", "fields", "basis",
)  # fmt: skip


def _item(r: _Reader) -> Item:
    r.only(_ITEM_KEYS)
    code, name, department = r.text("code") or "", r.text("name") or "", r.text("department") or ""
    category = r.text("category", required=False) or "其他"
    legal_days = r.integer("legal_days")
    if r.get("promised_days") is _ABSENT:
        promised_days = legal_days
        r.entry.broken.add("promised_days")  # not written: nothing of its own to check
    else:
        promised_days = r.integer("promised_days")
    fee, online = _or_zero(r.number("fee")), r.boolean("online", True)
    materials: list[ItemMaterial] = []
    for index, data in r.mappings("materials"):
        if data is None:
            materials.append(ItemMaterial(material=""))
            continue
        sub = _Reader(r.entry, data, prefix=f"materials[{index}].")
        sub.only(("material", "name_override", "when", "required", "tolerable"))
        materials.append(
            ItemMaterial(
                material=sub.text("material") or "",
                name_override=sub.text("name_override", required=False),
                when=sub.condition("when"),
                required=sub.boolean("required", True),
                tolerable=sub.boolean("tolerable", False),
            )
        )
    return Item(
        code=code,
        name=name,
        department=department,
        category=category,
        legal_days=legal_days if legal_days is not None else 0,
        promised_days=promised_days if promised_days is not None else 0,
        fee=fee,
        online=online,
        materials=tuple(materials),
        produces=r.texts("produces"),
        fields=r.texts("fields"),
        basis=r.text("basis", required=False),
    )


def _or_zero(value: int | float | None) -> int | float:
    return 0 if value is None else value


def _question(r: _Reader) -> Question:
    r.only(("key", "text", "type", "options", "min", "max", "required"))
    options = (r.texts("options") or None) if r.get("options") is not _ABSENT else None
    return Question(
        key=r.text("key") or "",
        text=r.text("text") or "",
        type=r.text("type") or "",
        options=options,
        min=r.number("min"),
        max=r.number("max"),
        required=r.boolean("required", True),
    )


_THING_KEYS = ("code", "name", "subject", "lead_department", "questions", "items", "keywords", "summary", "notes")


def _thing(r: _Reader) -> Thing:
    r.only(_THING_KEYS)
    code, name = r.text("code") or "", r.text("name") or ""
    subject = r.text("subject", required=False) or "enterprise"
    lead_department = r.text("lead_department") or ""
    questions: list[Question] = []
    for index, data in r.mappings("questions"):
        if data is None:
            questions.append(Question(key="", text="", type=""))
        else:
            questions.append(_question(_Reader(r.entry, data, prefix=f"questions[{index}].")))
    items: list[ThingItem] = []
    for index, data in r.mappings("items", required=True):
        if data is None:
            items.append(ThingItem(item=""))
            continue
        sub = _Reader(r.entry, data, prefix=f"items[{index}].")
        sub.only(("item", "when", "after"))
        items.append(ThingItem(item=sub.text("item") or "", when=sub.condition("when"), after=sub.texts("after")))
    return Thing(
        code=code,
        name=name,
        subject=subject,
        lead_department=lead_department,
        questions=tuple(questions),
        items=tuple(items),
        keywords=r.texts("keywords"),
        summary=r.text("summary", required=False),
        notes=r.texts("notes"),
    )


_ENTRY_READERS: dict[str, Callable[[_Reader], Any]] = {
    "department": _department,
    "material": _material,
    "field": _field,
    "item": _item,
    "thing": _thing,
}


def read_entry(kind: str, data: Mapping[str, Any], entry: Entry) -> Any:
    """Build one entry of ``kind`` from its mapping, recording shape issues in ``entry``."""
    return _ENTRY_READERS[kind](_Reader(entry, data))


def parse_document(data: Any, filename: str) -> ParsedFile:
    """Check a loaded document's shape and turn its entries into catalog data.

    Every entry is built, broken or not (see the module docstring). An entry
    without usable code is kept under a key no valid code can take, so its
    other values are still checked.
    """
    parsed = ParsedFile(filename, data)
    if not isinstance(data, dict):
        parsed.issues.append(
            Issue(
                "",
                tx(
                    "must be a mapping with '%(line)s' at the top, not %(value)s",
                    line=f"format: {FORMAT}",
                    value=describe(data),
                ),
            )
        )
        return parsed
    for key in data:
        if key not in ("format", *SECTIONS):
            allowed = ", ".join(("format", *SECTIONS))
            parsed.issues.append(
                Issue("", tx("unknown key %(key)s (allowed: %(allowed)s)", key=repr(key), allowed=allowed), at=key)
            )
    fmt = data.get("format", _ABSENT)
    if fmt is _ABSENT or unplain(fmt) is None:
        parsed.issues.append(Issue("format", tx("is required: %(line)s", line=f"format: {FORMAT}")))
    elif (fmt.raw if isinstance(fmt, Plain) else fmt) != FORMAT:
        parsed.issues.append(
            Issue("format", tx("must be %(format)s, not %(value)s", format=repr(FORMAT), value=describe(fmt)))
        )
    for section in SECTIONS:
        kind = KIND_OF_SECTION[section]
        entries = unplain(data.get(section))
        if entries is None:
            continue
        if not isinstance(entries, list):
            parsed.issues.append(Issue(section, tx("must be a list, not %(value)s", value=describe(entries))))
            continue
        first_seen: dict[str, Entry] = {}
        table: dict[str, Any] = getattr(parsed.catalog, section)
        for index, raw in enumerate(entries):
            position = f"{section}[{index}]"
            if not isinstance(raw, dict):
                parsed.issues.append(Issue(position, tx("must be a mapping, not %(value)s", value=describe(raw))))
                continue
            id_key = ID_KEYS.get(kind, "code")
            code = raw.get(id_key)
            code_text = code.raw if isinstance(code, Plain) and code.value is not None else code
            usable = isinstance(code_text, str) and code_text != ""
            key = code_text if isinstance(code_text, str) and usable else f"\x00{position}"
            entry = Entry(kind, key, entry_label(kind, key) if usable else position, None, raw)
            entry.value = read_entry(kind, raw, entry)
            if usable and key in first_seen:
                entry.issues.insert(
                    0, Issue(id_key, tx("%(code)s appears twice in %(section)s", code=repr(key), section=section))
                )
                entry.broken.add(id_key)
                parsed.duplicates.add(len(parsed.entries))
            else:
                first_seen[key] = entry
                table[key] = entry.value
            parsed.entries.append(entry)
    return parsed


def entry_label(kind: str, code: str) -> Text:
    """How problems name an entry: ``item SCJG-GSSL`` (an odd code is quoted)."""
    shown = code if code.isprintable() and code.strip() == code and " " not in code else repr(code)
    return _LABELS[kind](shown)


_LABELS: dict[str, Callable[[str], Text]] = {
    "department": lambda code: tx("department %(code)s", code=code),
    "material": lambda code: tx("material %(code)s", code=code),
    "field": lambda code: tx("field %(code)s", code=code),
    "item": lambda code: tx("item %(code)s", code=code),
    "thing": lambda code: tx("thing %(code)s", code=code),
}
