"""Keyset (cursor) pagination shared by the pages and the API.

A page is read with ``WHERE (ordering columns) after (the cursor's values) ORDER BY … LIMIT size + 1``:
its cost depends on the page size, not on how deep the page is nor how many rows the list has, as long as
an index serves the ordering. The ordering must end with a unique column (``id``). A nullable column
sorts its NULLs after every value in ascending order (PostgreSQL's default, so that its indexes serve
both directions) and before them in descending order.

The cursor is opaque to clients: URL-safe base64 of the JSON list of the row's ordering values, with a
direction flag. A malformed cursor raises :class:`BadCursor`.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connections
from django.db.models import BooleanField, F, Model, Q, QuerySet
from django.db.models.expressions import OrderBy, RawSQL

#: The largest page a client may ask for.
MAX_PAGE_SIZE = 100
#: The page size when none is asked for.
DEFAULT_PAGE_SIZE = 25
#: Counts stop here: a page says "more than N" rather than counting every row.
COUNT_CAP = 1000

M = TypeVar("M", bound=Model)


class BadCursor(ValueError):
    """The cursor is not one this paginator wrote."""


@dataclass(frozen=True, slots=True)
class Key:
    """One ordering column: its lookup path and whether it sorts descending."""

    name: str
    descending: bool = False

    @classmethod
    def parse(cls, spec: str) -> Key:
        """``"-submitted_at"`` → ``Key("submitted_at", True)``."""
        return cls(spec.lstrip("-"), spec.startswith("-"))

    def order(self, *, reverse: bool = False) -> OrderBy:
        """The ORDER BY term (NULLs last ascending, first descending; ``reverse`` flips all of it)."""
        descending = self.descending != reverse
        return F(self.name).desc(nulls_first=True) if descending else F(self.name).asc(nulls_last=True)

    def after(self, value: Any, *, reverse: bool = False) -> Q | None:
        """Rows strictly after ``value`` on this column in the page's direction (None: no row can be)."""
        descending = self.descending != reverse
        if descending:
            # NULLs come first: after NULL is any value; after a value, smaller values only
            return Q(**{f"{self.name}__isnull": False}) if value is None else Q(**{f"{self.name}__lt": value})
        if value is None:
            return None  # NULLs come last: nothing is after them
        return Q(**{f"{self.name}__gt": value}) | Q(**{f"{self.name}__isnull": True})

    def bound(self, value: Any, *, reverse: bool = False) -> Q:
        """What every row at or after ``value`` satisfies on this column, said once outside the OR of ``after``:
        a range the index scan starts from, so that a deep page does not read the rows before it."""
        descending = self.descending != reverse
        if descending:
            return Q() if value is None else Q(**{f"{self.name}__lte": value})
        if value is None:
            return Q(**{f"{self.name}__isnull": True})
        return Q(**{f"{self.name}__gte": value}) | Q(**{f"{self.name}__isnull": True})

    def same(self, value: Any) -> Q:
        """Rows equal to ``value`` on this column."""
        return Q(**{f"{self.name}__isnull": True}) if value is None else Q(**{self.name: value})


@dataclass(frozen=True, slots=True)
class KeysetPage(Generic[M]):
    """One page of rows, with the cursors of the pages before and after it (None at either end)."""

    rows: list[M]
    next_cursor: str | None
    previous_cursor: str | None

    @property
    def has_other_pages(self) -> bool:
        """Whether there is a page before or after this one."""
        return self.next_cursor is not None or self.previous_cursor is not None

    def __iter__(self) -> Any:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def _field(rows: QuerySet[Any], path: str) -> Any:
    annotation = rows.query.annotations.get(path)
    if annotation is not None:
        return annotation.output_field
    current: Any = rows.model
    field = None
    for part in path.split("__"):
        try:
            field = current._meta.get_field(part)
        except (FieldDoesNotExist, AttributeError) as exc:
            raise ValueError(f"{rows.model.__name__} cannot order by {path}") from exc
        current = field.related_model
    return field


def _value(row: Model, path: str) -> Any:
    value: Any = row
    if "__" not in path and not hasattr(type(row), path) and hasattr(row, path):
        return getattr(row, path)  # an annotation
    for part in path.split("__"):
        if value is None:
            return None
        attname = part if part == "pk" else getattr(type(value)._meta.get_field(part), "attname", part)
        value = getattr(value, attname)
    return value


