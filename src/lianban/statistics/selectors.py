"""Statistics reads: the figures of a period aggregated from the fact tables, and the cases behind each figure.

Every figure is a count or a sum over fact rows selected by one of ``METRICS``;
the drill-down lists the rows the same rule selects, so a number and its list
always agree. Packages (``CaseFact``: a one-thing case counted once) and items
(``ItemFact``: each item case) are separate levels, never added together.

A period of whole months (up to today for the current one) is read from the
month cells (``FactCell``, ``core.fact_cells``) when they keep the request: the
department and at most one other dimension (``_cell_plan``), the cells kept
through today. Otherwise the fact rows are counted. The rows' counts are the
definition: ``tests/statistics/test_cells.py`` holds the cells equal to them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDay, TruncMonth, TruncWeek, TruncYear

from lianban.accounts.models import Role, User
from lianban.cases import clock
from lianban.cases.workflow import CASE_UNREAD
from lianban.catalog.models import Department, Thing
from lianban.common.keyset import Key
from lianban.core.fact_cells import HISTOGRAM
from lianban.statistics import cells
from lianban.statistics.models import EVENTS, CaseFact, FactCell, FactStatus, ItemFact, Watermark

Level = Literal["packages", "items"]
Grain = Literal["day", "week", "month", "year"]
LEVELS: tuple[Level, ...] = ("packages", "items")
GRAINS: tuple[Grain, ...] = ("day", "week", "month", "year")
_TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth, "year": TruncYear}
#: The figures that have a list of cases behind them.
METRIC_NAMES = (
    "received",
    "finished",
    "open",
    "on_time",
    "early",
    "overdue",
    "instant",
    "first_time",
    "online",
    "corrected",
    "signalled",
    "ordered",
)
#: The figures that rest on working-day counts, by the rows deciding them: a figure is provisional (预计) when one
#: of those rows is counted through a year with only a provisional calendar (``CaseFact.provisional``).
PROVISIONAL_FIGURES = {
    "p_finished": ("on_time", "early", "on_time_rate", "early_rate", "days_used_avg", "days_used_p90"),
    "p_overdue": ("overdue",),
}
#: Every figure name ``provisional`` may list (the API's enum).
PROVISIONAL_NAMES = tuple(sorted({name for names in PROVISIONAL_FIGURES.values() for name in names}))
#: The 五减 figures ``provisional`` may list.
FIVE_PROVISIONAL = ("days_realised",)
#: The roles that read statistics: the supervisor all of them, department staff their department's.
STATISTICS_ROLES = (Role.SUPERVISOR, Role.REVIEWER, Role.CLERK)


@dataclass(frozen=True, slots=True)
class Filters:
    """What a statistics request selects: the period and the dimensions (empty: all)."""

    start: date
    end: date
    grain: Grain = "month"
    department: int | None = None
    window: int | None = None
    item: str = ""
    thing: int | None = None
    channel: str = ""
    today: date = field(default_factory=clock.today)
    #: Only the rows due in this range (the overdue heat table's cells).
    due_from: date | None = None
    due_to: date | None = None


def default_period(today: date | None = None) -> tuple[date, date]:
    """The last twelve months up to today (from the first day of the month eleven months back)."""
    today = today or clock.today()
    month = today.year * 12 + today.month - 1 - 11
    return date(month // 12, month % 12 + 1, 1), today


def scoped(user: User, filters: Filters) -> Filters:
    """The filters a user may use: the supervisor's as asked; department staff's pinned to their department.

    Raises:
        PermissionDenied: the user reads no statistics (applicants, staff without a department).
    """
    if user.role == Role.SUPERVISOR:
        return filters
    if user.role in (Role.REVIEWER, Role.CLERK) and user.department_id is not None:
        return Filters(**{**_as_dict(filters), "department": user.department_id})
    raise PermissionDenied


def _as_dict(filters: Filters) -> dict[str, Any]:
    return {name: getattr(filters, name) for name in Filters.__dataclass_fields__}


# ------------------------------------------------------------------ the rules


def _metrics(f: Filters) -> dict[str, Q]:
    """Which fact rows each figure counts, for the period ``f.start``..``f.end``."""
    received = Q(received_on__gte=f.start, received_on__lte=f.end)
    finished = Q(status=FactStatus.DONE, finished_on__gte=f.start, finished_on__lte=f.end)
    cutoff = min(f.end, f.today)
    # running past the due date at the period's end (today for the current one): a stopped clock (补正) only
    # moves the effective due date later, so a paused row is late only when the deadline sweep found it so
    running_late = Q(received_on__lte=f.end, due_on__lt=cutoff) & (
        Q(status=FactStatus.OPEN) & (Q(paused=False) | Q(late=True))
        | Q(status=FactStatus.DONE, finished_on__gt=cutoff, late=True)  # finished after its due date: late
    )
    running = Q(received_on__lte=f.end) & (
        Q(status=FactStatus.OPEN) | Q(status=FactStatus.DONE, finished_on__gt=cutoff)
    )
    return {
        "received": received,
        "finished": finished,
        "open": Q(received_on__lte=f.end) & (Q(finished_on__isnull=True) | Q(finished_on__gt=f.end)),
        "on_time": finished & Q(late=False),
        "early": finished & Q(early=True),
        # every overdue row is late or running, and due before the cutoff (a late one finished by then, after its
        # due date): said at the top (the planner does not prove it from the rule), the latest-due-first list reads
        # the partial index of late and running rows from the cutoff on, past the rows not yet due
        "overdue": Q(due_on__lt=cutoff)
        & (Q(late=True) | Q(status=FactStatus.OPEN))
        & ((finished & Q(late=True)) | running_late),
        "instant": received & Q(instant=True),
        "first_time": finished & Q(corrections=0, supplements=0),
        "online": received & Q(channel="ONLINE"),
        "corrected": received & (Q(corrections__gt=0) | Q(supplements__gt=0)),
        "signalled": received & Q(signals__gt=0),
        "ordered": received & Q(orders__gt=0),
        # not figures: the rows whose provisional dates make a figure provisional (PROVISIONAL_FIGURES)
        "p_finished": finished & Q(provisional=True),
        "p_overdue": (finished | running) & Q(provisional=True),
    }


def _model(level: Level) -> type[CaseFact] | type[ItemFact]:
    if level not in LEVELS:
        raise ValueError(level)
    return CaseFact if level == "packages" else ItemFact


def facts(level: Level, f: Filters) -> QuerySet[Any]:
    """The fact rows of a level the dimension filters select, alive in the period (received by its end, not
    finished before its start)."""
    model = _model(level)
    rows: QuerySet[Any] = model.objects.filter(received_on__lte=f.end).filter(
        Q(finished_on__isnull=True) | Q(finished_on__gte=f.start)
    )
    if f.department is not None:
        rows = rows.filter(department_id=f.department)
    if f.window is not None:
        rows = rows.filter(window_id=f.window)
    if f.thing is not None:
        rows = rows.filter(thing_id=f.thing)
    if f.channel:
        rows = rows.filter(channel=f.channel)
    if f.due_from is not None:
        rows = rows.filter(due_on__gte=f.due_from)
    if f.due_to is not None:
        rows = rows.filter(due_on__lte=f.due_to)
    if f.item:
        if model is ItemFact:
            rows = rows.filter(item_code=f.item)
        else:
            rows = rows.filter(Exists(ItemFact.objects.filter(case_id=OuterRef("pk"), item_code=f.item)))
    return rows


def _aggregates(f: Filters) -> dict[str, Any]:
    rules = _metrics(f)
    aggregates: dict[str, Any] = {name: Count("pk", filter=rule) for name, rule in rules.items()}
    received = rules["received"]
    aggregates["rounds"] = Coalesce(Sum(F("corrections") + F("supplements"), filter=received), 0)
    aggregates["signals"] = Coalesce(Sum("signals", filter=received), 0)
    aggregates["orders"] = Coalesce(Sum("orders", filter=received), 0)
    aggregates["promised_total"] = Coalesce(Sum("promised_days", filter=rules["finished"]), 0)
    return aggregates


# ------------------------------------------------------------------ the month cells


def _cell_plan(level: Level, f: Filters, by: str | None = None) -> dict[str, Any] | None:
    """The ``FactCell`` filters that answer a request, or None when only the fact rows can.

    The cells add up whole months: the period begins on the first of a month
    and ends on the last of one or on or after today (nothing is received or
    finished later), and they are kept through the day the figures are counted
    at (today). They are kept per department (and for every department
    together) and one other dimension at a time, so a request the cells answer
    filters by at most one dimension besides the department and breaks down by
    the department or that dimension. The heat table's due-date ranges are
    counted from the rows.
    """
    if f.due_from is not None or f.due_to is not None or f.start > f.end or f.start > f.today:
        return None
    if f.start.day != 1 or (f.end < f.today and f.end != period_end(f.end.replace(day=1), "month")):
        return None
    given = {
        name: value
        for name, value in (("window", f.window), ("thing", f.thing), ("channel", f.channel), ("item_code", f.item))
        if value
    }
    if (level == "packages" and "item_code" in given) or len(given) > 1:
        return None
    own = None if by in (None, "department") else by
    plan: dict[str, Any] = {"level": cells.PACKAGES if _model(level) is CaseFact else cells.ITEMS}
    if given:
        ((dimension, value),) = given.items()
        if own not in (None, dimension):
            return None
        plan.update(dimension=dimension, value=str(value))
    else:
        plan["dimension"] = own or ""
    if f.department is not None:
        plan["department_id"] = f.department
    elif by == "department":
        plan["department_id__gt"] = cells.EVERY_DEPARTMENT  # each department's own cells
    else:
        plan["department_id"] = cells.EVERY_DEPARTMENT  # the cells adding up every department
    if cells.through() != f.today:  # a new day before the refresh moved the cells on: count the rows
        return None
    return plan


def _cell_kinds(f: Filters) -> dict[str, Q]:
    """The cells each kind is summed over: the flows over the period's months, the stocks' deltas up to its end
    (open) or cutoff (running late: the end of a past period; today, the last day the cells hold, else)."""
    flows = Q(month__gte=f.start, month__lte=f.end)
    stocks = Q(month__lte=f.end)
    return {
        "R": Q(kind="R") & flows,
        "F": Q(kind="F") & flows,
        "H": Q(kind="H") & flows,
        "O": Q(kind="O") & stocks,
        "L": Q(kind="L") & stocks,
        "X": Q(kind="X") & flows,
        "Z": Q(kind="Z") & stocks,
    }


def _cell_period(f: Filters) -> Q:
    """The cells a period's figures read (all kinds but the histogram's overflow and the heat table)."""
    kinds = _cell_kinds(f)
    return kinds["R"] | kinds["F"] | kinds["O"] | kinds["L"]


#: The sums of ``_aggregates`` as (kind, column) of the cells (``_cell_counts`` names them as the rows' counts).
_CELL_COLUMNS = {
    "received": ("R", "n"),
    "instant": ("R", "instant"),
    "online": ("R", "online"),
    "corrected": ("R", "corrected"),
    "signalled": ("R", "signalled"),
    "ordered": ("R", "ordered"),
    "rounds": ("R", "rounds"),
    "signals": ("R", "signals"),
    "orders": ("R", "orders"),
    "finished": ("F", "n"),
    "on_time": ("F", "on_time"),
    "early": ("F", "early"),
    "first_time": ("F", "first_time"),
    "promised_total": ("F", "promised"),
    "finished_late": ("F", "late"),
    "p_finished": ("F", "provisional"),
    "open": ("O", "n"),
    "running_late": ("L", "n"),
    "p_running": ("L", "provisional"),
    **{column: ("F", column) for column in HISTOGRAM},
}


def _cell_aggregates(f: Filters) -> dict[str, Any]:
    kinds = _cell_kinds(f)
    return {name: Coalesce(Sum(column, filter=kinds[kind]), 0) for name, (kind, column) in _CELL_COLUMNS.items()}


def _cell_counts(row: Mapping[str, Any]) -> dict[str, Any]:
    counts = dict(row)
    counts["overdue"] = row["finished_late"] + row["running_late"]
    counts["p_overdue"] = row["p_finished"] + row["p_running"]
    return counts


def _cell_histogram(row: Mapping[str, Any], overflow: Mapping[int, int]) -> dict[int, int]:
    """The days-used histogram of a row of cell sums (its ``h00``… columns) and its overflow cells."""
    histogram = {days: row[column] for days, column in enumerate(HISTOGRAM) if row[column]}
    histogram.update(overflow)
    return histogram


def _cell_overflow(found: QuerySet[FactCell], f: Filters, key: str | None) -> dict[Any, dict[int, int]]:
    names = [key, "days"] if key else ["days"]
    result: dict[Any, dict[int, int]] = defaultdict(dict)
    for entry in found.filter(_cell_kinds(f)["H"]).values(*names).annotate(n=Sum("n")):
        if entry["n"]:
            result[entry[key] if key else None][entry["days"]] = entry["n"]
    return result


def _cell_key(by: str, value: Any) -> Any:
    """A breakdown's key as the fact rows hold it, from a cell's department or text value."""
    if by in ("department", "channel", "item_code"):
        return value
    return int(value) if value else None


def period_start(day: date, grain: Grain) -> date:
    """The first day of the period of ``grain`` holding ``day`` (weeks begin on Monday)."""
    if grain == "day":
        return day
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _percentile(histogram: Mapping[int, int], share: float) -> int | None:
    """The smallest value with at least ``share`` of the counts at or below it (nearest rank)."""
    total = sum(histogram.values())
    if not total:
        return None
    rank = math.ceil(share * total)
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return None  # pragma: no cover - the loop always reaches the rank


def _figures(row: Mapping[str, Any], histogram: Mapping[int, int]) -> dict[str, Any]:
    """The figures of one row of counts (a total, a department…) with its days-used histogram.

    ``provisional``: the names of the figures resting on working days counted through a year with only a
    provisional calendar (预计), confirmed once the official arrangement is entered.
    """
    finished, received = row["finished"], row["received"]
    used = sum(days * n for days, n in histogram.items())
    measured = sum(histogram.values())
    figures = {name: row[name] for name in (*METRIC_NAMES, "rounds", "signals", "orders")}
    figures["provisional"] = sorted(name for key, names in PROVISIONAL_FIGURES.items() if row[key] for name in names)
    figures.update(
        on_time_rate=_rate(row["on_time"], finished),
        early_rate=_rate(row["early"], finished),
        instant_rate=_rate(row["instant"], received),
        first_time_rate=_rate(row["first_time"], finished),
        online_rate=_rate(row["online"], received),
        rounds_per_case=_rate(row["rounds"], received),
        days_used_avg=round(used / measured, 2) if measured else None,
        days_used_p90=_percentile(histogram, 0.9),
        days_promised_avg=round(row["promised_total"] / finished, 2) if finished else None,
    )
    return figures


def _histograms(rows: QuerySet[Any], f: Filters, key: str | None) -> dict[Any, dict[int, int]]:
    finished = rows.filter(_metrics(f)["finished"], days_used__isnull=False).order_by()
    names = [key, "days_used"] if key else ["days_used"]
    result: dict[Any, dict[int, int]] = defaultdict(dict)
    for entry in finished.values(*names).annotate(n=Count("pk")):
        result[entry[key] if key else None][entry["days_used"]] = entry["n"]
    return result


def totals(level: Level, f: Filters) -> dict[str, Any]:
    """The figures of the whole selection (two statements)."""
    plan = _cell_plan(level, f)
    if plan is not None:
        found = FactCell.objects.filter(**plan).order_by()
        counts = _cell_counts(found.filter(_cell_period(f)).aggregate(**_cell_aggregates(f)))
        return _figures(counts, _cell_histogram(counts, _cell_overflow(found, f, None).get(None, {})))
    rows = facts(level, f)
    counts = rows.order_by().aggregate(**_aggregates(f))
    return _figures(counts, _histograms(rows, f, None).get(None, {}))


def breakdown(level: Level, f: Filters, by: str) -> list[dict[str, Any]]:
    """The figures per value of a dimension (``department``, ``window``, ``thing``, ``channel``, ``item_code``),
    the most received first (two statements); the rows add up to ``totals``."""
    key = {"department": "department_id", "window": "window_id", "thing": "thing_id"}.get(by, by)
    if key not in ("department_id", "window_id", "thing_id", "channel", "item_code"):
        raise ValueError(by)
    plan = _cell_plan(level, f, by)
    if plan is not None:
        found = FactCell.objects.filter(**plan).order_by()
        group = "department_id" if by == "department" else "value"
        sums = found.filter(_cell_period(f)).values(group).annotate(**_cell_aggregates(f))
        overflow = _cell_overflow(found, f, group)
        result = []
        for row in sums:
            counts = _cell_counts(row)
            histogram = _cell_histogram(counts, overflow.get(row[group], {}))
            result.append({"key": _cell_key(by, row[group]), **_figures(counts, histogram)})
        result = [row for row in result if any(row[name] for name in ("received", "finished", "open", "overdue"))]
        return sorted(result, key=lambda row: (-row["received"], -row["finished"], str(row["key"])))
    rows = facts(level, f)
    grouped = rows.order_by().values(key).annotate(**_aggregates(f))
    histograms = _histograms(rows, f, key)
    result = [{"key": row[key], **_figures(row, histograms.get(row[key], {}))} for row in grouped]
    result = [row for row in result if any(row[name] for name in ("received", "finished", "open", "overdue"))]
    return sorted(result, key=lambda row: (-row["received"], -row["finished"], str(row["key"])))


def trend(level: Level, f: Filters) -> list[dict[str, Any]]:
    """Received, finished, finished on time and overdue-when-finished per period of ``f.grain`` (two statements);
    ``provisional``: the period's on-time figures rest on provisional working days (预计)."""
    buckets: dict[date, dict[str, int]] = defaultdict(
        lambda: {"received": 0, "finished": 0, "on_time": 0, "provisional": 0}
    )
    plan = _cell_plan(level, f) if f.grain in ("month", "year") else None
    if plan is not None:
        kinds = _cell_kinds(f)
        found = FactCell.objects.filter(**plan).order_by()
        for entry in found.filter(kinds["R"]).values("month").annotate(n=Sum("n")):
            buckets[period_start(entry["month"], f.grain)]["received"] += entry["n"]
        for entry in (
            found.filter(kinds["F"]).values("month").annotate(n=Sum("n"), on_time=Sum("on_time"), p=Sum("provisional"))
        ):
            bucket = buckets[period_start(entry["month"], f.grain)]
            bucket["finished"] += entry["n"]
            bucket["on_time"] += entry["on_time"]
            bucket["provisional"] += entry["p"]
        return _trend_rows(f, buckets)
    rows = facts(level, f).order_by()
    trunc = _TRUNC[f.grain]
    rules = _metrics(f)
    for entry in (
        rows.filter(rules["received"]).annotate(bucket=trunc("received_on")).values("bucket").annotate(n=Count("pk"))
    ):
        buckets[_as_date(entry["bucket"])]["received"] = entry["n"]
    for entry in (
        rows.filter(rules["finished"])
        .annotate(bucket=trunc("finished_on"))
        .values("bucket")
        .annotate(
            n=Count("pk"),
            on_time=Count("pk", filter=Q(late=False)),
            provisional=Count("pk", filter=Q(provisional=True)),
        )
    ):
        bucket = buckets[_as_date(entry["bucket"])]
        bucket["finished"], bucket["on_time"] = entry["n"], entry["on_time"]
        bucket["provisional"] = entry["provisional"]
    return _trend_rows(f, buckets)


