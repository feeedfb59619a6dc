"""My cases and the case page: progress, the correction notice, 补正, 容缺, withdrawal, the bill and issuance."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lianban.cases.models import Case, CaseMaterial, ItemCase
from lianban.core.tracking import format_code
from lianban.intake.services import MaterialPromise, intake_accept, intake_request_correction
from lianban.issuance.services import bill_mark_paid, case_issue
from lianban.review.models import SupplementRequest
from lianban.review.services import item_case_approve, item_case_request_supplement, item_case_take
from tests.cases.kit import check_all, fresh, items, material, pdf, submit

pytestmark = pytest.mark.django_db


def accept(people, case, promises=None):
    check_all(people, case)
    intake_accept(actor=people.clerk, case_id=case.pk, promises=promises or {})


def approve_all(people, case):
    while True:
        running = [i for i in items(case).values() if i.state in ("DISPATCHED", "IN_REVIEW")]
        if not running:
            return
        for item in running:
            reviewer = people.reviewer(item.department.code)
            if item.state == "DISPATCHED":
                item_case_take(actor=reviewer, item_case_id=item.pk)
            item_case_approve(
                actor=reviewer,
                item_case_id=item.pk,
                licence_number=f"NO-{item.item_code}",
                valid_until=date(2030, 12, 31),
            )


def test_my_cases_shows_state_in_words_dates_eta_and_the_next_step(boss, people, clock):
    waiting = submit(people)
    running = submit(people, answers={"area": 200, "central_ac": False, "has_catering": False})
    accept(people, running)
    html = boss.get("/my/cases/").content.decode()
    assert format_code(waiting.tracking_code) in html and format_code(running.tracking_code) in html
    assert "Submitted: the window is checking your materials" in html
    assert "Accepted: the departments are working on it" in html
    assert "3/3/2025" in html  # submitted on
    for case in (waiting, running):
        eta = fresh(case).eta
        assert f"<dt>Expected ready</dt><dd>{eta.month}/{eta.day}/{eta.year}</dd>" in html
    assert "Nothing for now: the window decides within 5 working days." in html
    assert "Nothing for now: the departments are working on your application." in html
    assert people.other_applicant.name not in html


def test_an_eta_the_calendar_cannot_give_yet_reads_to_be_set_with_the_reason(boss, people, clock, settings):
    settings.LIANBAN_PROVISIONAL_YEARS = 0  # no provisional calendar for 2027
    clock.set(date(2026, 12, 21))  # the hotel's items run into 2027, a year the calendar does not cover
    case = submit(people)
    assert fresh(case).eta is None
    html = boss.get("/my/cases/").content.decode()
    assert "To be set (the working-day calendar does not cover the dates yet)" in html
    zh = boss.get(f"/my/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "待定（工作日历尚未覆盖相关日期）" in zh


def test_the_case_page_shows_progress_by_stage_with_due_dates(boss, people, clock):
    case = submit(people)
    accept(people, case)
    html = boss.get(f"/my/cases/{case.pk}/").content.decode()
    assert html.count('class="stage stage-') == 5
    assert '<li class="stage stage-current" data-stage="1">' in html
    assert 'data-item="SCJG-GSSL" data-state="DISPATCHED"' in html
    assert "Sent to the department" in html and 'class="due due-due_soon">due soon<' in html
    due = items(case)["SCJG-GSSL"].due_on
    assert f"Due {due.month}/{due.day}/{due.year}" in html
    assert "Waits for earlier items" in html


def test_a_correction_notice_lists_every_problem_and_the_applicant_resupplies_and_resubmits(boss, people, clock):
    case = submit(people)
    check_all(people, case, results={"GSZC": ("WRONG", "章程缺少签字"), "ZSSY": ("MISSING", "未上传租赁合同")})
    intake_request_correction(actor=people.clerk, case_id=case.pk)
    mine = boss.get("/my/cases/").content.decode()
    assert "Correct the materials listed in the correction notice, then resubmit." in mine
    html = boss.get(f"/my/cases/{case.pk}/").content.decode()
    assert "Correction notice (一次性告知)" in html
    assert "章程缺少签字" in html and "未上传租赁合同" in html
    assert 'data-problem="GSZC"' in html and 'data-problem="ZSSY"' in html
    assert f'action="/my/cases/{case.pk}/materials/GSZC/"' in html

    clock.days(1)
    response = boss.post(f"/my/cases/{case.pk}/materials/GSZC/", {"file": pdf("章程（签字）.pdf")})
    assert response.status_code == 302 and response["Location"] == f"/my/cases/{case.pk}/#m-GSZC"
    assert material(case, "GSZC").original_name == "章程（签字）.pdf"
    assert "✓ replaced" in boss.get(f"/my/cases/{case.pk}/").content.decode()

    response = boss.post(f"/my/cases/{case.pk}/resubmit/", {"idempotency_key": "r-1"})
    assert response.status_code == 302
    assert fresh(case).state == "RESUBMITTED"
    again = boss.post(f"/my/cases/{case.pk}/resubmit/", {"idempotency_key": "r-1"})
    assert again.status_code == 302 and "This cannot be done now" not in boss.get(again["Location"]).content.decode()
    answered = boss.get(f"/my/cases/{case.pk}/").content.decode()
    assert "Resubmitted: the window is checking again" in answered
    # the notice shows as answered: marked corrected, with the day, and the replaced material ticked
    assert "data-correction-resolved" in answered and "data-correction-resubmitted" in answered
    assert "You corrected the materials and resubmitted them on" in answered
    assert "✓ replaced" in answered
    assert "data-correction-resolved" not in html  # not before the resubmission


def test_resubmitting_when_not_asked_is_refused_with_a_message(boss, people, clock):
    case = submit(people)
    response = boss.post(f"/my/cases/{case.pk}/resubmit/", {"idempotency_key": "x"}, follow=True)
    assert "This cannot be done now: the application is “Submitted: the window is checking your materials”." in (
        response.content.decode()
    )
    assert fresh(case).state == "SUBMITTED"


def test_a_supplement_request_is_answered_with_a_note_and_a_file(boss, people, clock):
    case = submit(people)
    accept(people, case)
    item = items(case)["SCJG-GSSL"]
    reviewer = people.reviewer("SCJG")
    item_case_take(actor=reviewer, item_case_id=item.pk)
    item_case_request_supplement(actor=reviewer, item_case_id=item.pk, reason="请补充股东会决议")
    assert "Supply what" in boss.get("/my/cases/").content.decode()
    html = boss.get(f"/my/cases/{case.pk}/").content.decode()
    assert "Requests from departments (补正)" in html and "请补充股东会决议" in html
    assert f'action="/my/cases/{case.pk}/items/{item.pk}/supply/"' in html

    clock.working_days(2)
    empty = boss.post(
        f"/my/cases/{case.pk}/items/{item.pk}/supply/", {"note": "", "idempotency_key": "s-0"}, follow=True
    )
    assert "add a note or a file" in empty.content.decode()
    response = boss.post(
        f"/my/cases/{case.pk}/items/{item.pk}/supply/",
        {"note": "已补充决议", "file": pdf("决议.pdf"), "idempotency_key": "s-1"},
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#item-{item.pk}")
    item.refresh_from_db()
    assert item.state == "IN_REVIEW"
    request = SupplementRequest.objects.get(item_case=item)
    assert request.note == "已补充决议" and request.original_name == "决议.pdf"
    page = boss.get(f"/my/cases/{case.pk}/").content.decode()
    assert f'href="/my/cases/{case.pk}/supplements/{request.pk}/file/"' in page
    download = boss.get(f"/my/cases/{case.pk}/supplements/{request.pk}/file/")
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_promised_material_is_shown_with_its_due_date_and_supplied(boss, people, clock):
    case = submit(people, skip=["WSJC"])
    due = clock.today() + timedelta(days=10)
    check_all(people, case, results={"WSJC": ("MISSING", "尚未检测")})
    intake_accept(actor=people.clerk, case_id=case.pk, promises={"WSJC": MaterialPromise(due, "十日内补交检测报告")})
    html = boss.get(f"/my/cases/{case.pk}/").content.decode()
    assert "Materials you promised (容缺)" in html and "十日内补交检测报告" in html
    assert f"due {due.month}/{due.day}/{due.year}" in html
    assert "Hand in “公共场所卫生检测或者评价报告” by" in boss.get("/my/cases/").content.decode()
    response = boss.post(f"/my/cases/{case.pk}/materials/WSJC/", {"file": pdf("检测报告.pdf")})
    assert response.status_code == 302
    assert material(case, "WSJC").state == "RECEIVED"
    assert not ItemCase.objects.filter(case=case, held=True).exists()


def test_withdrawing_needs_a_reason_and_a_confirmation(boss, people, clock):
    case = submit(people)
    html = boss.get(f"/my/cases/{case.pk}/").content.decode()
    assert f'action="/my/cases/{case.pk}/withdraw/" class="stack" data-confirm=' in html
    response = boss.post(f"/my/cases/{case.pk}/withdraw/", {"reason": " ", "idempotency_key": "w-0"}, follow=True)
    assert "Please say why you withdraw the application." in response.content.decode()
    assert fresh(case).state == "SUBMITTED"
    boss.post(f"/my/cases/{case.pk}/withdraw/", {"reason": "改变经营计划", "idempotency_key": "w-1"})
    assert fresh(case).state == "WITHDRAWN"
    html = boss.get(f"/my/cases/{case.pk}/").content.decode()
    assert "You withdrew the application." in html
    assert f'action="/my/cases/{case.pk}/withdraw/"' not in html


def test_the_bill_the_issuance_and_the_results_once_done(boss, people, clock):
    case = submit(people)
    accept(people, case)
    approve_all(people, case)
    assert fresh(case).state == "READY"
    html = boss.get(f"/my/cases/{case.pk}/").content.decode()
    assert "The bill (one bill for everything)" in html
    assert '<td class="num">¥20.00</td>' in html and '<td class="num">¥50.00</td>' in html
    assert '<td class="num" data-bill-total>¥70.00</td>' in html
    assert "To be paid" in html
    assert "Pay ¥70.00 at the window and collect your results." in html
    assert 'data-licence="NO-SCJG-GSSL"' in html  # results in the licence library

    bill_mark_paid(actor=people.clerk, case_id=case.pk, reference="POS-1")
    case_issue(actor=people.clerk, case_id=case.pk, method="MAIL", tracking_number="SF123456")
    html = boss.get(f"/my/cases/{case.pk}/").content.decode()
    assert "Paid" in html
    assert "tracking number SF123456" in html
    assert "Results handed out" in html
    assert "Application received" in html  # notifications, in the applicant's words


def test_the_applicant_downloads_the_files_of_their_case(boss, people, clock):
    case = submit(people)
    response = boss.get(f"/my/cases/{case.pk}/materials/GSZC/file/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "GSZC.pdf" in response["Content-Disposition"]
    assert boss.get(f"/my/cases/{case.pk}/materials/YYZZ/file/").status_code == 404  # nothing uploaded


def test_a_refused_replacement_is_shown_at_the_material(boss, people, clock):
    case = submit(people)
    check_all(people, case, results={"GSZC": ("WRONG", "缺少签字")})
    intake_request_correction(actor=people.clerk, case_id=case.pk)
    response = boss.post(f"/my/cases/{case.pk}/materials/GSZC/", {"file": pdf("x.pdf", b"MZ\x90\x00" + b"\x00" * 64)})
    assert response.status_code == 400
    assert 'id="err-GSZC" data-upload-error>file type' in response.content.decode()
    assert Case.objects.get().materials.get(code="GSZC").original_name == "GSZC.pdf"
    assert CaseMaterial.objects.filter(original_name="x.pdf").count() == 0
