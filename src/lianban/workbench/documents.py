"""Printable documents of the window: the acceptance receipt and the correction notice, as PDF.

Built in two steps: ``acceptance_receipt`` / ``correction_notice`` gather the
case's words into a :class:`Document` (plain data, easy to test), and
``render_pdf`` lays it out with fpdf2: an embedded Chinese font (the bundled
subset in ``fonts/``, covering GB 18030's two-byte area and CJK Extension A,
so the server needs no font installed; a system Noto CJK font, when present,
fills in any character the subset lacks) and the tracking QR code (segno),
drawn as vector squares. A character no available font has is never dropped
from a name: :class:`UnprintableCharacters` names it instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

import segno
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos
from fpdf.fonts import FontFace

from lianban.cases import words
from lianban.cases.models import Case, CaseMaterial
from lianban.cases.selectors import item_case_list
from lianban.core.tracking import format_code
from lianban.intake.models import Decision, IntakeRound
from lianban.workbench.selectors.common import code_text, date_text, form_rows, provenance_text

FONT = Path(__file__).resolve().parent / "fonts" / "LianbanSansSC-Regular.ttf"
FAMILY = "lianban"
#: System fonts used only for characters the bundled subset lacks: (path, index in a collection).
FALLBACKS: tuple[tuple[Path, int], ...] = (
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), 2),
    (Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"), 2),
)
INK = (27, 36, 48)
MUTED = (91, 102, 117)
HEAD_FILL = (232, 238, 245)


@dataclass(frozen=True, slots=True)
class Table:
    """A titled table of the document."""

    heading: str
    columns: tuple[str, ...]
    widths: tuple[float, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Document:
    """What a printed document says, before layout."""

    title: str
    subtitle: str
    code: str
    qr_text: str
    facts: tuple[tuple[str, str], ...]
    intro: str = ""
    tables: tuple[Table, ...] = ()
    closing: tuple[str, ...] = ()
    signature: tuple[str, ...] = field(default_factory=tuple)
    #: A second QR code: the rating page (好差评) of the case, on the acceptance receipt.
    rating_qr_text: str = ""

    def texts(self) -> Iterable[str]:
        """Every piece of text the document prints."""
        yield from (self.title, self.subtitle, self.code, self.intro, *self.closing, *self.signature)
        for label, value in self.facts:
            yield from (label, value)
        for table in self.tables:
            yield table.heading
            yield from table.columns
            for row in table.rows:
                yield from row


def _identity_label(case: Case) -> str:
    if case.applicant.kind == "person":
        return _("Citizen identity number")
    return _("Unified social credit code")


def _applicant_facts(case: Case) -> list[tuple[str, str]]:
    applicant = case.applicant
    return [
        (_("Applicant"), applicant.name),
        (_identity_label(case), applicant.id_number),
        (_("Contact"), f"{applicant.contact_name} {applicant.contact_phone}".strip()),
        (_("One-thing"), case.thing_name),
        (_("How it was applied for"), channel_text(case.channel)),
    ]


def channel_text(channel: str) -> str:
    """网上申报 or 窗口申报: how the application reached the centre."""
    return str(_("Online application") if channel == "ONLINE" else _("Application at the window"))


def promised_days_text(days: int) -> str:
    """The promised time limit as the receipt and the pages say it: 即办 for an item done on the spot."""
    return str(_("On the spot")) if days == 0 else str(days)


def _received_how(material: CaseMaterial) -> str:
    if material.provenance == "licence":
        number = material.licence.number if material.licence is not None else ""
        return _("From the electronic licence library (No. %(number)s)") % {"number": number} if number else ""
    if material.paper and not material.file:
        return _("Paper original checked at the window")
    if material.paper:
        return _("Electronic file; paper original checked")
    return _("Electronic file")


def _eta_text(case: Case) -> str:
    """The expected-ready date in words, marked provisional (预计) when it is."""
    if not case.eta:
        return str(_("To be determined"))
    if case.eta_provisional:
        return _("%(date)s (provisional)") % {"date": date_text(case.eta)}
    return date_text(case.eta)


def acceptance_receipt(case: Case, round_: IntakeRound, tracking_url: str, rating_url: str = "") -> Document:
    """The acceptance receipt (受理回执) of an accepted case: what was received, promised and will follow."""
    items = item_case_list(case)
    by_code = {item.item_code: item for item in items}
    departments = {item.department.code: item.department.name for item in items}
    materials = list(CaseMaterial.objects.filter(case=case).select_related("licence").order_by("position"))
    promised_codes = {p["code"] for p in round_.document.get("promised", [])}
    received = [
        m
        for m in materials
        if m.provenance != "produced" and m.code not in promised_codes and (m.state == "RECEIVED" or m.paper)
    ]
    produced = [m for m in materials if m.provenance == "produced"]
    deemed = round_.decision == Decision.DEEMED
    facts = [
        *_applicant_facts(case),
        (_("Accepted on"), date_text(round_.decided_at)),
        (
            _("How it was accepted"),
            str(_("Accepted by operation of law (no decision in time)"))
            if deemed
            else str(_("Accepted at the window")),
        ),
        (_("Window"), case.lead_department.name),
        (_("Clerk"), str(round_.decided_by) if round_.decided_by is not None else str(_("System"))),
        (_("Expected ready by"), _eta_text(case)),
    ]
    tables = [
        Table(
            _("Materials received"),
            (_("No."), _("Material"), _("How")),
            (14, 96, 64),
            tuple((str(n), m.name, _received_how(m)) for n, m in enumerate(received, 1)),
        )
    ]
    if round_.document.get("promised"):
        tables.append(
            Table(
                _("Materials promised for later (容缺, written promise)"),
                (_("Material"), _("Promised by"), _("Promise")),
                (60, 36, 78),
                tuple(
                    (p["name"], date_text(date.fromisoformat(p["due"])), p.get("text", ""))
                    for p in round_.document["promised"]
                ),
            )
        )
    if produced:
        tables.append(
            Table(
                _("Materials that follow from earlier items (nothing to submit)"),
                (_("Material"), _("Where it comes from")),
                (60, 114),
                tuple((m.name, provenance_text(m, by_code, departments)) for m in produced),
            )
        )
    tables.append(
        Table(
            _("Items to handle"),
            (_("Stage"), _("Item"), _("Department"), _("Working days")),
            (16, 82, 52, 24),
            tuple(
                (str(item.stage), item.item_name, item.department.name, promised_days_text(item.promised_days))
                for item in items
                if item.state != "CANCELLED"
            ),
        )
    )
    form = form_rows(case)  # labels as submitted; personal values masked on paper
    if form:
        tables.append(
            Table(
                _("Application form"),
                (_("Form field"), _("Value")),
                (60, 114),
                tuple((row.label, row.value) for row in form),
            )
        )
    notes = tuple(case.thing.notes)
    if notes:  # the catalog's 办理须知 for this thing, as the guide shows them
        tables.append(
            Table(
                _("What to know (办理须知)"),
                (_("No."), _("Note")),
                (14, 160),
                tuple((str(n), note) for n, note in enumerate(notes, 1)),
            )
        )
    closing = [_("Follow the progress with the tracking code or the QR code.")]
    if case.eta and case.eta_provisional:
        closing.append(
            _(
                "The expected date is provisional (预计): next year's official holiday arrangement is not "
                "published yet; it is confirmed once the arrangement is entered."
            )
        )
    if promised_codes:
        closing.append(_("Items that need a promised material cannot be concluded before it is supplied."))
    return Document(
        title=_("Acceptance receipt"),
        subtitle=case.thing_name,
        code=code_text(case),
        qr_text=tracking_url,
        facts=tuple(facts),
        tables=tuple(tables),
        closing=tuple(closing),
        signature=(case.lead_department.name, date_text(round_.decided_at)),
        rating_qr_text=rating_url,
    )


def correction_notice(case: Case, round_: IntakeRound, tracking_url: str) -> Document:
    """The one-time correction notice (一次性告知书): every problem with every material, at once."""
    problems = round_.document.get("problems", [])
    facts = [
        *_applicant_facts(case),
        (_("Notice date"), date_text(round_.decided_at)),
        (_("Window"), case.lead_department.name),
        (_("Clerk"), str(round_.decided_by) if round_.decided_by is not None else ""),
    ]
    table = Table(
        _("What must be corrected"),
        (_("No."), _("Material"), _("Problem"), _("Details")),
        (14, 62, 34, 64),
        tuple(
            (str(n), p["name"], words.word(words.CHECK_RESULTS, p["result"]), p.get("reason", ""))
            for n, p in enumerate(problems, 1)
        ),
    )
    return Document(
        title=_("One-time correction notice"),
        subtitle=case.thing_name,
        code=code_text(case),
        qr_text=tracking_url,
        facts=tuple(facts),
        intro=_(
            "The materials you handed in have the problems listed below. This notice lists every one of them "
            "at once: please correct them all and submit again."
        ),
        tables=(table,),
        closing=(
            _("Upload the corrected materials under “My cases” and resubmit, or bring them to the window."),
            _("The window then checks the materials again."),
        ),
        signature=(case.lead_department.name, date_text(round_.decided_at)),
    )


class UnprintableCharacters(Exception):
    """The document has characters that neither the bundled font nor a system fallback can print."""

    def __init__(self, characters: Iterable[str]) -> None:
        self.characters = "".join(sorted(set(characters)))
        codes = ", ".join(f"{ch} (U+{ord(ch):04X})" for ch in self.characters)
        super().__init__(f"no font can print {codes}; install fonts-noto-cjk")

    @property
    def message(self) -> str:
        """Why the document cannot be printed, in the user's language."""
        return _(
            "This document cannot be printed: no installed font has the characters %(characters)s. "
            "Ask the administrator to install a fuller Chinese font (fonts-noto-cjk)."
        ) % {"characters": "、".join(self.characters)}


