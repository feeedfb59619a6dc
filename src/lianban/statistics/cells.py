"""Keeping the month cells (``FactCell``) equal to what the fact rows add up to.

The cells hold every contribution (``core.fact_cells``) of the fact rows dated
on or before one day, ``through`` (the ``CELLS`` watermark: today, once the
day's first refresh has run). Every write of fact rows goes through
``facts.build``, which hands the rows it replaces and the rows it writes to
``move``: their contributions up to ``through`` are taken out of the old cells
and added to the new ones, as increments in the same transaction, so the cells
never disagree with the rows. ``roll`` moves ``through`` on to today, adding
the contributions dated in between (mostly a running-late interval starting
the day after a due date): it reads the rows received, finished or due in
those days alone. Both take the watermark's row lock, so the cells change one
writer at a time. ``rebuild`` computes every cell again from the rows (the
migration that created the table, after a bulk load such as a benchmark's
fill, or ``lianban statistics_cells``): summed by PostgreSQL itself, else by
the rule one department at a time, so that its memory follows the catalog,
not the city.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import connections, models, router, transaction
from django.db.models import Q

from lianban.cases import clock
from lianban.core import fact_cells
from lianban.core.fact_cells import COLUMNS, Cells
from lianban.statistics.models import CELLS, CaseFact, FactCell, ItemFact, Watermark

PACKAGES, ITEMS = "P", "I"
#: The dimensions a cell may be kept by, with the fact field holding the value ("": the department's whole).
DIMENSIONS = {"": None, "window": "window_id", "thing": "thing_id", "channel": "channel", "item_code": "item_code"}
_KEY = ("level", "dimension", "department_id", "value", "kind", "month", "days")


#: The department of the cells that add up every department (the supervisor's figures read these alone).
EVERY_DEPARTMENT = 0


def _keys(row: Any, level: str) -> list[tuple[object, ...]]:
    """The cells' keys (level, dimension, department, value) a fact row counts in: the department's whole first,
    each dimension's value within its department and within every department."""
    keys: list[tuple[object, ...]] = []
    for dimension, field in DIMENSIONS.items():
        if field == "item_code" and level == PACKAGES:
            continue
        raw = getattr(row, field) if field else ""
        value = "" if raw is None else str(raw)
        keys.append((level, dimension, row.department_id, value))
        keys.append((level, dimension, EVERY_DEPARTMENT, value))
    return keys


def add_rows(
    cells: Cells, rows: Iterable[Any], *, package: bool, through: date, after: date | None = None, sign: int = 1
) -> None:
    """Add (or with ``sign`` -1 take out) the contributions of fact rows of one level dated in (``after``,
    ``through``] to ``cells``."""
    level = PACKAGES if package else ITEMS
    for row in rows:
        found = fact_cells.contributions(row, package=package)
        fact_cells.add(cells, _keys(row, level), found, sign, through=through, after=after)


def through(using: str | None = None) -> date | None:
    """The day the cells are kept through (None: not kept yet, count the rows)."""
    found = (
        Watermark.objects.using(using or router.db_for_read(Watermark))
        .filter(name=CELLS)
        .values_list("last_id", flat=True)
    )
    day = found.first()
    return date.fromordinal(day) if day else None


def lock(*, using: str | None = None, today: date | None = None) -> date:
    """Take the cells' lock (inside a transaction) and keep them through today (moved on from the day they were
    kept through, or back, the clock set back); return today."""
    using = using or router.db_for_write(Watermark)
    today = today or clock.today()
    mark = Watermark.objects.using(using).select_for_update().filter(name=CELLS).first()
    if mark is None or not mark.last_id:
        rebuild(using=using, today=today)
        return today
    kept = date.fromordinal(mark.last_id)
    if kept != today:
        _roll(kept, today, using=using)
        Watermark.objects.using(using).filter(pk=mark.pk).update(last_id=today.toordinal(), updated_at=clock.now())
    return today


