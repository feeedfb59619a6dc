"""The printed documents: the bundled font covers what they print; text, font and QR code are in the PDF."""

from __future__ import annotations

import io
import re
from pathlib import Path

from django.test import RequestFactory

import pytest
import segno
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from lianban.core.tracking import format_code
from lianban.intake.selectors import acceptance_receipt as receipt_round
from lianban.workbench import documents
from lianban.workbench.views.common import tracking_url
from tests.portal.test_i18n import po_entries
from tests.workbench.kit import accepted, pdf_fonts, pdf_text

ROOT = Path(__file__).resolve().parents[2]
FONTS = ROOT / "src" / "lianban" / "workbench" / "fonts"


def test_the_bundled_font_is_a_renamed_truetype_subset_with_its_licence():
    font = TTFont(str(documents.FONT))
    assert documents.FONT.suffix == ".ttf" and "glyf" in font and "CFF " not in font
    assert font["name"].getDebugName(1) == "Lianban Sans SC"
    assert "SIL OPEN FONT LICENSE Version 1.1" in (FONTS / "OFL.txt").read_text(encoding="utf-8")


def test_the_font_prints_every_character_of_the_demo_catalog_and_of_the_translations():
    catalog = [
        path.read_text(encoding="utf-8") for path in (ROOT / "src" / "lianban" / "demo" / "catalog").glob("*.yaml")
    ]
    translations = [
        entry.get("msgstr", entry.get("msgstr[0]", ""))
        for entry in po_entries(
            ROOT / "src" / "lianban" / "workbench" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
        )
    ]
    printable = [text for text in catalog + translations if text]
    assert documents.missing_characters(printable) == set()
    assert documents.missing_characters(["我要开酒店、宾馆 ¥12.50 2026年11月22日"]) == set()
    assert documents.missing_characters(["𠀋"]) == {"𠀋"}  # CJK Extension B: only a system font may have it


def test_the_bundled_font_covers_gb18030_two_byte_characters_and_extension_a():
    """Rare characters of personal names (堃, 喆, 昇…) and every GBK hanzi, as GB 18030 requires."""
    from lianban.workbench.fonts.build_subset import cjk_extension_a, gb18030_two_byte_characters

    hanzi = {ch for ch in gb18030_two_byte_characters() if 0x4E00 <= ord(ch) <= 0x9FFF}
    assert len(hanzi) > 20_000
    assert documents.missing_characters(["堃喆昇㛃䶮", *sorted(hanzi)]) == set()
    assert documents.missing_characters(sorted(cjk_extension_a())) == set()


def small_document(text: str) -> documents.Document:
    return documents.Document(
        title="受理回执",
        subtitle=text,
        code="ABCD-EFGH-JKMN",
        qr_text="http://testserver/track/ABCD-EFGH-JKMN/",
        facts=(("申请人", "武汉联办酒店有限公司"),),
        tables=(documents.Table("已收取的材料", ("序号", "材料"), (20, 154), (("1", "公司章程"),)),),
    )


def test_rare_name_characters_print_with_the_bundled_font_alone(monkeypatch):
    monkeypatch.setattr(documents, "FALLBACKS", ())  # no system font at all
    content = documents.render_pdf(small_document("申请人：张堃、李喆、王昇"))
    assert "张堃、李喆、王昇" in pdf_text(content)
    assert {f["name"].split("+", 1)[1] for f in pdf_fonts(content)} == {"LianbanSansSC"}


def test_a_character_no_font_has_is_refused_by_name_never_dropped(monkeypatch):
    monkeypatch.setattr(documents, "FALLBACKS", ())
    with pytest.raises(documents.UnprintableCharacters) as info:
        documents.render_pdf(small_document("𠀋记商行"))
    assert info.value.characters == "𠀋"
    assert "U+2000B" in str(info.value)


def test_a_character_the_subset_lacks_comes_from_the_system_font():
    """fonts-noto-cjk is installed by the project's own steps (scripts/ensure_browser.py); it must be there."""
    assert any(path.exists() for path, _ in documents.FALLBACKS), "install fonts-noto-cjk"
    content = documents.render_pdf(small_document("𠀋记字号"))
    fonts = {f["name"].split("+", 1)[1] for f in pdf_fonts(content)}
    assert len(fonts) == 2
    assert "公司章程" in pdf_text(content)


