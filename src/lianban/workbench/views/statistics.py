"""The dashboards (统计): the supervisor's over every department, each department's over its own; the cases
behind every number.

The figures come from the statistics' fact tables (``lianban.statistics``); the
charts are drawn in the browser by the vendored ECharts from the data the page
carries (``json_script``), and every number is also in a table that works
without JavaScript and links to its cases.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from lianban.accounts.models import Role, User
from lianban.catalog.selectors import department_choices, thing_list
from lianban.common.pages import ListPage, list_page
from lianban.statistics import reports, selectors
from lianban.statistics.exports import export_request
from lianban.statistics.models import Export, ExportKind, ExportState
from lianban.statistics.selectors import Filters, Grain, Level
from lianban.workbench import documents
from lianban.workbench.forms import StatisticsFilterForm
from lianban.workbench.views.common import roles_required, staff_user

#: The figures a dashboard shows as cards: (the metric its number lists, its label).
CARDS: tuple[tuple[str, Any], ...] = (
    ("received", gettext_lazy("Cases received")),
    ("finished", gettext_lazy("Finished")),
    ("open", gettext_lazy("In progress at the end")),
    ("overdue", gettext_lazy("Overdue cases")),
    ("on_time", gettext_lazy("Finished on time")),
    ("early", gettext_lazy("Finished early")),
    ("instant", gettext_lazy("Decided at once")),
    ("first_time", gettext_lazy("Finished at the first go")),
    ("online", gettext_lazy("Applied online")),
    ("corrected", gettext_lazy("Sent back for correction")),
    ("signalled", gettext_lazy("Given a deadline signal")),
    ("ordered", gettext_lazy("Named in a supervision order")),
)


def _form(request: HttpRequest, user: User) -> StatisticsFilterForm:
    supervisor = user.role == Role.SUPERVISOR
    return StatisticsFilterForm(
        request.GET or None,
        things=[(t.code, t.name) for t in thing_list()],
        departments=department_choices() if supervisor else None,
        windows=selectors.window_choices(None if supervisor else user.department_id),
    )


def _filters(user: User, form: StatisticsFilterForm) -> tuple[Level, Filters]:
    """The level and the user's filters from a valid form (the defaults from an invalid or empty one)."""
    if user.role != Role.SUPERVISOR and user.department_id is None:
        raise PermissionDenied(_("Statistics are for the supervisor and the departments' staff."))
    data: dict[str, Any] = form.cleaned_data if form.is_bound and form.is_valid() else {}
    level: Level = "items" if data.get("level") == "items" else "packages"
    grain: Grain = data.get("grain") or "month"
    try:
        asked = selectors.resolve(
            start=data.get("start"),
            end=data.get("end"),
            grain=grain,
            department=data.get("department") or "",
            window=data.get("window"),
            item=data.get("item") or "",
            thing=data.get("thing") or "",
            channel=data.get("channel") or "",
        )
    except selectors.UnknownCode:  # the form's choices hold existing codes only; a stale one filters nothing
        asked = selectors.resolve(grain=grain)
    return level, selectors.scoped(user, asked)


def _query(level: Level, f: Filters, codes: dict[str, str], **extra: Any) -> str:
    """The query string of the drill-down for these filters (and ``extra``: metric, department…)."""
    params: dict[str, Any] = {"level": level, "start": f.start.isoformat(), "end": f.end.isoformat()}
    params.update({key: value for key, value in codes.items() if value})
    if f.window is not None:
        params["window"] = f.window
    if f.item:
        params["item"] = f.item
    if f.channel:
        params["channel"] = f.channel
    params.update({key: value for key, value in extra.items() if value not in (None, "")})
    return urlencode(params)


def _heat(level: Level, f: Filters, codes: dict[str, str], cells: list[dict[str, Any]]) -> dict[str, Any]:
    """The overdue heat table: a row per department, a column per period of the due date, each cell with its shade
    and the link to exactly its cases (the period's overdue rows of that department due in that column)."""
    periods = sorted({cell["period"] for cell in cells})
    top = max((cell["overdue"] for cell in cells), default=0)
    rows: dict[str, dict[str, Any]] = {}
    for cell in cells:
        row = rows.setdefault(cell["department"], {"code": cell["department"], "name": cell["department_name"]})
        end = selectors.period_end(cell["period"], f.grain)
        row[cell["period"].isoformat()] = {
            "n": cell["overdue"],
            "shade": math.ceil(4 * cell["overdue"] / top) if top else 0,
            "provisional": cell["provisional"],
            "query": _query(
                level,
                f,
                {**codes, "department": cell["department"]},
                metric="overdue",
                due_from=cell["period"].isoformat(),
                due_to=end.isoformat(),
            ),
        }
    table = [{**row, "cells": [row.get(p.isoformat()) for p in periods]} for row in rows.values()]
    return {"periods": periods, "rows": table}


