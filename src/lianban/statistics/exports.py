"""xlsx exports of the statistics, written in the background and streamed row by row.

``export_request`` records what a user asked for (the filters as applied to
them) and enqueues ``tasks.export_build``; the task writes the workbook with
XlsxWriter in constant-memory mode (each row goes to a temporary file as it is
written, so a 200,000-case export needs a few megabytes of memory), reads the
cases in chunks, records its progress every chunk, and stores the file in the
default storage. Every sheet starts with the header: the title, the period, the
filters and when it was generated.

``exports_expire`` (periodic) deletes the files older than
``LIANBAN_EXPORT_KEEP_DAYS`` and marks their rows ``EXPIRED``.
"""

from __future__ import annotations

import functools
import logging
import secrets
import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

import xlsxwriter

from lianban.accounts.models import User
from lianban.cases.models import Channel
from lianban.common.idempotency import command
from lianban.core.tracking import format_code
from lianban.statistics import reports, selectors
from lianban.statistics.models import Export, ExportKind, ExportState, FactStatus
from lianban.statistics.selectors import Filters, Level

logger = logging.getLogger(__name__)
#: Rows read from the database at a time, and how often the progress is recorded.
CHUNK = 2000


def filters_document(level: Level, f: Filters, metric: str = "") -> dict[str, Any]:
    """The filters of an export as JSON (ids, as applied)."""
    return {
        "level": level,
        "metric": metric,
        "start": f.start.isoformat(),
        "end": f.end.isoformat(),
        "grain": f.grain,
        "department": f.department,
        "window": f.window,
        "item": f.item,
        "thing": f.thing,
        "channel": f.channel,
        "today": f.today.isoformat(),
        "due_from": f.due_from.isoformat() if f.due_from else None,
        "due_to": f.due_to.isoformat() if f.due_to else None,
    }


def _filters(params: dict[str, Any]) -> tuple[Level, Filters, str]:
    f = Filters(
        start=date.fromisoformat(params["start"]),
        end=date.fromisoformat(params["end"]),
        grain=params["grain"],
        department=params["department"],
        window=params["window"],
        item=params["item"],
        thing=params["thing"],
        channel=params["channel"],
        today=date.fromisoformat(params["today"]),
        due_from=date.fromisoformat(params["due_from"]) if params.get("due_from") else None,
        due_to=date.fromisoformat(params["due_to"]) if params.get("due_to") else None,
    )
    return params["level"], f, params["metric"]


@command(operation="statistics.export", model=Export)
def export_request(
    *, actor: User, kind: str, level: Level, filters: Filters, metric: str = "", idempotency_key: str | None = None
) -> Export:
    """Record an export of ``filters`` (already scoped to ``actor``) and have the worker write it (after commit)."""
    if kind not in ExportKind.values or (kind == ExportKind.CASES and metric not in selectors.METRIC_NAMES):
        raise ValueError(kind)
    export = Export.objects.create(
        requested_by=actor,
        kind=kind,
        params={**filters_document(level, filters, metric), "language": translation.get_language() or ""},
        created_at=timezone.now(),
    )
    transaction.on_commit(lambda: _enqueue(export.pk))
    return export


def _enqueue(export_id: int) -> None:
    from lianban.statistics.tasks import export_build

    export_build.enqueue(export_id)


def export_list_for_user(user: User) -> Any:
    """The user's own exports, newest first."""
    return Export.objects.filter(requested_by=user).order_by("-created_at", "-id")


# ------------------------------------------------------------------ writing


class _Sheet:
    """One worksheet written row by row (constant memory: rows in order, never revisited)."""

    def __init__(self, book: Any, name: str, header: Sequence[tuple[str, str]], bold: Any) -> None:
        self.sheet = book.add_worksheet(name)
        self.row = 0
        self.bold = bold
        for label, value in header:
            self.write([label, value], bold=True)
        self.row += 1

    def write(self, values: Iterable[Any], *, bold: bool = False) -> None:
        for column, value in enumerate(values):
            if value is None:
                continue
            self.sheet.write(self.row, column, value, self.bold if bold else None)
        self.row += 1


