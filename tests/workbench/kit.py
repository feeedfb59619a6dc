"""Helpers of the workbench tests (page tests and browser tests): cases in the states the pages show."""

from __future__ import annotations

import io
from typing import Any

from pypdf import PdfReader

from lianban.cases.models import Case, ItemCase, ItemState
from lianban.intake.services import MaterialPromise, intake_accept, intake_check
from lianban.review.services import item_case_approve, item_case_take
from tests.cases.kit import People, submit, submit_codes

#: The password of the kit's users (``tests.cases.kit.make_user``).
PASSWORD = "x"


def accepted(people: People, *, skip: tuple[str, ...] = (), promises: dict[str, MaterialPromise] | None = None) -> Case:
    """A hotel case checked and accepted at the window (first item dispatched)."""
    case = submit(people, skip=skip)
    for code in submit_codes(case):
        if code in skip:
            intake_check(actor=people.clerk, case_id=case.pk, material_code=code, result="MISSING", reason="容缺后补")
        else:
            intake_check(actor=people.clerk, case_id=case.pk, material_code=code, result="OK")
    intake_accept(actor=people.clerk, case_id=case.pk, promises=promises or {})
    return case


def approve(people: People, item: ItemCase, number: str = "") -> None:
    """The item's department takes it (if needed) and approves it."""
    reviewer = people.reviewer(item.department.code)
    if item.state == "DISPATCHED":
        item_case_take(actor=reviewer, item_case_id=item.pk)
    item_case_approve(actor=reviewer, item_case_id=item.pk, licence_number=number or f"NO-{item.item_code}")


def item(case: Case, code: str) -> ItemCase:
    """One item case, fresh."""
    return ItemCase.objects.select_related("department").get(case=case, item_code=code)


def pdf_text(content: bytes) -> str:
    """The text of a PDF, whitespace removed (extraction spaces out CJK glyphs)."""
    reader = PdfReader(io.BytesIO(content))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def pdf_fonts(content: bytes) -> list[dict[str, Any]]:
    """The fonts of a PDF: base name and which font file (if any) is embedded."""
    reader = PdfReader(io.BytesIO(content))
    found = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
            files = [
                k for k in ("/FontFile", "/FontFile2", "/FontFile3") if descriptor and k in descriptor.get_object()
            ]
            found.append({"name": str(font["/BaseFont"]), "embedded": files})
    return found


def ready(people: People) -> Case:
    """An accepted case whose items were all approved, stage after stage: ready for issuance."""
    case = accepted(people)
    while True:
        running = ItemCase.objects.filter(case=case, state__in=[ItemState.DISPATCHED, ItemState.IN_REVIEW])
        open_items = list(running.select_related("department").order_by("position"))
        if not open_items:
            return case
        for one in open_items:
            approve(people, one)