def roll(*, today: date | None = None) -> date:
    """Bring the cells to today (the periodic refresh's first step; nothing to do when they are)."""
    with transaction.atomic():
        return lock(today=today)


def _roll(kept: date, today: date, *, using: str) -> int:
    """Move the cells kept through ``kept`` to ``today``: add the contributions dated after ``kept`` and on or
    before ``today`` (or, the clock set back, take out those after ``today``), those of the rows received,
    finished or due (a running-late interval starts the day after the due date) in between."""
    low, high, sign = (kept, today, 1) if kept < today else (today, kept, -1)
    span = Q(received_on__gt=low, received_on__lte=high) | Q(finished_on__gt=low, finished_on__lte=high)
    span |= Q(due_on__gte=low, due_on__lt=high)
    cells: Cells = {}
    for model, package in ((CaseFact, True), (ItemFact, False)):
        rows = model._default_manager.using(using).filter(span).order_by()
        add_rows(cells, rows.iterator(chunk_size=5000), package=package, through=high, after=low, sign=sign)
    return write(fact_cells.changed(cells), using=using)


def move(
    old_cases: Iterable[CaseFact],
    new_cases: Iterable[CaseFact],
    old_items: Iterable[ItemFact],
    new_items: Iterable[ItemFact],
    *,
    through: date,
    using: str | None = None,
) -> int:
    """Move the contributions (up to ``through``) of replaced fact rows to the rows replacing them; how many cells
    changed. Call it holding ``lock``."""
    cells: Cells = {}
    add_rows(cells, old_cases, package=True, through=through, sign=-1)
    add_rows(cells, new_cases, package=True, through=through)
    add_rows(cells, old_items, package=False, through=through, sign=-1)
    add_rows(cells, new_items, package=False, through=through)
    return write(fact_cells.changed(cells), using=using)


def _rows(cells: Cells) -> list[tuple[Any, ...]]:
    # one order for every writer, so that two transactions upserting the same cells wait rather than deadlock
    ordered = sorted(cells.items(), key=lambda entry: tuple(str(part) for part in entry[0]))
    return [(*key, *(values.get(c, 0) for c in COLUMNS)) for key, values in ordered]


def write(cells: Cells, *, using: str | None = None, table: str | None = None) -> int:
    """Add these changes to the stored cells (one upsert per batch, increments)."""
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
    rows = _rows(cells)
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


def rebuild(
    *,
    using: str | None = None,
    today: date | None = None,
    case_model: type[models.Model] = CaseFact,
    item_model: type[models.Model] = ItemFact,
    cell_model: type[models.Model] = FactCell,
    mark_model: type[models.Model] = Watermark,
    chunk: int = 5000,
) -> int:
    """Compute every cell again from the fact rows, kept through today; how many cells were written.

    PostgreSQL sums them itself (``_summed``); elsewhere the rule runs over the rows one department at a time, so
    that its memory follows the catalog, not the city. The models may be a migration's historical ones (same
    fields)."""
    using = using or router.db_for_write(cell_model)
    today = today or clock.today()
    written = 0
    with transaction.atomic(using=using):
        marks = mark_model._default_manager.using(using)
        marks.get_or_create(name=CELLS)
        marks.select_for_update().filter(name=CELLS).update(last_id=today.toordinal(), updated_at=clock.now())
        cell_model._default_manager.using(using).all().delete()
        if connections[using].vendor == "postgresql":  # summed by the database: minutes less at a city's size
            summed = _summed(using, today, case_model._meta.db_table, item_model._meta.db_table)
            return _insert(fact_cells.changed(summed), using=using, table=cell_model._meta.db_table)
        departments: list[int] = sorted(
            set(case_model._default_manager.using(using).values_list("department_id", flat=True).distinct())
            | set(item_model._default_manager.using(using).values_list("department_id", flat=True).distinct())
        )
        every: Cells = {}  # the cells of every department, added up over the departments
        for department in departments:
            cells: Cells = {}
            for model, package in ((case_model, True), (item_model, False)):
                rows = model._default_manager.using(using).filter(department_id=department).order_by()
                add_rows(cells, rows.iterator(chunk_size=chunk), package=package, through=today)
            for key in [key for key in cells if key[2] == EVERY_DEPARTMENT]:
                total = every.setdefault(key, {})
                for name, value in cells.pop(key).items():
                    total[name] = total.get(name, 0) + value
            written += _insert(fact_cells.changed(cells), using=using, table=cell_model._meta.db_table)
        written += _insert(fact_cells.changed(every), using=using, table=cell_model._meta.db_table)
    return written