def _provisional(flag: bool) -> str | None:
    """The mark of a figure or a date counted through a provisional calendar year (预计), or nothing."""
    return _("provisional") if flag else None


def _marked(names: Sequence[str]) -> str | None:
    """The figures of a row marked provisional (预计: on_time, overdue…), or nothing."""
    return f"{_('provisional')}: {', '.join(names)}" if names else None


def _header(title: str, level: Level, f: Filters, metric: str) -> list[tuple[str, str]]:
    labels = selectors.labels(
        departments=[f.department] if f.department else (),
        things=[f.thing] if f.thing else (),
        windows=[f.window] if f.window else (),
    )
    every = _("all")
    return [
        (_("Title"), title),
        (_("Period"), f"{f.start.isoformat()} – {f.end.isoformat()}"),
        (_("Counting"), _("one-things (each case once)") if level == "packages" else _("items (each item case)")),
        (_("Department"), labels.of("department", f.department)[1] if f.department else every),
        (_("One-thing"), labels.of("thing", f.thing)[1] if f.thing else every),
        (_("Item"), f.item or every),
        (_("Channel"), str(Channel(f.channel).label) if f.channel else every),
        (_("Window"), labels.of("window", f.window)[1] if f.window else every),
        *([(_("Figure"), metric)] if metric else []),
        (_("Generated at"), timezone.localtime().strftime("%Y-%m-%d %H:%M")),
    ]


FIGURES = (
    "received", "finished", "open", "on_time", "early", "overdue", "instant", "first_time", "online",
    "corrected", "signalled", "ordered", "rounds", "signals", "orders", "on_time_rate", "early_rate",
    "instant_rate", "first_time_rate", "online_rate", "rounds_per_case", "days_used_avg", "days_used_p90",
    "days_promised_avg",
)  # fmt: skip


def _dashboard(book: Any, bold: Any, export: Export, level: Level, f: Filters) -> int:
    header = _header(_("Statistics"), level, f, "")
    doc = reports.statistics_document(level, f)
    five = reports.five_document(f)
    heat = reports.heat_document(level, f)
    figures = _Sheet(book, _("Key figures"), header, bold)
    figures.write([_("Figure"), _("Value"), "provisional"], bold=True)
    marked = doc["totals"]["provisional"]
    for name in FIGURES:
        figures.write([name, doc["totals"][name], _provisional(name in marked)])
    trend = _Sheet(book, _("Trend"), header, bold)
    trend.write([_("Period"), "received", "finished", "on_time", "on_time_rate", "provisional"], bold=True)
    for row in doc["trend"]:
        trend.write(
            [
                row["period"].isoformat(),
                row["received"],
                row["finished"],
                row["on_time"],
                row["on_time_rate"],
                _provisional(row["provisional"]),
            ]
        )
    rows = 0
    for key, title in (
        ("departments", _("Departments")),
        ("channels", _("Channel shares")),
        ("things", _("One-things")),
        ("items", _("Items")),
        ("windows", _("Windows")),
    ):
        if key == "items" and level != "items":
            continue
        sheet = _Sheet(book, title, header, bold)
        sheet.write([_("Code"), _("Name"), *FIGURES, "provisional"], bold=True)
        for row in doc[key]:
            sheet.write([row["code"], row["name"], *(row[name] for name in FIGURES), _marked(row["provisional"])])
            rows += 1
    kinds = ("separate", "promised", "realised")
    whats = ("trips", "materials", "forms", "days")
    reductions = _Sheet(book, _("Five reductions"), header, bold)
    reductions.write(
        [_("Code"), _("Name"), "received", "finished", *(f"{w}_{k}" for w in whats for k in kinds), "provisional"],
        bold=True,
    )
    for row in five["things"]:
        reductions.write(
            [
                row["code"],
                row["name"],
                row["received"],
                row["finished"],
                *(row[f"{w}_{k}"] for w in whats for k in kinds),
                _marked(row["provisional"]),
            ]
        )
    cells = _Sheet(book, _("Overdue heat table"), header, bold)
    cells.write([_("Department"), _("Name"), _("Period"), "overdue", "provisional"], bold=True)
    for cell in heat["cells"]:
        cells.write(
            [
                cell["department"],
                cell["department_name"],
                cell["period"].isoformat(),
                cell["overdue"],
                _provisional(cell["provisional"]),
            ]
        )
    return rows + len(doc["trend"]) + len(five["things"]) + len(heat["cells"])


