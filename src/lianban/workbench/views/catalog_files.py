"""Catalog files (目录导入导出): check or import files with the command line's problem report; export."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from lianban.accounts.models import Role
from lianban.catalog.selectors import import_records_recent
from lianban.catalog.services import CatalogFile, catalog_check, catalog_export, catalog_import
from lianban.catalog.wording import problem_line
from lianban.core.errors import CatalogInvalid, CatalogProblem
from lianban.workbench.forms import CatalogFilesForm
from lianban.workbench.views.common import roles_required, see_other, staff_user

#: Largest catalog file accepted from the page, in bytes.
MAX_FILE_BYTES = 20 * 1024 * 1024
FORMATS = {"yaml": ("application/yaml; charset=utf-8", "yaml"), "json": ("application/json; charset=utf-8", "json")}


def _page(request: HttpRequest, form: CatalogFilesForm, **extra: object) -> HttpResponse:
    context = {"form": form, "imports": import_records_recent(), **extra}
    problems: list[CatalogProblem] = extra.get("problems") or []  # type: ignore[assignment]
    context["problems"] = [problem_line(problem) for problem in problems]
    status = 400 if extra.get("problems") or extra.get("file_error") else 200
    return render(request, "workbench/catalog/files.html", context, status=status)


@require_http_methods(["GET", "POST"])
@roles_required(Role.ADMIN)
def files(request: HttpRequest) -> HttpResponse:
    """Upload catalog files: check them, or import them all or nothing; every problem is listed."""
    if request.method != "POST":
        return _page(request, CatalogFilesForm())
    form = CatalogFilesForm(request.POST)
    uploads = request.FILES.getlist("files")
    if not form.is_valid() or not uploads:
        return _page(
            request, form, file_error=_("Choose one or more catalog files (YAML or JSON).") if not uploads else ""
        )
    too_big = [f.name or "" for f in uploads if (f.size or 0) > MAX_FILE_BYTES]
    if too_big:
        return _page(request, form, file_error=_("Too large (over 20 MB): %(names)s") % {"names": "、".join(too_big)})
    catalog_files = [CatalogFile(name=f.name or "upload", content=f.read()) for f in uploads]
    names = [f.name for f in catalog_files]
    if form.cleaned_data["mode"] == "validate":
        problems = catalog_check(files=catalog_files)
        if problems:
            return _page(request, form, problems=problems, outcome=_("The files cannot be imported."), names=names)
        messages.success(
            request,
            ngettext("%(count)d file can be imported.", "%(count)d files can be imported.", len(names))
            % {"count": len(names)},
        )
        return see_other(reverse("workbench:catalog_files"))
    try:
        record = catalog_import(files=catalog_files, actor=staff_user(request))
    except CatalogInvalid as exc:
        problems_found: list[CatalogProblem] = exc.problems
        return _page(request, form, problems=problems_found, outcome=_("Nothing was imported."), names=names)
    messages.success(
        request,
        _("Imported %(files)s: catalog revision %(revision)s.")
        % {"files": "、".join(names), "revision": record.revision},
    )
    return see_other(reverse("workbench:catalog_files"))


@require_GET
@roles_required(Role.ADMIN)
def export(request: HttpRequest) -> HttpResponse:
    """The whole catalog as a lianban-catalog/1 file (YAML, or JSON with ``?format=json``)."""
    fmt = request.GET.get("format", "yaml")
    if fmt not in FORMATS:
        fmt = "yaml"
    content_type, extension = FORMATS[fmt]
    response = HttpResponse(catalog_export(fmt=fmt).encode("utf-8"), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="lianban-catalog.{extension}"'
    return response