def _insert(cells: Cells, *, using: str, table: str) -> int:
    """Write new cells into an emptied table (no conflict can arise): COPY on PostgreSQL, else batched INSERTs."""
    connection = connections[using]
    quote = connection.ops.quote_name
    names = [*_KEY, *COLUMNS]
    columns = ", ".join(quote(name) for name in names)
    rows = _rows(cells)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(names))
            cursor.executemany(f"INSERT INTO {quote(table)} ({columns}) VALUES ({placeholders})", rows)  # noqa: S608
    return len(rows)


# ------------------------------------------------------------------ the rebuild in SQL (PostgreSQL)

#: ``core.fact_cells.contributions`` as SQL over a fact table, one part per kind and date: (kind, the day the
#: part is dated, the rows, the columns' sums, -1 for the end of an interval, the value kept as ``days``).
#: ``tests/statistics/test_cells.py`` holds a rebuild equal to the cells the rule keeps, on PostgreSQL too.
_END = "(CASE WHEN status = 'DONE' THEN finished_on END)"
_START = "greatest(due_on + 1, received_on)"
_LATE = "due_on IS NOT NULL AND (status = 'OPEN' AND (NOT paused OR late) OR status = 'DONE' AND late)"
_FINISHED = "status = 'DONE' AND finished_on IS NOT NULL"


def _count(condition: str) -> str:
    return f"count(*) FILTER (WHERE {condition})"


def _parts(package: bool) -> list[tuple[str, str, str, list[tuple[str, str]], int, str | None]]:
    received = [
        ("n", "count(*)"),
        ("instant", _count("instant")),
        ("online", _count("channel = 'ONLINE'")),
        ("corrected", _count("corrections + supplements > 0")),
        ("signalled", _count("signals > 0")),
        ("ordered", _count("orders > 0")),
        ("rounds", "sum(corrections + supplements)"),
        ("signals", "sum(signals)"),
        ("orders", "sum(orders)"),
    ]
    finished = [
        ("n", "count(*)"),
        ("on_time", _count("NOT late")),
        ("early", _count("early")),
        ("first_time", _count("corrections + supplements = 0")),
        ("promised", "sum(promised_days)"),
        ("late", _count("late")),
        ("provisional", _count("provisional")),
        *((column, _count(f"days_used = {days}")) for days, column in enumerate(fact_cells.HISTOGRAM)),
    ]
    if package:
        received += [
            (f"{n}_{k}", f"sum({n}_{k})") for n in fact_cells.FIVE for k in ("separate", "promised", "realised")
        ]
        finished += [
            ("days_separate", "sum(days_separate)"),
            ("days_realised", "coalesce(sum(days_used), 0)"),
            ("days_measured", "count(days_used)"),
            ("days_provisional", "count(days_used) FILTER (WHERE provisional)"),
        ]
    late_open = f"{_LATE} AND ({_END} IS NULL OR {_END} > {_START})"
    late_close = f"{_LATE} AND {_END} > {_START}"
    running = "status IN ('OPEN', 'DONE') AND provisional"
    due_month = "date_trunc('month', due_on)::date"
    heat = [("n", "count(*)"), ("provisional", _count("provisional"))]
    return [
        ("R", "received_on", "true", received, 1, None),
        ("F", "finished_on", _FINISHED, finished, 1, None),
        (
            "H",
            "finished_on",
            f"{_FINISHED} AND days_used > {fact_cells.HISTOGRAM_MAX}",
            [("n", "count(*)")],
            1,
            "days_used",
        ),
        ("O", "received_on", "(finished_on IS NULL OR finished_on > received_on)", [("n", "count(*)")], 1, None),
        ("O", "finished_on", "finished_on > received_on", [("n", "count(*)")], -1, None),
        ("L", _START, late_open, [("n", "count(*)")], 1, None),
        ("L", _END, late_close, [("n", "count(*)")], -1, None),
        (
            "L",
            "received_on",
            f"{running} AND ({_END} IS NULL OR {_END} > received_on)",
            [("provisional", "count(*)")],
            1,
            None,
        ),
        ("L", _END, f"{running} AND {_END} > received_on", [("provisional", "count(*)")], -1, None),
        ("X", "finished_on", f"{_FINISHED} AND late AND due_on IS NOT NULL", heat, 1, due_month),
        ("Z", _START, late_open, heat, 1, due_month),
        ("Z", _END, late_close, heat, -1, due_month),
    ]