def _trend_rows(f: Filters, buckets: dict[date, dict[str, int]]) -> list[dict[str, Any]]:
    for period in periods(f):  # the periods without a case too, so that a line chart shows them as 0
        buckets[period]
    return [
        {
            "period": key,
            **value,
            "on_time_rate": _rate(value["on_time"], value["finished"]),
            "provisional": bool(value["provisional"]),  # its on-time figures rest on provisional dates (预计)
        }
        for key, value in sorted(buckets.items())
    ]


#: At most this many periods are filled in with zeros (a day trend over years keeps the days with cases only).
MAX_PERIODS = 400


def periods(f: Filters) -> list[date]:
    """The first days of the periods of ``f.grain`` that meet the period (none when there would be too many)."""
    first = {
        "day": f.start,
        "week": f.start - timedelta(days=f.start.weekday()),
        "month": f.start.replace(day=1),
        "year": f.start.replace(month=1, day=1),
    }[f.grain]
    found: list[date] = []
    while first <= f.end and len(found) <= MAX_PERIODS:
        found.append(first)
        first = period_end(first, f.grain) + timedelta(days=1)
    return found if len(found) <= MAX_PERIODS else []


def overdue_heat(level: Level, f: Filters) -> list[dict[str, Any]]:
    """Overdue counts per department and period of ``f.grain`` (by the due date): the heat table (one statement);
    ``provisional``: a cell counting a provisional due date (预计)."""
    plan = _cell_plan(level, f, "department") if f.grain in ("month", "year") else None
    if plan is not None and plan["dimension"] == "":  # kept for the departments' whole only
        return _heat_from_cells(plan, f)
    rows = facts(level, f).order_by().filter(_metrics(f)["overdue"])
    trunc = _TRUNC[f.grain]
    return [
        {
            "department": entry["department_id"],
            "period": _as_date(entry["bucket"]),
            "overdue": entry["n"],
            "provisional": bool(entry["provisional"]),
        }
        for entry in rows.annotate(bucket=trunc("due_on"))
        .values("department_id", "bucket")
        .annotate(n=Count("pk"), provisional=Count("pk", filter=Q(provisional=True)))
        .order_by("department_id", "bucket")
    ]