@lru_cache(maxsize=1)
def bundled_characters() -> frozenset[int]:
    """Code points the bundled font can print."""
    return _characters(FONT, 0)


@lru_cache(maxsize=4)
def _characters(path: Path, number: int) -> frozenset[int]:
    font = TTFont(str(path), lazy=True, fontNumber=number)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def missing_characters(texts: Iterable[str]) -> set[str]:
    """Characters of ``texts`` the bundled font lacks (spaces and line breaks aside)."""
    have = bundled_characters()
    return {ch for text in texts for ch in text if not ch.isspace() and ord(ch) not in have}


class _Pdf(FPDF):
    """A4 with the bundled font and a page footer."""

    def __init__(self, document: Document) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.document = document
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(auto=True, margin=18)
        self.add_font(FAMILY, fname=str(FONT))
        missing = missing_characters(document.texts())
        if missing:
            for index, (path, number) in enumerate(FALLBACKS):
                if path.exists():
                    name = f"{FAMILY}-fallback{index}"
                    self.add_font(name, fname=str(path), collection_font_number=number)
                    self.set_fallback_fonts([name])
                    missing = {ch for ch in missing if ord(ch) not in _characters(path, number)}
                    break
        if missing:
            raise UnprintableCharacters(missing)
        self.set_font(FAMILY, size=11)
        self.set_text_color(*INK)
        self.set_title(document.title)
        self.set_subject(f"{document.subtitle} {document.code}")
        self.set_creator("lianban")
        self.set_lang("zh-CN")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, f"{self.document.title} · {self.document.code} · {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(*INK)