def _charts(doc: dict[str, Any], five: dict[str, Any]) -> dict[str, Any]:
    """The data the charts draw (the labels in the page's language)."""
    departments = doc["departments"][:15]
    return {
        "labels": {
            "received": _("Cases received"),
            "finished": _("Finished"),
            "on_time_rate": _("On-time rate (%)"),
            "separate": _("Each item separately"),
            "promised": _("Promised by the plan"),
            "realised": _("Realised"),
            "trips": _("Trips"),
            "materials": _("Materials"),
            "forms": _("Forms"),
            "days": _("Working days"),
        },
        "trend": {
            "periods": [row["period"].isoformat() for row in doc["trend"]],
            "received": [row["received"] for row in doc["trend"]],
            "finished": [row["finished"] for row in doc["trend"]],
        },
        "ranking": {
            "names": [row["name"] for row in departments],
            "received": [row["received"] for row in departments],
            "on_time_rate": [
                None if row["on_time_rate"] is None else round(100 * row["on_time_rate"], 1) for row in departments
            ],
        },
        "channels": [{"name": row["name"], "value": row["received"]} for row in doc["channels"]],
        "five": [
            {
                "name": row["name"],
                **{
                    f"{what}_{kind}": row[f"{what}_{kind}"]
                    for what in ("trips", "materials", "forms", "days")
                    for kind in ("separate", "promised", "realised")
                },
            }
            for row in five["things"]
        ],
    }


def _due_range(f: Filters, data: Any) -> Filters:
    """``f`` limited to the due-date range of a heat-table cell's link (absent or not a date: no limit)."""
    found: list[date | None] = []
    for name in ("due_from", "due_to"):
        try:
            found.append(date.fromisoformat(data.get(name, "")))
        except ValueError:
            found.append(None)
    return replace(f, due_from=found[0], due_to=found[1])


def _export_fields(request: HttpRequest) -> list[tuple[str, str]]:
    """The page's filters, as hidden fields of its export form."""
    names = ("start", "end", "grain", "level", "department", "thing", "item", "channel", "window", "due_from", "due_to")
    return [(name, request.GET[name]) for name in names if request.GET.get(name)]


