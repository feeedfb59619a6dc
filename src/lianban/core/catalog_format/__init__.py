"""Reading, checking and writing ``lianban-catalog/1`` files.

``check_files`` is the whole import contract in one pure function: it takes
the catalog as it stands and the files' texts, and returns the catalog after
upserting every file in order together with every problem found, each naming
the file, the line, the entry and what is wrong, in file order. The caller
applies the result only when there are no problems, which makes an import all
or nothing.

The work is split by layer: :mod:`.loading` (text → data with line numbers),
:mod:`.reading` (shape of each entry), :mod:`.rules` and :mod:`.references`
(what values mean, shared with the admin through ``validate_catalog``),
:mod:`.cycles` (orderings some answers could make cyclic) and :mod:`.exporting`.

References are checked against the catalog as it will be after the whole
import, so files of one import may come in any order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lianban.core.catalog import Catalog
from lianban.core.catalog_format.cycles import CYCLE_SEARCH_LIMIT, find_cycle, possible_cycle
from lianban.core.catalog_format.exporting import dump_json, dump_yaml, export_document
from lianban.core.catalog_format.loading import LoadError, Plain, decode_text, line_of, load_document, position_of
from lianban.core.catalog_format.reading import (
    FORMAT,
    KIND_OF_SECTION,
    SECTIONS,
    Entry,
    Issue,
    Key,
    ParsedFile,
    entry_label,
    parse_document,
)
from lianban.core.catalog_format.references import reference_issues
from lianban.core.catalog_format.rules import (
    CODE_RE,
    MAX_DAYS,
    RESERVED_KEYS,
    code_problem,
    entry_issues,
    field_key_problem,
    iso_date,
    key_problem,
    prefill_problem,
    text_problem,
)
from lianban.core.errors import CatalogProblem
from lianban.core.text import Text, tx

__all__ = [
    "CODE_RE",
    "CYCLE_SEARCH_LIMIT",
    "FORMAT",
    "MAX_DAYS",
    "RESERVED_KEYS",
    "SECTIONS",
    "CheckResult",
    "ParsedFile",
    "Plain",
    "check_files",
    "code_problem",
    "decode_text",
    "dump_json",
    "dump_yaml",
    "export_document",
    "field_key_problem",
    "find_cycle",
    "iso_date",
    "key_problem",
    "load_document",
    "parse_document",
    "possible_cycle",
    "prefill_problem",
    "text_problem",
    "undefined_field_warnings",
    "validate_catalog",
]


def validate_catalog(catalog: Catalog, *, filename: str = "catalog") -> list[CatalogProblem]:
    """Check a whole catalog: every entry's own rules, references, conditions, cycles.

    This is what the admin runs before committing an edit: the same rules as an
    import, so an admin cannot save what an import would refuse.

    Returns:
        Every problem found (empty when the catalog is consistent), by section
        and entry; problems name ``filename`` and the entry, without line.
    """
    own: dict[Key, list[Issue]] = {}
    for section in SECTIONS:
        kind = KIND_OF_SECTION[section]
        for code, entry in getattr(catalog, section).items():
            issues = entry_issues(kind, entry)
            if issues:
                own[(kind, code)] = issues
    cross = reference_issues(catalog, {}, troubled=own.keys())
    problems: list[CatalogProblem] = []
    for section in SECTIONS:
        kind = KIND_OF_SECTION[section]
        for code in getattr(catalog, section):
            for issue in (*own.get((kind, code), ()), *cross.get((kind, code), ())):
                problems.append(CatalogProblem(filename, entry_label(kind, code), _message(issue)))
    return problems


def undefined_field_warnings(catalog: Catalog, *, filename: str = "catalog") -> list[CatalogProblem]:
    """Each item's field key with no definition in ``catalog``: not an error, but worth a warning.

    Such a key is shown as a required text field labelled with the key itself.
    """
    return [
        CatalogProblem(
            filename,
            entry_label("item", code),
            tx(
                "fields[%(index)s]: field %(key)s has no definition (shown as a text field labelled with its key)",
                index=index,
                key=repr(key),
            ),
        )
        for code in sorted(catalog.items)
        for index, key in enumerate(catalog.items[code].fields)
        if key and key not in catalog.fields
    ]


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of checking files against a catalog."""

    catalog: Catalog
    problems: list[CatalogProblem]
    touched: Mapping[str, frozenset[str]]

    @property
    def ok(self) -> bool:
        """True when the files can be imported."""
        return not self.problems


