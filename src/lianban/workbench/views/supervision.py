"""The supervisor's page (督办): every case with filters, the due-soon and overdue lists, the signals, calendar alerts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from lianban.accounts.models import Role
from lianban.cases.models import Case
from lianban.catalog.selectors import department_choices, thing_list
from lianban.common.pages import ListPage, list_page
from lianban.outbox.selectors import dead_delivery_count
from lianban.supervision.models import SignalLevel
from lianban.supervision.selectors import case_signal_levels
from lianban.workbench.forms import CaseFilterForm
from lianban.workbench.selectors.supervision import (
    CASE_ORDER,
    SIGNAL_ORDER,
    UNKNOWN_ORDER,
    WATCH_ORDER,
    CaseFilters,
    arrangement_warning,
    calendar_alerts,
    case_search,
    due_soon_list,
    due_unknown_list,
    overdue_counts,
    overdue_list,
    signal_list,
    watch_rows,
)
from lianban.workbench.views.common import roles_required, staff_user

#: The query parameters that hold the lists' cursors and the signal list's filters (not the cases' filters).
_CURSORS = ("page", "late", "soon", "unknown", "signals", "signal_level", "signal_department")


def _filters(form: CaseFilterForm) -> CaseFilters:
    if not form.is_valid():
        return CaseFilters()
    data = form.cleaned_data
    return CaseFilters(
        state=data["state"] or "",
        thing=data["thing"] or "",
        department=data["department"] or "",
        submitted_from=data["submitted_from"],
        submitted_to=data["submitted_to"],
        overdue_only=bool(data["overdue"]),
        code=data["code"] or "",
        applicant=data["applicant"] or "",
    )


@require_GET
@roles_required(Role.SUPERVISOR)
def overview(request: HttpRequest) -> HttpResponse:
    """All cases with filters, then the item cases due soon and overdue."""
    filtered = any(value for key, value in request.GET.items() if key not in _CURSORS)
    departments = department_choices()
    form = CaseFilterForm(
        request.GET if filtered else None, things=[(t.code, t.name) for t in thing_list()], departments=departments
    )
    cases = case_search(staff_user(request), _filters(form) if filtered else CaseFilters())
    level = request.GET.get("signal_level", "")
    level = level if level in SignalLevel.values else ""  # an unknown level filters nothing
    department = request.GET.get("signal_department", "")
    department = department if any(code == department for code, _name in departments) else ""
    page: ListPage[Case] = list_page(request, cases, CASE_ORDER, anchor="cases-title")
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "overdue": overdue_counts(page.rows),
        "overdue_items": list_page(
            request, overdue_list(), WATCH_ORDER, param="late", anchor="overdue-title", row=watch_rows
        ),
        "due_soon": list_page(request, due_soon_list(), WATCH_ORDER, param="soon", anchor="soon-title", row=watch_rows),
        "due_unknown": list_page(
            request, due_unknown_list(), UNKNOWN_ORDER, param="unknown", anchor="unknown-title", row=watch_rows
        ),
        "case_signals": case_signal_levels(case.pk for case in page.rows),
        "signals": list_page(
            request,
            signal_list(staff_user(request), level=level, department=department),
            SIGNAL_ORDER,
            param="signals",
            anchor="signals-title",
        ),
        "signal_levels": SignalLevel.values,
        "departments": departments,
        "signal_level": level,
        "signal_department": department,
        "alerts": calendar_alerts(),
        "arrangement": arrangement_warning(),
        "dead_deliveries": dead_delivery_count(),
    }
    return render(
        request,
        "workbench/supervision/overview.html",
        context,
        status=200 if not filtered or form.is_valid() else 400,
    )