CASE_COLUMNS = (
    "tracking code", "one-thing", "one-thing name", "department", "department name", "item", "item name",
    "channel", "status", "received on", "finished on", "due on", "promised days", "days used", "late", "provisional",
)  # fmt: skip


def _cases(book: Any, bold: Any, export: Export, level: Level, f: Filters, metric: str) -> int:
    rows = selectors.drill_down(level, f, metric)
    total = rows.count()
    Export.objects.filter(pk=export.pk).update(rows_total=total)
    sheet = _Sheet(book, _("Cases"), _header(_("Cases behind a figure"), level, f, metric), bold)
    sheet.write(CASE_COLUMNS, bold=True)
    done = 0
    statuses = dict(FactStatus.choices)
    item_fields = ("item_code", "item_name") if level == "items" else ()
    columns = rows.values_list(
        "case__tracking_code",
        "thing__code",
        "thing__name",
        "department__code",
        "department__name",
        *item_fields,
        "channel",
        "status",
        "received_on",
        "finished_on",
        "due_on",
        "promised_days",
        "days_used",
        "late",
        "provisional",
    )
    for values in columns.iterator(chunk_size=CHUNK):  # plain tuples: no case, no plan, no form loaded
        code, thing, thing_name, department, department_name, *rest = values
        item, item_name = (rest.pop(0), rest.pop(0)) if item_fields else ("", "")
        channel, status, received_on, finished_on, due_on, promised, used, late, provisional = rest
        sheet.write(
            [
                format_code(code),
                thing,
                thing_name,
                department,
                department_name,
                item,
                item_name,
                channel,
                str(statuses.get(status, status)),
                received_on.isoformat() if received_on else None,
                finished_on.isoformat() if finished_on else None,
                due_on.isoformat() if due_on else None,
                promised,
                used,
                bool(late),
                _provisional(provisional),
            ]
        )
        done += 1
        if done % CHUNK == 0:
            Export.objects.filter(pk=export.pk).update(rows_done=done)
    return done


def _bulletin(book: Any, bold: Any, f: Filters) -> int:
    doc = reports.bulletin_document(f)
    header = _header(_("Monthly bulletin"), "items", f, "")
    ranking = _Sheet(book, _("Ranking"), header, bold)
    ranking.write(
        [_("Rank"), _("Code"), _("Name"), "received", "finished", "on_time_rate", "overdue", "days_used_avg",
         "provisional"],
        bold=True,
    )  # fmt: skip
    for rank, row in enumerate(doc["ranking"], 1):
        ranking.write(
            [rank, row["code"], row["name"], row["received"], row["finished"], row["on_time_rate"], row["overdue"],
             row["days_used_avg"], _marked(row["provisional"])]
        )  # fmt: skip
    tops = _Sheet(book, _("Top lists"), header, bold)
    tops.write([_("Most overdue"), _("Code"), _("Name"), "overdue"], bold=True)
    for rank, row in enumerate(doc["top_overdue"], 1):
        tops.write([rank, row["code"], row["name"], row["overdue"]])
    tops.write([])
    tops.write([_("Most received one-things"), _("Code"), _("Name"), "received"], bold=True)
    for rank, row in enumerate(doc["top_things"], 1):
        tops.write([rank, row["code"], row["name"], row["received"]])
    idle = _Sheet(book, _("No cases"), header, bold)
    idle.write([_("Code"), _("Name")], bold=True)
    for code, name in doc["idle"]:
        idle.write([code, name])
    overdue = _Sheet(book, _("Overdue"), header, bold)
    overdue.write(["tracking code", "item name", "department name", "due on", "finished on", "provisional"], bold=True)
    for code, item, department, due, finished, provisional in doc["overdue"]:
        overdue.write(
            [
                format_code(code),
                item,
                department,
                due.isoformat() if due else None,
                finished.isoformat() if finished else None,
                _provisional(provisional),
            ]
        )
    if doc["overdue_more"]:
        overdue.write([_("More overdue cases: see the export of the overdue list.")])
    return len(doc["ranking"]) + len(doc["overdue"])