def test_the_qr_code_is_drawn_module_by_module():
    content = documents.render_pdf(small_document("我要开酒店、宾馆"))
    qr = segno.make("http://testserver/track/ABCD-EFGH-JKMN/", error="m", micro=False)
    runs = sum(len(re.findall(r"1+", "".join(str(v) for v in row))) for row in qr.matrix)
    import zlib

    stream = PdfReader(io.BytesIO(content)).pages[0].get_contents().get_data().decode("latin-1")
    assert stream.count(" re f") >= runs > 50
    del zlib


@pytest.mark.django_db
def test_the_receipt_of_a_case_points_its_qr_code_to_the_public_tracking_page(people, clock):
    case = accepted(people)
    request = RequestFactory().get("/")
    url = tracking_url(request, case)
    assert url == f"http://testserver/track/{format_code(case.tracking_code)}/"
    document = documents.acceptance_receipt(case, receipt_round(case), url)
    assert document.qr_text == url and document.code == format_code(case.tracking_code)
    assert ("申请人", "武汉联办酒店有限公司") in document.facts
    received = document.tables[0]
    assert (
        received.heading == "已收取的材料" and len(received.rows) == case.materials.filter(provenance="submit").count()
    )
    # the form with the labels it was submitted with; personal values masked on paper
    form = next(table for table in document.tables if table.heading == "申请表")
    rows = dict(form.rows)
    assert form.columns == ("表单项", "填写内容")
    assert rows["法定代表人身份证号码"] == "1101**********002X" and rows["企业名称"] == case.form["company_name"]
    assert "legal_person_id_no" not in rows and len(rows) == len(case.form)


@pytest.mark.django_db
def test_the_receipt_of_an_applicant_with_rare_characters_prints_them(people, clock, monkeypatch):
    monkeypatch.setattr(documents, "FALLBACKS", ())
    people.applicant.name = "武汉堃喆昇酒店有限公司"
    people.applicant.contact_name = "王喆"
    people.applicant.save()
    case = accepted(people)
    content = documents.receipt_pdf(case, receipt_round(case), "http://testserver/track/X/")
    text = pdf_text(content)
    assert "武汉堃喆昇酒店有限公司" in text
    assert "王喆" in text


@pytest.mark.django_db
def test_an_unprintable_name_answers_503_naming_the_character(people, clock, client, monkeypatch):
    monkeypatch.setattr(documents, "FALLBACKS", ())
    people.applicant.name = "𠀋记商行"
    people.applicant.save()
    case = accepted(people)
    client.force_login(people.clerk)
    response = client.get(f"/work/cases/{case.pk}/receipt.pdf", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 503
    assert "𠀋" in response.content.decode()


@pytest.mark.django_db
def test_the_receipt_says_how_the_case_was_applied_for_and_on_the_spot_for_a_zero_day_item(people, clock):
    case = accepted(people)
    case.item_cases.filter(item_code="SCJG-GSSL").update(promised_days=0)
    document = documents.acceptance_receipt(case, receipt_round(case), "http://testserver/track/x/")
    assert ("申报方式", "网上申报") in document.facts
    items = next(t for t in document.tables if t.heading == "办理事项")
    days = {row[1]: row[3] for row in items.rows}
    assert days[case.item_cases.get(item_code="SCJG-GSSL").item_name] == "即办"
    assert all(value.isdigit() for name, value in days.items() if value != "即办")
    case.channel = "WINDOW"
    assert ("申报方式", "窗口申报") in documents.acceptance_receipt(case, receipt_round(case), "x").facts


@pytest.mark.django_db
def test_the_receipt_prints_the_things_notes_from_the_catalog(people, clock):
    case = accepted(people)
    notes = list(case.thing.notes)
    assert notes, "the demo thing has notes (办理须知)"
    document = documents.acceptance_receipt(case, receipt_round(case), "http://testserver/track/x/")
    table = next(t for t in document.tables if t.heading == "办理须知")
    assert [row[1] for row in table.rows] == notes
    assert [row[0] for row in table.rows] == [str(n) for n in range(1, len(notes) + 1)]
    text = pdf_text(documents.receipt_pdf(case, receipt_round(case), "http://testserver/track/x/"))
    assert "办理须知" in text and notes[0][:12] in text.replace("\n", "")


@pytest.mark.django_db
def test_a_thing_without_notes_prints_no_notes_table(people, clock):
    case = accepted(people)
    case.thing.notes = []
    case.thing.save(update_fields=["notes"])
    document = documents.acceptance_receipt(case, receipt_round(case), "x")
    assert all(t.heading != "办理须知" for t in document.tables)