def _heat_from_cells(plan: dict[str, Any], f: Filters) -> list[dict[str, Any]]:
    """``overdue_heat`` from the cells (one statement): finished late in the period (``X``) and running late at the
    cutoff (``Z``), by the due date's month."""
    kinds = _cell_kinds(f)
    found = FactCell.objects.filter(**plan).filter(kinds["X"] | kinds["Z"]).order_by()
    counts: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0])
    for entry in found.values("department_id", "days").annotate(n=Sum("n"), p=Sum("provisional")):
        count = counts[(entry["department_id"], period_start(date.fromordinal(entry["days"]), f.grain))]
        count[0] += entry["n"]
        count[1] += entry["p"]
    return [
        {"department": department, "period": period, "overdue": n, "provisional": bool(provisional)}
        for (department, period), (n, provisional) in sorted(counts.items())
        if n
    ]


def _as_date(value: Any) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value  # type: ignore[no-any-return]


FIVE = ("trips", "materials", "forms")


def five_reductions(f: Filters) -> list[dict[str, Any]]:
    """Realised 五减 per one-thing: each figure handled separately, as the plan promised, as it happened.

    Trips, materials and forms: the packages received in the period; days: the packages finished in it
    (working days from acceptance to the last item's decision, against the plan's and the serial legal days).
    Averages per package (one statement); ``provisional`` names ``days_realised`` when counted through a
    provisional year (预计).
    """
    plan = _cell_plan("packages", f, "thing")
    if plan is not None:
        return _five_rows(_five_from_cells(plan, f))
    rules = _metrics(f)
    received, finished = rules["received"], rules["finished"]
    sums: dict[str, Any] = {"received": Count("pk", filter=received), "finished": Count("pk", filter=finished)}
    for name in FIVE:
        for kind in ("separate", "promised", "realised"):
            sums[f"{name}_{kind}"] = Coalesce(Sum(f"{name}_{kind}", filter=received), 0)
    sums["days_separate"] = Coalesce(Sum("days_separate", filter=finished), 0)
    sums["days_promised"] = Coalesce(Sum("promised_days", filter=finished), 0)
    sums["days_realised"] = Coalesce(Sum("days_used", filter=finished, output_field=IntegerField()), 0)
    sums["days_measured"] = Count("pk", filter=finished & Q(days_used__isnull=False))
    sums["days_provisional"] = Count("pk", filter=finished & Q(days_used__isnull=False, provisional=True))
    return _five_rows(facts("packages", f).order_by().values("thing_id").annotate(**sums).order_by("thing_id"))


