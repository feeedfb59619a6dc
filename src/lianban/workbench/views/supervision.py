"""The supervisor's page (督办): every case with filters, the due-soon and overdue lists, calendar alerts."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from lianban.accounts.models import Role
from lianban.catalog.models import Department
from lianban.catalog.selectors import thing_list
from lianban.workbench.forms import CaseFilterForm
from lianban.workbench.selectors.supervision import (
    CaseFilters,
    calendar_alerts,
    case_search,
    due_soon_rows,
    due_unknown_rows,
    overdue_counts,
    overdue_rows,
)
from lianban.workbench.views.common import roles_required, staff_user

PAGE_SIZE = 50


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
    )


@require_GET
@roles_required(Role.SUPERVISOR)
def overview(request: HttpRequest) -> HttpResponse:
    """All cases with filters, then the item cases due soon and overdue."""
    form = CaseFilterForm(
        request.GET or None,
        things=[(t.code, t.name) for t in thing_list()],
        departments=list(Department.objects.order_by("code").values_list("code", "name")),
    )
    cases = case_search(staff_user(request), _filters(form) if request.GET else CaseFilters())
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "total": page.paginator.count,
        "overdue": overdue_counts(list(page.object_list)),
        "query": query.urlencode(),
        "due_soon": due_soon_rows(),
        "overdue_items": overdue_rows(),
        "due_unknown": due_unknown_rows(),
        "alerts": calendar_alerts(),
    }
    return render(
        request,
        "workbench/supervision/overview.html",
        context,
        status=200 if form.is_bound is False or form.is_valid() else 400,
    )