@require_GET
@roles_required(Role.SUPERVISOR, Role.REVIEWER, Role.CLERK)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Figures, trend, department ranking, channel shares, the overdue heat table and the realised 五减."""
    user = staff_user(request)
    form = _form(request, user)
    level, f = _filters(user, form)
    doc = reports.statistics_document(level, f)
    five = reports.five_document(f)
    heat = reports.heat_document(level, f)
    codes = {
        "department": doc["period"]["department"],
        "thing": form.cleaned_data.get("thing", "") if form.is_bound and form.is_valid() else "",
    }
    totals = doc["totals"]
    context: dict[str, Any] = {
        "form": form,
        "level": level,
        "filters": f,
        "doc": doc,
        "five": five["things"],
        "heat": _heat(level, f, codes, heat["cells"]),
        "cards": [
            {
                "metric": m,
                "label": label,
                "n": totals[m],
                "query": _query(level, f, codes, metric=m),
                "provisional": m in totals["provisional"],
            }
            for m, label in CARDS
        ],
        "rates": [
            (_("On-time rate"), totals["on_time_rate"], "on_time_rate" in totals["provisional"]),
            (_("Early rate"), totals["early_rate"], "early_rate" in totals["provisional"]),
            (_("Share decided at once"), totals["instant_rate"], False),
            (_("First-go rate"), totals["first_time_rate"], False),
            (_("Online rate"), totals["online_rate"], False),
        ],
        "days_provisional": "days_used_avg" in totals["provisional"],
        # anything on the page counted through a provisional calendar year: the page says what 预计 means
        "any_provisional": bool(totals["provisional"])
        or any(row["provisional"] for row in doc["trend"])
        or any(cell["provisional"] for cell in heat["cells"])
        or any(row["provisional"] for row in five["things"]),
        "departments": [
            {
                **row,
                "query": _query(level, f, {**codes, "department": row["code"]}, metric="received"),
                "overdue_query": _query(level, f, {**codes, "department": row["code"]}, metric="overdue"),
                "on_time_provisional": "on_time_rate" in row["provisional"],
                "overdue_provisional": "overdue" in row["provisional"],
            }
            for row in doc["departments"]
        ],
        "channels": [
            {**row, "query": _query(level, f, codes, metric="received", channel=row["code"])} for row in doc["channels"]
        ],
        "five_links": {
            row["code"]: _query("packages", f, {**codes, "thing": row["code"]}, metric="received")
            for row in five["things"]
        },
        "charts": _charts(doc, five),
        "supervisor": user.role == Role.SUPERVISOR,
        "export_fields": _export_fields(request),
        "bulletin_month": f"{f.end.year}-{f.end.month:02d}",
    }
    return render(request, "workbench/statistics/dashboard.html", context)


@require_GET
@roles_required(Role.SUPERVISOR, Role.REVIEWER, Role.CLERK)
def cases(request: HttpRequest) -> HttpResponse:
    """The cases behind one number of the dashboard, the latest received first (overdue ones: the latest due)."""
    user = staff_user(request)
    form = _form(request, user)
    level, f = _filters(user, form)
    metric = request.GET.get("metric", "")
    metric = metric if metric in selectors.METRIC_NAMES else "received"
    f = _due_range(f, request.GET)
    rows = selectors.drill_down(level, f, metric)
    page: ListPage[Any] = list_page(request, rows, selectors.drill_ordering(level, metric), anchor="cases-title")
    label = dict(CARDS).get(metric, metric)
    back = {key: value for key, value in request.GET.items() if key not in ("metric", "page")}
    context = {
        "page": page,
        "level": level,
        "filters": f,
        "metric": metric,
        "label": label,
        "back": urlencode(back),
        "item_links": user.role == Role.REVIEWER,
        "export_fields": _export_fields(request),
    }
    return render(request, "workbench/statistics/cases.html", context)


# ------------------------------------------------------------------ xlsx exports

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_POST
@roles_required(Role.SUPERVISOR, Role.REVIEWER, Role.CLERK)
def export_new(request: HttpRequest) -> HttpResponse:
    """Ask for an xlsx of the dashboard's tables (``kind=DASHBOARD``) or of a figure's cases (``kind=CASES``),
    with the filters of the page it was asked from; the worker writes it."""
    user = staff_user(request)
    form = StatisticsFilterForm(
        request.POST,
        things=[(t.code, t.name) for t in thing_list()],
        departments=department_choices() if user.role == Role.SUPERVISOR else None,
        windows=selectors.window_choices(None if user.role == Role.SUPERVISOR else user.department_id),
    )
    level, f = _filters(user, form)
    f = _due_range(f, request.POST)
    kind = request.POST.get("kind", "")
    metric = request.POST.get("metric", "")
    if kind not in ExportKind.values or (kind == ExportKind.CASES and metric not in selectors.METRIC_NAMES):
        return HttpResponse(_("Say what to export."), status=400, content_type="text/plain; charset=utf-8")
    export = export_request(actor=user, kind=kind, level=level, filters=f, metric=metric)
    return redirect("workbench:statistics_export", export_id=export.pk)


@require_GET
@roles_required(Role.SUPERVISOR, Role.REVIEWER, Role.CLERK)
def export_page(request: HttpRequest, export_id: int) -> HttpResponse:
    """Where an export stands (the page reloads itself while it is written), and its download when ready."""
    export = get_object_or_404(Export, pk=export_id, requested_by=staff_user(request))
    running = export.state in (ExportState.QUEUED, ExportState.RUNNING)
    percent = None
    if export.rows_total:
        percent = min(100, round(100 * export.rows_done / export.rows_total))
    context = {"export": export, "running": running, "percent": percent, "keep_days": settings.LIANBAN_EXPORT_KEEP_DAYS}
    return render(request, "workbench/statistics/export.html", context)


@require_GET
@roles_required(Role.SUPERVISOR, Role.REVIEWER, Role.CLERK)
def export_file(request: HttpRequest, export_id: int) -> FileResponse:
    """The xlsx of a finished export (its requester's only)."""
    export = get_object_or_404(Export, pk=export_id, requested_by=staff_user(request), state=ExportState.DONE)
    if not export.file.name or not default_storage.exists(export.file.name):
        raise Http404(_("The file is not available."))
    response = FileResponse(
        default_storage.open(export.file.name, "rb"),
        content_type=XLSX,
        as_attachment=True,
        filename=f"statistics-{export.pk}.xlsx",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# ------------------------------------------------------------------ the monthly bulletin


def _bulletin_filters(request: HttpRequest, user: User) -> Filters:
    month = request.GET.get("month") or request.POST.get("month") or ""
    try:
        f = reports.month_filters(month)
    except ValueError:
        today = selectors.default_period()[1]
        f = reports.month_filters(f"{today.year}-{today.month:02d}")
    if user.role != Role.SUPERVISOR and user.department_id is None:
        raise PermissionDenied(_("Statistics are for the supervisor and the departments' staff."))
    return selectors.scoped(user, f)


@require_GET
@roles_required(Role.SUPERVISOR)
def bulletin_pdf(request: HttpRequest) -> HttpResponse:
    """The monthly bulletin (月度通报) of ``?month=YYYY-MM`` as a PDF: ranking, top lists, idle departments, overdue.

    The supervision office issues it, over every department: the supervisor's only.
    """
    user = staff_user(request)
    f = _bulletin_filters(request, user)
    try:
        pdf = documents.bulletin_pdf(reports.bulletin_document(f))
    except documents.UnprintableCharacters as exc:
        return HttpResponse(exc.message, status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bulletin-{f.start:%Y-%m}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@roles_required(Role.SUPERVISOR)
def bulletin_export(request: HttpRequest) -> HttpResponse:
    """Ask for the monthly bulletin as xlsx (written in the background like every export)."""
    user = staff_user(request)
    f = _bulletin_filters(request, user)
    export = export_request(actor=user, kind=ExportKind.BULLETIN, level="items", filters=f)
    return redirect("workbench:statistics_export", export_id=export.pk)