def _five_from_cells(plan: dict[str, Any], f: Filters) -> list[dict[str, Any]]:
    kinds = _cell_kinds(f)
    received, finished = kinds["R"], kinds["F"]
    sums: dict[str, Any] = {
        "received": Coalesce(Sum("n", filter=received), 0),
        "finished": Coalesce(Sum("n", filter=finished), 0),
        "days_separate": Coalesce(Sum("days_separate", filter=finished), 0),
        "days_promised": Coalesce(Sum("promised", filter=finished), 0),
        "days_realised": Coalesce(Sum("days_realised", filter=finished), 0),
        "days_measured": Coalesce(Sum("days_measured", filter=finished), 0),
        "days_provisional": Coalesce(Sum("days_provisional", filter=finished), 0),
    }
    for name in FIVE:
        for kind in ("separate", "promised", "realised"):
            sums[f"{name}_{kind}"] = Coalesce(Sum(f"{name}_{kind}", filter=received), 0)
    rows = FactCell.objects.filter(**plan).filter(received | finished).order_by()
    found = [{**row, "thing_id": int(row["value"])} for row in rows.values("value").annotate(**sums)]
    return sorted(found, key=lambda row: row["thing_id"])


def _five_rows(grouped: Any) -> list[dict[str, Any]]:
    result = []
    for row in grouped:
        if not (row["received"] or row["finished"]):
            continue
        entry: dict[str, Any] = {"thing": row["thing_id"], "received": row["received"], "finished": row["finished"]}
        for name in FIVE:
            for kind in ("separate", "promised", "realised"):
                entry[f"{name}_{kind}"] = _mean(row[f"{name}_{kind}"], row["received"])
        entry["days_separate"] = _mean(row["days_separate"], row["finished"])
        entry["days_promised"] = _mean(row["days_promised"], row["finished"])
        entry["days_realised"] = _mean(row["days_realised"], row["days_measured"])
        entry["provisional"] = list(FIVE_PROVISIONAL) if row["days_provisional"] else []
        result.append(entry)
    return result