def _encode(values: Sequence[Any], *, backwards: bool) -> str:
    plain = [v.isoformat() if hasattr(v, "isoformat") else v for v in values]
    raw = json.dumps({"v": plain, "b": backwards}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(rows: QuerySet[Any], keys: Sequence[Key], cursor: str) -> tuple[list[Any], bool]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        values, backwards = data["v"], data["b"]
    except (binascii.Error, ValueError, TypeError, KeyError) as exc:
        raise BadCursor(cursor) from exc
    if not isinstance(values, list) or len(values) != len(keys) or not isinstance(backwards, bool):
        raise BadCursor(cursor)
    parsed = []
    for key, value in zip(keys, values, strict=True):
        if value is not None and not isinstance(value, (str, int)):
            raise BadCursor(cursor)
        try:
            parsed.append(None if value is None else _field(rows, key.name).to_python(value))
        except (ValidationError, ValueError, TypeError) as exc:
            raise BadCursor(cursor) from exc
    return parsed, backwards


def _after(keys: Sequence[Key], values: Sequence[Any], *, reverse: bool) -> Q:
    """``(k1, k2, …) > (v1, v2, …)`` in the page's direction, as OR of AND terms an index serves."""
    condition = Q(pk__in=[])
    equal = Q()
    for key, value in zip(keys, values, strict=True):
        step = key.after(value, reverse=reverse)
        if step is not None:
            condition |= equal & step
        equal &= key.same(value)
    return keys[0].bound(values[0], reverse=reverse) & condition


def _row_below(rows: QuerySet[Any], keys: Sequence[Key], values: Sequence[Any], *, reverse: bool) -> Any:
    """``(k1, k2, …) < (v1, v2, …)`` as one row-value comparison, in place of the OR of ``_after``: an index
    on the keys takes it as its range, where the OR leaves the rows tied on the first key to a filter (and
    the planner misjudges how many rows an OR of redundant ranges keeps). For keys that all sort descending
    on this page, are columns of the model itself, with no NULL in the cursor: a row with a NULL key sorts
    before the cursor when descending (NULLs first) and the comparison leaves it out, or is decided by an
    earlier unequal key. None when that does not hold."""
    if any(key.descending == reverse for key in keys) or any(value is None for value in values):
        return None
    connection = connections[rows.db]
    columns, params = [], []
    for key, value in zip(keys, values, strict=True):
        if "__" in key.name or key.name in rows.query.annotations:
            return None
        try:
            field = rows.model._meta.get_field(key.name)
        except FieldDoesNotExist:
            return None
        column = getattr(field, "column", None)
        if column is None or getattr(field, "many_to_many", False) or getattr(field, "one_to_many", False):
            return None
        columns.append(column)
        params.append(field.get_db_prep_value(value, connection))
    table = connection.ops.quote_name(rows.model._meta.db_table)
    names = ", ".join(f"{table}.{connection.ops.quote_name(column)}" for column in columns)
    placeholders = ", ".join(["%s"] * len(params))
    return RawSQL(f"({names}) < ({placeholders})", params, output_field=BooleanField())  # noqa: S611 (quoted model columns; values as parameters)


def keyset_page(rows: QuerySet[M], ordering: Sequence[str], cursor: str | None, size: int) -> KeysetPage[M]:
    """The page of ``rows`` (sorted by ``ordering``) that ``cursor`` points to; the first page without one.

    Raises:
        BadCursor: ``cursor`` was not written by this paginator for this ordering.
    """
    keys = [Key.parse(spec) for spec in ordering]
    values: list[Any] | None = None
    backwards = False
    if cursor:
        values, backwards = _decode(rows, keys, cursor)
    chosen = rows.order_by(*(key.order(reverse=backwards) for key in keys))
    if values is not None:
        below = _row_below(rows, keys, values, reverse=backwards)
        chosen = chosen.filter(below if below is not None else _after(keys, values, reverse=backwards))
    fetched = list(chosen[: size + 1])
    more = len(fetched) > size
    found = fetched[:size]
    if backwards:
        found.reverse()
    if not found:
        return KeysetPage([], None, None)

    def cursor_at(row: M, *, back: bool) -> str:
        return _encode([_value(row, key.name) for key in keys], backwards=back)

    has_next = more if not backwards else True
    has_previous = (values is not None) if not backwards else more
    return KeysetPage(
        rows=found,
        next_cursor=cursor_at(found[-1], back=False) if has_next else None,
        previous_cursor=cursor_at(found[0], back=True) if has_previous else None,
    )


def capped_count(rows: QuerySet[Any], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many rows, counting at most ``cap`` + 1 of them: ``(count, more_than_cap)``."""
    counted = rows.order_by().values("pk")[: cap + 1].count()
    return min(counted, cap), counted > cap


def page_size(raw: str | None, *, default: int = DEFAULT_PAGE_SIZE, cap: int = MAX_PAGE_SIZE) -> int:
    """A page size asked for in a query string, within 1..``cap`` (``default`` when absent or malformed)."""
    try:
        size = int(raw) if raw else default
    except ValueError:
        return default
    return max(1, min(size, cap))
