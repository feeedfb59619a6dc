"""Files of a case, served only through the access checks (the storage paths are never linked)."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from lianban.cases.access import access_case_for_user
from lianban.cases.selectors import case_materials_for_user
from lianban.review.access import access_item_case_for_user
from lianban.review.models import SupplementRequest
from lianban.workbench.views.common import roles_required, staff_user

CONTENT_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png", "ofd": "application/ofd"}


def _serve(name: str, original: str, content_type: str = "") -> FileResponse:
    if not name or not default_storage.exists(name):
        raise Http404(_("The file is not available."))
    extension = name.rsplit(".", 1)[-1].lower()
    response = FileResponse(
        default_storage.open(name, "rb"),
        content_type=content_type or CONTENT_TYPES.get(extension, "application/octet-stream"),
        filename=original or name.rsplit("/", 1)[-1],
        as_attachment=extension == "ofd",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def stored_file(name: str) -> FileResponse:
    """A stored file by its storage name, once the caller checked access (404 when it is not there)."""
    return _serve(name, "")


@require_GET
@roles_required()
def material_file(request: HttpRequest, case_id: int, code: str) -> FileResponse:
    """A case material's file: the upload, or the library licence's document (reviewers: their items' only)."""
    user = staff_user(request)
    case = access_case_for_user(user, case_id)
    material = next((m for m in case_materials_for_user(user, case) if m.code == code), None)
    if material is None:
        raise Http404
    if material.file:
        return _serve(material.file.name or "", material.original_name, material.content_type)
    if material.licence is not None and material.licence.document:
        return _serve(material.licence.document.name or "", "")
    raise Http404(_("The file is not available."))


@require_GET
@roles_required()
def supplement_file(request: HttpRequest, item_id: int, supplement_id: int) -> FileResponse:
    """The file an applicant handed in for a supplement request (补正)."""
    item = access_item_case_for_user(staff_user(request), item_id)
    supplement = get_object_or_404(SupplementRequest, pk=supplement_id, item_case=item)
    return _serve(
        (supplement.file.name or "") if supplement.file else "", supplement.original_name, supplement.content_type
    )


@require_GET
@roles_required()
def result_document(request: HttpRequest, item_id: int) -> FileResponse:
    """The result document the department attached when it approved the item."""
    item = access_item_case_for_user(staff_user(request), item_id)
    return _serve((item.document.name or "") if item.document else "", "")