def _message(issue: Issue) -> Text:
    return tx("%(path)s: %(problem)s", path=issue.path, problem=issue.message) if issue.path else issue.message


#: How problems name the file itself (not one of its entries).
FILE = tx("file")


class _Collector:
    """Problems with the key that puts them in file order."""

    def __init__(self) -> None:
        self.found: list[tuple[tuple[Any, ...], CatalogProblem]] = []

    def add(self, order: tuple[Any, ...], problem: CatalogProblem) -> None:
        self.found.append(((*order, len(self.found)), problem))

    def entry(self, file_index: int, sequence: int, filename: str, entry: Entry, issue: Issue) -> None:
        where = issue.at or issue.path
        line = line_of(entry.data, where)
        start = getattr(entry.data, "line", None) or 0
        self.add(
            (file_index, start, sequence, position_of(entry.data, where)),
            CatalogProblem(filename, entry.label, _message(issue), line),
        )

    def sorted(self) -> list[CatalogProblem]:
        return [problem for _, problem in sorted(self.found, key=lambda found: found[0])]


def check_files(base: Catalog, files: Sequence[tuple[str, str | bytes]], *, incomplete: bool = False) -> CheckResult:
    """Upsert files (name, text or bytes) into ``base`` in order, checking everything.

    Every problem of every file is reported, in file order. The returned
    catalog is what the catalog would be after the import; apply it only when
    there are no problems. Bytes are decoded with :func:`decode_text`.

    Args:
        base: the catalog as it stands.
        files: (name, content) in import order.
        incomplete: some files of the import could not even be read (the caller
            reports that); references are then not reported unknown, since
            they may point into those files.
    """
    found = _Collector()
    parsed_files: list[tuple[int, ParsedFile]] = []
    # kinds of which some entry could not be read at all
    lost: set[str] = set(KIND_OF_SECTION.values()) if incomplete else set()
    for file_index, (filename, text) in enumerate(files):
        try:
            data = load_document(decode_text(text) if isinstance(text, bytes) else text, filename)
        except LoadError as exc:
            found.add((file_index, exc.line or 0), CatalogProblem(filename, FILE, exc.reason, exc.line))
            lost.update(KIND_OF_SECTION.values())
            continue
        parsed = parse_document(data, filename)
        if not isinstance(data, dict):
            lost.update(KIND_OF_SECTION.values())
        for issue in parsed.issues:
            line = line_of(data, issue.at or issue.path)
            found.add((file_index, line or 0), CatalogProblem(filename, FILE, _message(issue), line))
            section = issue.path.split("[")[0]
            if section in KIND_OF_SECTION:  # a section or one of its entries could not be read
                lost.add(KIND_OF_SECTION[section])
        for sequence, entry in enumerate(parsed.entries):
            if entry.key.startswith("\x00"):
                lost.add(entry.kind)
            entry.issues.extend(entry_issues(entry.kind, entry.value, entry.broken))
            for issue in entry.issues:
                found.entry(file_index, sequence, filename, entry, issue)
        parsed_files.append((file_index, parsed))

    catalog = base
    origins: dict[Key, tuple[int, int, ParsedFile, Entry]] = {}
    for file_index, parsed in parsed_files:
        catalog = catalog.merge(parsed.catalog)
        for sequence, entry in enumerate(parsed.entries):
            if sequence not in parsed.duplicates:
                origins[(entry.kind, entry.key)] = (file_index, sequence, parsed, entry)
    broken = {key: origin[3].broken for key, origin in origins.items()}
    troubled = {key for key, (_, _, _, entry) in origins.items() if entry.issues}
    cross = reference_issues(catalog, broken, troubled, unsure=lost)
    last = files[-1][0] if files else "catalog"
    for key, issues in cross.items():
        origin = origins.get(key)
        for issue in issues:
            if origin is not None:
                file_index, sequence, parsed, entry = origin
                found.entry(file_index, sequence, parsed.filename, entry, issue)
            else:  # an entry already in the catalog, made wrong by these files
                found.add(
                    (len(files) - 1, math.inf),
                    CatalogProblem(last, entry_label(*key), _message(issue)),
                )

    touched = {
        section: frozenset(code for _, p in parsed_files for code in getattr(p.catalog, section))
        for section in SECTIONS
    }
    return CheckResult(catalog, found.sorted(), touched)
