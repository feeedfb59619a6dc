"""Submitting: the form validated field by field, every required material uploaded, then a case with a code and QR."""

from __future__ import annotations

import re

from django.core.files.storage import default_storage

import pytest
import segno

from lianban.cases.models import Case, CaseMaterial
from lianban.core.tracking import format_code
from lianban.portal.models import Draft, DraftFile
from lianban.portal.services import draft_submit

from .helpers import complete, field_error, hotel_draft

pytestmark = pytest.mark.django_db

SUBMIT = {"action": "submit", "answer-area": "600", "answer-central_ac": "true", "answer-has_catering": "true"}


def test_an_incomplete_draft_lists_every_problem_next_to_its_field_and_material(boss, people):
    draft = hotel_draft(people)
    posted = {
        **SUBMIT,
        "field-uscc": "91110000100000000A",
        "field-legal_person_id_no": "110105194912310021",
        "field-contact_phone": "12345",
        "field-registered_capital": "-3",
        "field-operating_area": "很大",
    }
    response = boss.post(f"/apply/drafts/{draft.pk}/", posted)
    html = response.content.decode()
    assert response.status_code == 400
    # the catalog's labels name the fields (in English too: they are the catalog's words)
    assert field_error(html, "uscc") == "统一社会信用代码: the check digit does not match; check for a typing error."
    assert field_error(html, "legal_person_id_no").startswith("法定代表人身份证号码: the check digit does not match")
    assert field_error(html, "contact_phone") == (
        "联系电话 must be an 11-digit mobile number or a landline with its area code."
    )
    assert field_error(html, "registered_capital") == (
        "注册资本（万元） must be an amount in yuan: 0 or more, at most 2 decimals."
    )
    assert field_error(html, "operating_area") == "经营面积（平方米） must be a number."
    assert field_error(html, "legal_person") == "Please fill in 法定代表人."
    # every required material to submit is asked for; the tolerable one (容缺) may come later
    assert 'id="err-GSZC" data-upload-error>Upload this material.' in html
    assert 'id="err-WSJC" data-upload-error hidden>' in html
    assert not Case.objects.exists()
    # and what was typed is kept
    draft.refresh_from_db()
    assert draft.form["contact_phone"] == "12345"


def test_errors_are_shown_in_chinese_next_to_the_field(boss, people):
    draft = hotel_draft(people)
    html = boss.post(
        f"/apply/drafts/{draft.pk}/", {**SUBMIT, "field-uscc": "9111"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert field_error(html, "uscc") == "统一社会信用代码应为 18 位。"
    assert field_error(html, "legal_person") == "请填写法定代表人。"


def test_submitting_a_complete_draft_opens_the_case_and_shows_the_code_and_qr(
    boss, people, django_capture_on_commit_callbacks
):
    draft = complete(people, hotel_draft(people), skip=("WSJC",))
    with django_capture_on_commit_callbacks(execute=True):
        response = boss.post(f"/apply/drafts/{draft.pk}/", {**SUBMIT, "idempotency_key": "k-1"})
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/my/cases/{case.pk}/submitted/"
    # the case has the typed values, typed
    assert case.form["registered_capital"] == 50
    assert case.form["operating_area"] == 580.5
    assert case.form["central_ac"] is True
    assert case.form["legal_person_id_no"] == "11010519491231002X"
    assert case.answers == {"area": 600, "central_ac": True, "has_catering": True}
    assert CaseMaterial.objects.get(case=case, code="GSZC").original_name == "GSZC.pdf"
    assert CaseMaterial.objects.get(case=case, code="WSJC").state == "PENDING"
    # the draft is done: not listed, its files gone
    draft.refresh_from_db()
    assert draft.case == case
    assert not DraftFile.objects.exists()
    page = boss.get(response["Location"]).content.decode()
    code = format_code(case.tracking_code)
    groups = "".join(f'<span class="code-group">{g}</span>' for g in code.split("-"))
    assert groups.replace("</span><span", '</span><span class="code-dash">-</span><span') in page
    assert " ".join(case.tracking_code) in page  # spelled for screen readers
    track_url = f"http://testserver/track/{code}/"
    assert f'href="{track_url}"' in page
    svg = re.search(r'<svg role="img".*?</svg>', page, re.S).group(0)
    expected = segno.make(track_url, error="m").svg_inline(scale=1, border=2, dark="#1b2430", omitsize=True)
    path = re.search(r' d="([^"]+)"', expected).group(1)
    assert f' d="{path}"' in svg  # the QR code encodes the public tracking URL
    assert "<title>QR code of the tracking page</title>" in svg
    assert f'data-draft="{draft.pk}"' not in boss.get("/my/cases/").content.decode()


def test_a_resent_submit_has_one_effect(boss, people):
    draft = complete(people, hotel_draft(people))
    first = boss.post(f"/apply/drafts/{draft.pk}/", {**SUBMIT, "idempotency_key": "same"})
    again = boss.post(f"/apply/drafts/{draft.pk}/", {**SUBMIT, "idempotency_key": "same"})
    assert Case.objects.count() == 1
    assert first["Location"] == again["Location"]
    # the service answers the same, too
    assert draft_submit(actor=people.applicant_user, draft_id=draft.pk) == Case.objects.get()
    # and the draft page of a submitted draft leads to its case
    assert boss.get(f"/apply/drafts/{draft.pk}/")["Location"] == first["Location"]


def test_changed_answers_are_saved_and_shown_before_anything_is_submitted(boss, people):
    draft = complete(people, hotel_draft(people))
    response = boss.post(f"/apply/drafts/{draft.pk}/", {**SUBMIT, "answer-has_catering": "false"})
    assert response.status_code == 302 and response["Location"] == f"/apply/drafts/{draft.pk}/"
    assert not Case.objects.exists()
    assert "Your answers changed the list" in boss.get(response["Location"]).content.decode()


def test_draft_files_are_copied_to_the_case(boss, people, django_capture_on_commit_callbacks):
    draft = complete(people, hotel_draft(people))
    names = list(DraftFile.objects.values_list("file", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        boss.post(f"/apply/drafts/{draft.pk}/", SUBMIT)
    material = CaseMaterial.objects.get(code="GSZC")
    assert material.file.name.startswith(f"cases/{material.case.tracking_code}/")
    assert default_storage.open(material.file.name).read().startswith(b"%PDF")
    assert not any(default_storage.exists(name) for name in names)
    assert Draft.objects.get().case_id == material.case_id