def _qr(pdf: FPDF, text: str, x: float, y: float, size: float) -> None:
    """Draw ``text`` as a QR code (error correction M) of ``size`` mm at (x, y), one square per dark run."""
    qr = segno.make(text, error="m", micro=False)
    matrix = qr.matrix
    border = 2
    module = size / (len(matrix) + 2 * border)
    pdf.set_fill_color(0, 0, 0)
    for row, line in enumerate(matrix):
        start = None
        for col, dark in enumerate([*line, 0]):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                pdf.rect(
                    x + (border + start) * module, y + (border + row) * module, (col - start) * module, module, "F"
                )
                start = None


def _table(pdf: FPDF, table: Table) -> None:
    pdf.ln(4)
    pdf.set_font(FAMILY, size=12.5)
    pdf.cell(0, 8, table.heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, size=10)
    with pdf.table(
        col_widths=table.widths,
        width=sum(table.widths),
        align="LEFT",
        text_align="LEFT",
        wrapmode=WrapMode.CHAR,
        headings_style=FontFace(family=FAMILY, emphasis="", fill_color=HEAD_FILL),
        line_height=5.5,
        padding=1.2,
    ) as grid:
        heading = grid.row()
        for column in table.columns:
            heading.cell(column)
        if not table.rows:
            empty = grid.row()
            empty.cell("—", colspan=len(table.columns))
        for values in table.rows:
            line = grid.row()
            for value in values:
                line.cell(value or "—")