def _summed(using: str, today: date, case_table: str, item_table: str) -> Cells:
    """Every cell summed by PostgreSQL from the fact rows (GROUPING SETS: each dimension within its department and
    over every department, one scan per part), kept through ``today``."""
    cells: Cells = {}
    connection = connections[using]
    for table, level, package in ((case_table, PACKAGES, True), (item_table, ITEMS, False)):
        dimensions = [(name, field) for name, field in DIMENSIONS.items() if not (field == "item_code" and package)]
        fields = [field for _, field in dimensions if field]
        named = [name for name, field in dimensions if field]  # the dimension of each field, in the same order
        bits = len(fields)
        for kind, day, where, sums, sign, extra in _parts(package):
            tail = ["m", *([extra] if extra else [])]
            if kind in fact_cells.HEAT:  # the department's whole only: grouped by none of the fields
                sets = [["department_id", *tail]]
                flags, selected = str((1 << bits) - 1), ", ".join("NULL" for _ in fields)
            else:
                sets = []
                for _, field in dimensions:
                    own = [field] if field else []
                    sets += [["department_id", *own, *tail], [*own, *tail]]
                flags, selected = f"GROUPING(department_id, {', '.join(fields)})", ", ".join(fields)
            grouping = ", ".join("(" + ", ".join(columns) + ")" for columns in sets)
            values = ", ".join(f"{expression} AS c{index}" for index, (_, expression) in enumerate(sums))
            sql = (
                f"SELECT {flags}, department_id, {selected}, m, {extra or '0'}, {values} "  # noqa: S608
                f"FROM (SELECT *, date_trunc('month', {day})::date AS m FROM {connection.ops.quote_name(table)} "
                f"WHERE received_on IS NOT NULL AND {day} <= %s AND ({where})) AS facts GROUP BY GROUPING SETS ({grouping})"
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, [today])
                for row in cursor.fetchall():
                    flag, department, dimension_values = row[0], row[1], row[2 : 2 + bits]
                    month, days, found = row[2 + bits], row[3 + bits], row[4 + bits :]
                    dimension, value = "", ""
                    for position, raw in enumerate(dimension_values):
                        if not flag >> (bits - 1 - position) & 1:  # grouped by this field
                            dimension, value = named[position], "" if raw is None else str(raw)
                    if flag >> bits & 1:
                        department = EVERY_DEPARTMENT
                    if isinstance(days, date):
                        days = days.toordinal()
                    cell = cells.setdefault((level, dimension, department, value, kind, month, days or 0), {})
                    for (name, _), total in zip(sums, found, strict=True):
                        if total:
                            cell[name] = cell.get(name, 0) + sign * int(total)
    return cells
