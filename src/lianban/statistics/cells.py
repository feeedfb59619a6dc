"""Keeping the day cells (``FactCell``) equal to what the fact rows add up to.

Every write of fact rows goes through ``facts.build``, which hands the rows it
replaces and the rows it writes to ``move``: their contributions
(``core.fact_cells``) are taken out of the old cells and added to the new ones,
as increments in the same transaction, so the cells never disagree with the
rows. ``rebuild`` computes every cell again from the rows (the migration that
created the table, after a bulk load such as the scale benchmark's fill, or
``lianban statistics_cells``); it works one department at a time, so that its
memory follows the catalog, not the city.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connections, models, router, transaction

from lianban.core import fact_cells
from lianban.core.fact_cells import COLUMNS, Cells
from lianban.statistics.models import CaseFact, FactCell, ItemFact

PACKAGES, ITEMS = "P", "I"
#: The dimensions a cell may be kept by, with the fact field holding the value ("": the department's whole).
DIMENSIONS = {"": None, "window": "window_id", "thing": "thing_id", "channel": "channel", "item_code": "item_code"}
_KEY = ("level", "dimension", "department_id", "value", "grain", "kind", "day", "days")


def _keys(row: Any, level: str) -> list[tuple[object, ...]]:
    """The cells' keys (level, dimension, department, value) a fact row counts in."""
    keys: list[tuple[object, ...]] = []
    for dimension, field in DIMENSIONS.items():
        if field == "item_code" and level == PACKAGES:
            continue
        raw = getattr(row, field) if field else ""
        keys.append((level, dimension, row.department_id, "" if raw is None else str(raw)))
    return keys


def add_rows(cells: Cells, rows: Iterable[Any], *, package: bool, sign: int = 1) -> None:
    """Add (or with ``sign`` -1 take out) the contributions of fact rows of one level to ``cells``."""
    level = PACKAGES if package else ITEMS
    for row in rows:
        fact_cells.add(cells, _keys(row, level), fact_cells.contributions(row, package=package), sign)


def move(
    old_cases: Iterable[CaseFact],
    new_cases: Iterable[CaseFact],
    old_items: Iterable[ItemFact],
    new_items: Iterable[ItemFact],
    *,
    using: str | None = None,
) -> int:
    """Move the contributions of replaced fact rows to the rows replacing them; how many cells changed."""
    cells: Cells = {}
    add_rows(cells, old_cases, package=True, sign=-1)
    add_rows(cells, new_cases, package=True)
    add_rows(cells, old_items, package=False, sign=-1)
    add_rows(cells, new_items, package=False)
    return write(fact_cells.changed(cells), using=using)


def write(cells: Cells, *, using: str | None = None, table: str | None = None) -> int:
    """Add these changes to the stored cells (one upsert per batch, increments: concurrent writers add up)."""
    if not cells:
        return 0
    using = using or router.db_for_write(FactCell)
    table = table or FactCell._meta.db_table
    connection = connections[using]
    quote = connection.ops.quote_name
    names = [*_KEY, *COLUMNS]
    columns = ", ".join(quote(name) for name in names)
    conflict = ", ".join(quote(name) for name in _KEY)
    updates = ", ".join(f"{quote(c)} = {quote(table)}.{quote(c)} + excluded.{quote(c)}" for c in COLUMNS)
    per_row = "(" + ", ".join(["%s"] * len(names)) + ")"
    batch = max(1, 30_000 // len(names))
    rows = [(*key, *(values.get(c, 0) for c in COLUMNS)) for key, values in sorted(cells.items(), key=_order)]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            params: list[Any] = [value for row in chunk for value in row]
            cursor.execute(
                f"INSERT INTO {quote(table)} ({columns}) VALUES {', '.join([per_row] * len(chunk))} "  # noqa: S608
                f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}",
                params,
            )
    return len(rows)


def _order(entry: tuple[tuple[object, ...], dict[str, int]]) -> tuple[str, ...]:
    # one order for every writer, so that two transactions upserting the same cells wait rather than deadlock
    return tuple(str(part) for part in entry[0])


def rebuild(
    *,
    using: str | None = None,
    case_model: type[models.Model] = CaseFact,
    item_model: type[models.Model] = ItemFact,
    cell_model: type[models.Model] = FactCell,
    chunk: int = 5000,
) -> int:
    """Compute every cell again from the fact rows, one department at a time; how many cells were written.

    The models may be a migration's historical ones (same fields).
    """
    using = using or router.db_for_write(cell_model)
    written = 0
    with transaction.atomic(using=using):
        cell_model._default_manager.using(using).all().delete()
        departments: Sequence[int] = sorted(
            set(case_model._default_manager.using(using).values_list("department_id", flat=True).distinct())
            | set(item_model._default_manager.using(using).values_list("department_id", flat=True).distinct())
        )
        for department in departments:
            cells: Cells = {}
            for model, package in ((case_model, True), (item_model, False)):
                rows = model._default_manager.using(using).filter(department_id=department).order_by()
                add_rows(cells, rows.iterator(chunk_size=chunk), package=package)
            written += _insert(fact_cells.changed(cells), using=using, table=cell_model._meta.db_table)
    return written


def _insert(cells: Cells, *, using: str, table: str) -> int:
    """Write new cells into an emptied table (no conflict can arise): COPY on PostgreSQL, else batched INSERTs."""
    connection = connections[using]
    quote = connection.ops.quote_name
    names = [*_KEY, *COLUMNS]
    columns = ", ".join(quote(name) for name in names)
    rows: list[Any] = [(*key, *(values.get(c, 0) for c in COLUMNS)) for key, values in cells.items()]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(names))
            cursor.executemany(f"INSERT INTO {quote(table)} ({columns}) VALUES ({placeholders})", rows)  # noqa: S608
    return len(rows)