def _mean(total: int, count: int) -> float | None:
    return round(total / count, 2) if count else None


def drill_ordering(level: Level, metric: str) -> tuple[str, str]:
    """How a figure's list is sorted (keyset specs): the overdue ones the latest due first, which an index of
    the late and running rows serves at any size (the latest received are mostly not yet due); the others the
    latest received first."""
    key = "-case" if _model(level) is CaseFact else "-item_case"
    return ("-due_on", key) if metric == "overdue" else ("-received_on", key)


def drill_down(level: Level, f: Filters, metric: str) -> QuerySet[Any]:
    """The fact rows behind one figure, in ``drill_ordering`` (page it on those keys)."""
    if metric not in METRIC_NAMES:
        raise ValueError(metric)
    return (
        facts(level, f)
        .filter(_metrics(f)[metric])
        .select_related("case", "thing", "department")
        .defer(*(f"case__{name}" for name in CASE_UNREAD))  # a case's plan, form and answers: large, not listed
        .order_by(*(Key.parse(spec).order() for spec in drill_ordering(level, metric)))
    )


# ------------------------------------------------------------------ the interfaces' helpers


class UnknownCode(ValueError):
    """A filter names a department, one-thing or window that does not exist; ``field`` says which."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def resolve(
    *,
    start: date | None = None,
    end: date | None = None,
    grain: Grain = "month",
    department: str = "",
    window: int | None = None,
    item: str = "",
    thing: str = "",
    channel: str = "",
) -> Filters:
    """Filters from what a request names (codes, the window's user id); the default period is the last twelve
    months (one statement per code given).

    Raises:
        UnknownCode: a department or one-thing code, or a window id, that does not exist.
    """
    default_start, default_end = default_period()
    department_id = thing_id = None
    if department:
        department_id = Department.objects.filter(code=department).values_list("pk", flat=True).first()
        if department_id is None:
            raise UnknownCode("department")
    if thing:
        thing_id = Thing.objects.filter(code=thing).values_list("pk", flat=True).first()
        if thing_id is None:
            raise UnknownCode("thing")
    if window is not None and not User.objects.filter(pk=window, role=Role.CLERK).exists():
        raise UnknownCode("window")
    return Filters(
        start=start or (default_start if end is None else end.replace(day=1)),
        end=end or default_end,
        grain=grain,
        department=department_id,
        window=window,
        item=item,
        thing=thing_id,
        channel=channel,
    )


@dataclass(frozen=True, slots=True)
class Labels:
    """Codes and names of the ids the figures carry."""

    departments: dict[int, tuple[str, str]]
    things: dict[int, tuple[str, str]]
    windows: dict[int, tuple[str, str]]

    def of(self, by: str, key: Any) -> tuple[str, str]:
        """(code, name) of a breakdown key."""
        table = {"department": self.departments, "thing": self.things, "window": self.windows}.get(by)
        if table is None:
            return str(key), str(key)
        return table.get(key, ("", ""))


def labels(*, departments: Any = (), things: Any = (), windows: Any = ()) -> Labels:
    """The codes and names of these ids (one statement per kind asked for)."""
    dept = {d.pk: (d.code, d.name) for d in Department.objects.filter(pk__in=set(departments))} if departments else {}
    thng = {t.pk: (t.code, t.name) for t in Thing.objects.filter(pk__in=set(things))} if things else {}
    wins = (
        {u.pk: (u.username, u.display_name or u.username) for u in User.objects.filter(pk__in=set(windows))}
        if windows
        else {}
    )
    return Labels(departments=dept, things=thng, windows=wins)


def refreshed_at() -> Any:
    """When the fact build last moved its watermark (None before its first run)."""
    return Watermark.objects.filter(name=EVENTS).values_list("updated_at", flat=True).first()


def window_choices(department: int | None = None) -> list[tuple[int, str]]:
    """(id, name) of the window clerks (of one department): the window filter's choices."""
    clerks = User.objects.filter(role=Role.CLERK).order_by("username")
    if department is not None:
        clerks = clerks.filter(department_id=department)
    return [(pk, name or username) for pk, username, name in clerks.values_list("pk", "username", "display_name")]


def period_end(start: date, grain: Grain) -> date:
    """The last day of the period of ``grain`` that begins on ``start``."""
    if grain == "day":
        return start
    if grain == "week":
        return start + timedelta(days=6)
    if grain == "month":
        following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
        return following - timedelta(days=1)
    return date(start.year, 12, 31)