def export_build(export_id: int) -> Export:
    """Write the workbook of an export (the worker's job); a failure is recorded on the export."""
    export = Export.objects.get(pk=export_id)
    if export.state in (ExportState.DONE, ExportState.EXPIRED):
        return export
    Export.objects.filter(pk=export.pk).update(state=ExportState.RUNNING, rows_done=0)
    level, f, metric = _filters(export.params)
    language = export.params.get("language") or settings.LANGUAGE_CODE
    try:
        with translation.override(language):  # the language of the page it was asked from
            done, name = _write(export, level, f, metric)
    except Exception as exc:
        logger.exception("export %s failed", export.pk)
        Export.objects.filter(pk=export.pk).update(
            state=ExportState.FAILED, error=repr(exc)[:2000], finished_at=timezone.now()
        )
        raise
    Export.objects.filter(pk=export.pk).update(
        state=ExportState.DONE, file=name, rows_done=done, rows_total=done, finished_at=timezone.now()
    )
    export.refresh_from_db()
    return export


def _write(export: Export, level: Level, f: Filters, metric: str) -> tuple[int, str]:
    """Write the workbook to a temporary file, store it; (rows written, stored name)."""
    with tempfile.TemporaryDirectory(prefix="lianban-export-") as folder:
        path = Path(folder) / "export.xlsx"
        book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": folder})
        bold = book.add_format({"bold": True})
        if export.kind == ExportKind.DASHBOARD:
            done = _dashboard(book, bold, export, level, f)
        elif export.kind == ExportKind.BULLETIN:
            done = _bulletin(book, bold, f)
        else:
            done = _cases(book, bold, export, level, f, metric)
        book.close()
        with path.open("rb") as handle:
            name = default_storage.save(f"exports/{export.pk}-{secrets.token_hex(8)}.xlsx", File(handle))
    return done, name


# ------------------------------------------------------------------ retention


def exports_expire(*, now: datetime | None = None) -> int:
    """Delete the files of the exports finished more than ``LIANBAN_EXPORT_KEEP_DAYS`` days ago; how many expired.

    The periodic worker's job. Only a written (or failed) export expires: one
    waiting or being written is never touched, whatever its age. The row
    stays, as ``EXPIRED`` without a file, so the record of who exported what
    and when is kept and the page says 已过期 instead of offering a broken
    link. The state changes under a row lock, the file is deleted after the
    commit (a file that cannot be deleted is logged and left behind). ``0``
    days keeps every export.
    """
    days = int(settings.LIANBAN_EXPORT_KEEP_DAYS)
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    finished = (ExportState.DONE, ExportState.FAILED)
    expired = 0
    candidates = Export.objects.filter(state__in=finished, finished_at__lt=cutoff).order_by("pk")
    for export_id in list(candidates.values_list("pk", flat=True)[:_EXPIRE_BATCH]):
        with transaction.atomic():
            export = Export.objects.select_for_update().filter(pk=export_id).first()
            if export is None or export.state not in finished or export.finished_at is None:
                continue
            if export.finished_at >= cutoff:
                continue
            name = export.file.name or ""
            before = export.state
            Export.objects.filter(pk=export.pk).update(state=ExportState.EXPIRED, file="")
            transaction.on_commit(functools.partial(_file_delete, name))
            logger.info("export %s (%s, %s) expired after %s day(s)", export.pk, export.kind, before, days)
            expired += 1
    return expired


#: Exports expired per run at most (the next run goes on).
_EXPIRE_BATCH = 1000


def _file_delete(name: str) -> None:
    if not name:
        return
    try:
        default_storage.delete(name)
    except Exception:  # storage down, permissions: keep the row expired, leave the file to the operator
        logger.exception("export file %s could not be deleted", name)