def render_pdf(document: Document) -> bytes:
    """Lay out ``document`` on A4 and return the PDF bytes (font embedded, QR code drawn).

    Raises:
        UnprintableCharacters: a character of the document is in no available font.
    """
    pdf = _Pdf(document)
    pdf.add_page()
    qr_size = 32.0
    top = pdf.get_y()
    _qr(pdf, document.qr_text, pdf.w - pdf.r_margin - qr_size, top, qr_size)
    pdf.set_font(FAMILY, size=8)
    pdf.set_xy(pdf.w - pdf.r_margin - qr_size, top + qr_size)
    pdf.cell(qr_size, 4, _("Scan to follow progress"), align="C")
    text_width = pdf.w - pdf.l_margin - pdf.r_margin - qr_size - 4
    pdf.set_xy(pdf.l_margin, top + 4)
    pdf.set_font(FAMILY, size=20)
    _lines(pdf, text_width, 10, document.title)
    pdf.ln(1)
    pdf.set_font(FAMILY, size=13)
    _lines(pdf, text_width, 7, document.subtitle)
    pdf.set_font(FAMILY, size=12)
    _lines(pdf, text_width, 7, f"{_('Tracking code')}：{document.code}")
    pdf.set_y(max(pdf.get_y(), top + qr_size + 6))
    _facts(pdf, document.facts)
    if document.intro:
        pdf.ln(4)
        pdf.set_font(FAMILY, size=11)
        pdf.multi_cell(0, 6.5, document.intro, align="L", wrapmode=WrapMode.CHAR)
    for table in document.tables:
        _table(pdf, table)
    pdf.ln(5)
    pdf.set_font(FAMILY, size=10)
    for line in document.closing:
        pdf.multi_cell(0, 6, line, align="L", wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if document.signature:
        pdf.ln(6)
        pdf.set_font(FAMILY, size=11)
        for line in document.signature:
            pdf.cell(0, 7, line, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if document.rating_qr_text:
        _rating_qr(pdf, document.rating_qr_text)
    return bytes(pdf.output())


def _rating_qr(pdf: FPDF, text: str) -> None:
    """The rating page's QR code at the left, with what it is for (a new page when it does not fit)."""
    size = 26.0
    if pdf.get_y() + size + 12 > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.ln(4)
    top = pdf.get_y()
    _qr(pdf, text, pdf.l_margin, top, size)
    pdf.set_font(FAMILY, size=10)
    pdf.set_xy(pdf.l_margin + size + 4, top + 8)
    pdf.multi_cell(
        0,
        6,
        _("Scan to rate the service (好差评) once the application is finished."),
        align="L",
        wrapmode=WrapMode.CHAR,
    )


def _lines(pdf: FPDF, width: float, height: float, text: str) -> None:
    """Text wrapped at any character (Chinese has no spaces), then back at the left margin."""
    pdf.multi_cell(width, height, text, align="L", wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _facts(pdf: FPDF, facts: Sequence[tuple[str, str]]) -> None:
    pdf.set_font(FAMILY, size=10.5)
    with pdf.table(
        col_widths=(40, 134),
        width=174,
        align="LEFT",
        text_align="LEFT",
        first_row_as_headings=False,
        wrapmode=WrapMode.CHAR,
        line_height=5.5,
        padding=1.2,
    ) as grid:
        for label, value in facts:
            line = grid.row()
            line.cell(label, style=FontFace(family=FAMILY, fill_color=HEAD_FILL))
            line.cell(value or "—")


def receipt_pdf(case: Case, round_: IntakeRound, tracking_url: str, rating_url: str = "") -> bytes:
    """The acceptance receipt of ``case`` as PDF bytes."""
    return render_pdf(acceptance_receipt(case, round_, tracking_url, rating_url))


def correction_notice_pdf(case: Case, round_: IntakeRound, tracking_url: str) -> bytes:
    """The correction notice of ``round_`` as PDF bytes."""
    return render_pdf(correction_notice(case, round_, tracking_url))


def _rate_text(rate: float | None) -> str:
    return "—" if rate is None else f"{100 * rate:.1f}%"


def _marked(text: str, provisional: bool) -> str:
    """A figure or a date, marked provisional (预计) when it is counted through a provisional calendar year."""
    return _("%(date)s (provisional)") % {"date": text} if provisional else text


def _due_text(due: date | None, provisional: bool) -> str:
    return _marked(date_text(due), provisional) if due else "—"


def bulletin(doc: dict[str, Any]) -> Document:
    """The monthly bulletin (月度通报) as a document: ranking, top lists, departments without cases, overdue names."""
    period = doc["period"]
    totals = doc["totals"]
    ranking = Table(
        _("Departments ranked by on-time rate"),
        (_("Rank"), _("Department"), _("Cases received"), _("Finished"), _("On-time rate"), _("Overdue cases")),
        (14, 62, 22, 22, 28, 26),
        tuple(
            (str(rank), row["name"], str(row["received"]), str(row["finished"]),
             _marked(_rate_text(row["on_time_rate"]), "on_time_rate" in row["provisional"]),
             _marked(str(row["overdue"]), "overdue" in row["provisional"]))
            for rank, row in enumerate(doc["ranking"], 1)
        ),
    )  # fmt: skip
    top_overdue = Table(
        _("Most overdue"),
        (_("Rank"), _("Department"), _("Overdue cases")),
        (14, 120, 40),
        tuple((str(rank), row["name"], str(row["overdue"])) for rank, row in enumerate(doc["top_overdue"], 1)),
    )
    top_things = Table(
        _("Most received one-things"),
        (_("Rank"), _("One-thing"), _("Cases received")),
        (14, 120, 40),
        tuple((str(rank), row["name"], str(row["received"])) for rank, row in enumerate(doc["top_things"], 1)),
    )
    idle = Table(_("Departments without a case"), (_("Code"), _("Department")), (40, 134), tuple(doc["idle"]))
    overdue = Table(
        _("Overdue cases"),
        (_("Tracking code"), _("Item"), _("Department"), _("Due")),
        (34, 70, 44, 26),
        tuple(
            (format_code(code), item, department, _due_text(due, provisional))
            for code, item, department, due, _finished, provisional in doc["overdue"]
        ),
    )
    closing: tuple[str, ...] = (
        (_("More overdue cases than listed: see the export of the overdue list."),) if doc["overdue_more"] else ()
    )
    if totals["provisional"] or any(row["provisional"] for row in doc["ranking"]):
        closing += (
            _(
                "Figures marked provisional (预计) are counted through a year whose official holiday arrangement "
                "is not entered yet; they are confirmed once it is."
            ),
        )
    return Document(
        title=_("Monthly bulletin"),
        subtitle=f"{period['start']:%Y-%m-%d} – {period['end']:%Y-%m-%d}",
        code="",
        qr_text="",
        facts=(
            (_("Cases received"), str(totals["received"])),
            (_("Finished"), str(totals["finished"])),
            (_("On-time rate"), _marked(_rate_text(totals["on_time_rate"]), "on_time_rate" in totals["provisional"])),
            (_("Overdue cases"), _marked(str(totals["overdue"]), "overdue" in totals["provisional"])),
            (_("Generated at"), f"{period['generated_at']:%Y-%m-%d %H:%M}"),
        ),
        tables=(ranking, top_overdue, top_things, idle, overdue),
        closing=closing,
    )


def bulletin_pdf(doc: dict[str, Any]) -> bytes:
    """The monthly bulletin as a PDF (A4, the bundled font; no QR code)."""
    document = bulletin(doc)
    pdf = _Pdf(document)
    pdf.add_page()
    pdf.set_font(FAMILY, size=20)
    _lines(pdf, 0, 10, document.title)
    pdf.set_font(FAMILY, size=13)
    _lines(pdf, 0, 7, document.subtitle)
    pdf.ln(2)
    _facts(pdf, document.facts)
    for table in document.tables:
        _table(pdf, table)
    pdf.set_font(FAMILY, size=10)
    for line in document.closing:
        pdf.multi_cell(0, 6, line, align="L", wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
