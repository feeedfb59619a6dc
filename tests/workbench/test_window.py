"""The window workbench through the Django test client: queue, intake page, checks, decisions, issuance."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest

from lianban.cases.models import Case, CaseEvent, CaseMaterial, ItemCase
from lianban.cases.services import case_resubmit
from lianban.core.tracking import format_code
from lianban.intake.models import MaterialCheck
from lianban.intake.services import MaterialPromise
from lianban.issuance.models import Bill
from tests.cases.kit import People, fresh, submit, submit_codes
from tests.workbench.kit import accepted, approve, pdf_fonts, pdf_text

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    """The page's HTML with tags removed and whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def key() -> str:
    return str(uuid.uuid4())


def all_ok(case: Case) -> dict[str, str]:
    return {f"result_{code}": "OK" for code in submit_codes(case)}


# ------------------------------------------------------------------ the queue


def test_the_queue_lists_new_and_corrected_cases_first_the_longest_waiting_first(people, clock, signed_in):
    first = submit(people)
    clock.working_days(1)
    second = submit(people, thing="KFG", answers={"area": 200})
    clock.working_days(1)
    corrected = submit(people)
    intake_url = f"/work/cases/{corrected.pk}/"
    client = signed_in(people.clerk)
    client.post(f"{intake_url}checks/", {"result_GSZC": "WRONG", "reason_GSZC": "缺页"})
    client.post(f"{intake_url}correction/", {"idempotency_key": key()})
    assert fresh(corrected).state == "CORRECTION_REQUESTED"

    html = client.get("/work/window/").content.decode()
    intake = html[html.index('data-list="intake"') : html.index('id="correction-title"')]
    order = re.findall(r'data-case="(\w+)"', intake)
    assert order == [first.tracking_code, second.tracking_code]
    assert corrected.tracking_code in html[html.index('id="correction-title"') :]
    assert "正常" in intake and "受理期限" in html

    # the applicant resubmits: the case comes back to the intake list, waiting since its resubmission
    clock.working_days(1)
    case_resubmit(actor=people.applicant_user, case_id=corrected.pk)
    html = client.get("/work/window/").content.decode()
    intake = html[html.index('data-list="intake"') : html.index('id="correction-title"')]
    assert re.findall(r'data-case="(\w+)"', intake) == [
        first.tracking_code,
        second.tracking_code,
        corrected.tracking_code,
    ]
    assert "已补正，待受理" in intake


def test_deadline_colours_say_due_soon_and_overdue_in_words(people, clock, signed_in):
    case = submit(people)
    client = signed_in(people.clerk)
    clock.working_days(4)
    row = client.get("/work/window/").content.decode()
    assert 'class="due due-due-soon"' in row and "即将到期" in row
    clock.working_days(2)
    row = client.get("/work/window/").content.decode()
    assert 'class="due due-overdue"' in row and "已超期" in row
    assert case.tracking_code in row


def test_each_window_sees_only_its_cases(people, clock, signed_in):
    case = submit(people)
    assert format_code(case.tracking_code) in signed_in(people.window).get("/work/window/").content.decode()
    other = signed_in(people.other_clerk)
    assert format_code(case.tracking_code) not in other.get("/work/window/").content.decode()
    assert other.get(f"/work/cases/{case.pk}/").status_code == 404


@pytest.mark.parametrize("who", ["reviewer", "supervisor", "admin", "applicant_user"])
def test_the_window_pages_are_for_clerks(people, who, signed_in):
    user = people.reviewer("SCJG") if who == "reviewer" else getattr(people, who)
    client = signed_in(user)
    assert client.get("/work/window/").status_code == 403
    assert client.get("/work/window/issuance/").status_code == 403


def test_signed_out_people_are_sent_to_log_in(client):
    response = client.get("/work/window/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/work/window/")


def test_the_header_links_to_the_window_workbench(people, signed_in):
    html = signed_in(people.clerk).get("/work/window/").content.decode()
    assert '<a href="/work/window/" aria-current="page">综合窗口</a>' in html


# ------------------------------------------------------------------ the case page


def test_the_intake_page_shows_applicant_thing_answers_form_and_every_material_once(people, clock, signed_in):
    case = submit(people, skip=["GSZC"])
    response = signed_in(people.clerk).get(f"/work/cases/{case.pk}/")
    assert response.status_code == 200
    text = page_text(response)
    html = response.content.decode()
    for expected in (
        "我要开酒店、宾馆",
        format_code(case.tracking_code),
        "武汉联办酒店有限公司",
        "91110000100000000R",
        "经营场所建筑面积(平方米)",
        "新申请，待受理",
        "由“公司设立登记”（市场监督管理局）产生",
    ):
        assert expected in text, expected
    for material in CaseMaterial.objects.filter(case=case):
        assert html.count(f'data-material="{material.code}"') == 1, material.code
    gszc = html[html.index('data-material="GSZC"') :]
    assert "无文件" in gszc[:2000]
    dzfw = CaseMaterial.objects.get(case=case, code="DZFW")
    assert f'href="/work/cases/{case.pk}/materials/DZFW/file"' in html and dzfw.original_name in html
    assert f'action="/work/cases/{case.pk}/accept/"' in html
    assert 'data-confirm="确定不予受理吗？此操作不能撤销。"' in html
    assert html.count('name="idempotency_key"') == 3


def test_a_supervisor_reads_the_case_page_without_actions(people, clock, signed_in):
    case = submit(people)
    html = signed_in(people.supervisor).get(f"/work/cases/{case.pk}/").content.decode()
    assert "只有牵头部门的窗口可以办理" in html
    assert "/checks/" not in html and "/accept/" not in html


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("reviewer", 404),  # its item waits for the intake decision: the case is not theirs yet
        ("admin", 404),  # catalog administrators see no case
        ("applicant_user", 403),  # their case, but not the window's page
    ],
)
def test_the_case_page_is_not_for_other_roles(people, clock, who, status, signed_in):
    case = submit(people)
    user = people.reviewer("SCJG") if who == "reviewer" else getattr(people, who)
    assert signed_in(user).get(f"/work/cases/{case.pk}/").status_code == status


def test_an_unknown_case_is_404(people, signed_in):
    assert signed_in(people.clerk).get("/work/cases/999999/").status_code == 404


# ------------------------------------------------------------------ checks


def test_checks_are_saved_only_when_they_change_and_a_problem_needs_a_reason(people, clock, signed_in):
    case = submit(people, skip=["GSZC"])
    client = signed_in(people.clerk)
    url = f"/work/cases/{case.pk}/checks/"

    response = client.post(url, {"result_GSZC": "MISSING", "result_DZFW": "OK"})
    assert response.status_code == 400
    assert "请说明缺少什么或哪里有误。" in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not MaterialCheck.objects.filter(material__case=case).exists()

    response = client.post(url, {"result_GSZC": "MISSING", "reason_GSZC": "未提交", "paper_GSDJSQS": "on"})
    assert response.status_code == 303 and response["Location"].endswith("#decide")
    checks = {c.material.code: c for c in MaterialCheck.objects.filter(material__case=case)}
    assert checks["GSZC"].result == "MISSING" and checks["GSZC"].reason == "未提交"
    assert checks["GSDJSQS"].result == "OK" and checks["GSDJSQS"].paper
    assert CaseMaterial.objects.get(case=case, code="GSDJSQS").paper

    before = CaseEvent.objects.filter(case=case, action="intake.checked").count()
    client.post(url, {"result_GSZC": "MISSING", "reason_GSZC": "未提交", "paper_GSDJSQS": "on"})
    assert CaseEvent.objects.filter(case=case, action="intake.checked").count() == before  # nothing changed

    client.post(url, {"result_GSZC": "MISSING", "reason_GSZC": "未提交", "paper_GSDJSQS": "on", "rest_ok": "on"})
    checks = {c.material.code: c.result for c in MaterialCheck.objects.filter(material__case=case)}
    assert checks == {code: "MISSING" if code == "GSZC" else "OK" for code in submit_codes(case)}


def test_a_paper_original_cannot_be_wrong(people, clock, signed_in):
    case = submit(people)
    response = signed_in(people.clerk).post(
        f"/work/cases/{case.pk}/checks/", {"result_GSZC": "WRONG", "reason_GSZC": "x", "paper_GSZC": "on"}
    )
    assert response.status_code == 400 and "纸质原件已核验的材料应判为“正确”。" in response.content.decode()


def test_another_window_cannot_check(people, clock, signed_in):
    case = submit(people)
    response = signed_in(people.other_clerk).post(f"/work/cases/{case.pk}/checks/", {"result_GSZC": "OK"})
    assert response.status_code == 404
    assert signed_in(people.supervisor).post(f"/work/cases/{case.pk}/checks/", {"result_GSZC": "OK"}).status_code == 403


# ------------------------------------------------------------------ decisions


def test_accepting_with_a_written_promise_for_the_missing_tolerable_material(people, clock, signed_in):
    case = submit(people, skip=["WSJC"])
    client = signed_in(people.clerk)
    client.post(f"/work/cases/{case.pk}/checks/", {**all_ok(case), "result_WSJC": "MISSING", "reason_WSJC": "检测中"})
    page = client.get(f"/work/cases/{case.pk}/").content.decode()
    assert 'data-promise="WSJC"' in page and page.count("data-promise=") == 1

    due = (clock.today() + timedelta(days=10)).isoformat()
    response = client.post(f"/work/cases/{case.pk}/accept/", {"idempotency_key": key(), "promise_WSJC": "on"})
    assert response.status_code == 400
    assert (
        "请填写承诺补交日期。" in response.content.decode() and "请填写申请人的承诺内容。" in response.content.decode()
    )
    assert fresh(case).state == "SUBMITTED"

    form = {"idempotency_key": key(), "promise_WSJC": "on", "due_WSJC": due, "text_WSJC": "十日内补交检测报告"}
    response = client.post(f"/work/cases/{case.pk}/accept/", form, follow=True)
    assert "已受理，各部门已收到各自的事项。" in response.content.decode()
    assert fresh(case).state == "IN_PROGRESS"
    material = CaseMaterial.objects.get(case=case, code="WSJC")
    assert material.state == "PROMISED" and material.promise_due == date.fromisoformat(due)
    assert "受理回执（PDF）" in response.content.decode()
    assert ItemCase.objects.get(case=case, item_code="SCJG-GSSL").state == "DISPATCHED"


def test_accepting_too_early_says_what_is_missing_in_words(people, clock, signed_in):
    case = submit(people, skip=["GSZC"])
    client = signed_in(people.clerk)
    client.post(f"/work/cases/{case.pk}/checks/", {"result_GSZC": "MISSING", "reason_GSZC": "未提交"})
    response = client.post(f"/work/cases/{case.pk}/accept/", {"idempotency_key": key()}, follow=True)
    text = response.content.decode()
    assert "尚不能受理：" in text and "公司章程：缺少" in text and "尚未核验" in text
    assert fresh(case).state == "SUBMITTED"


def test_the_same_form_sent_twice_accepts_once(people, clock, signed_in):
    case = submit(people)
    client = signed_in(people.clerk)
    client.post(f"/work/cases/{case.pk}/checks/", all_ok(case))
    form = {"idempotency_key": key()}
    first = client.post(f"/work/cases/{case.pk}/accept/", form)
    second = client.post(f"/work/cases/{case.pk}/accept/", form, follow=True)
    assert first.status_code == 303
    assert "已受理" in second.content.decode()
    assert CaseEvent.objects.filter(case=case, action="case.accepted").count() == 1
    third = client.post(f"/work/cases/{case.pk}/accept/", {"idempotency_key": key()}, follow=True)
    assert "现在不能这样办理：办件状态为“部门办理中”。" in third.content.decode()


def test_the_correction_notice_lists_every_problem_and_can_be_printed(people, clock, signed_in):
    case = submit(people, skip=["GSZC"])
    client = signed_in(people.clerk)
    response = client.post(f"/work/cases/{case.pk}/correction/", {"idempotency_key": key()}, follow=True)
    assert "没有核验为缺少或有误的材料，无需发出补正告知。" in response.content.decode()
    client.post(
        f"/work/cases/{case.pk}/checks/",
        {"result_GSZC": "MISSING", "reason_GSZC": "未提交章程", "result_DZFW": "WRONG", "reason_DZFW": "无盖章"},
    )
    response = client.post(f"/work/cases/{case.pk}/correction/", {"idempotency_key": key()}, follow=True)
    assert fresh(case).state == "CORRECTION_REQUESTED"
    assert f'href="/work/cases/{case.pk}/notices/1.pdf"' in response.content.decode()
    notice = client.get(f"/work/cases/{case.pk}/notices/1.pdf")
    assert notice["Content-Type"] == "application/pdf"
    text = pdf_text(notice.content)
    for expected in (
        "补正材料一次性告知书",
        format_code(case.tracking_code),
        "公司章程",
        "未提交章程",
        "无盖章",
        "有误或不完整",
    ):
        assert expected in text, expected
    assert client.get(f"/work/cases/{case.pk}/notices/2.pdf").status_code == 404


def test_refusing_needs_a_reason(people, clock, signed_in):
    case = submit(people)
    client = signed_in(people.clerk)
    response = client.post(f"/work/cases/{case.pk}/refuse/", {"idempotency_key": key(), "refuse-reason": "  "})
    assert response.status_code == 400 and "请填写理由。" in response.content.decode()
    response = client.post(
        f"/work/cases/{case.pk}/refuse/", {"idempotency_key": key(), "refuse-reason": "不属于本机关职权"}, follow=True
    )
    assert "已不予受理" in response.content.decode()
    assert fresh(case).state == "REFUSED" and fresh(case).decision_reason == "不属于本机关职权"


# ------------------------------------------------------------------ bill and issuance


def ready_hotel(people: People) -> Case:
    case = accepted(people)
    while True:
        running = ItemCase.objects.filter(case=case, state__in=["DISPATCHED", "IN_REVIEW"]).select_related("department")
        if not running:
            return fresh(case)
        for running_item in running:
            approve(people, running_item)


def test_the_bill_is_paid_then_every_result_is_issued(people, clock, signed_in):
    case = ready_hotel(people)
    assert case.state == "READY"
    client = signed_in(people.clerk)
    queue = client.get("/work/window/issuance/").content.decode()
    assert case.tracking_code in queue and "¥70.00" in queue and "待缴费" in queue

    page = page_text(client.get(f"/work/cases/{case.pk}/"))
    assert "公共场所卫生许可 ¥20.00" in page and "户外广告设置审批 ¥50.00" in page and "合计 ¥70.00" in page
    response = client.post(f"/work/cases/{case.pk}/issue/", {"idempotency_key": key(), "method": "PICKUP"}, follow=True)
    assert "账单尚未缴清，不能出件。" in response.content.decode()

    assert client.post(f"/work/cases/{case.pk}/pay/", {"idempotency_key": key(), "reference": ""}).status_code == 400
    client.post(f"/work/cases/{case.pk}/pay/", {"idempotency_key": key(), "reference": "财政票据 0001"})
    assert Bill.objects.get(case=case).status == "PAID"

    response = client.post(f"/work/cases/{case.pk}/issue/", {"idempotency_key": key(), "method": "MAIL"})
    assert response.status_code == 400 and "邮寄出件须填写快递单号。" in response.content.decode()
    response = client.post(
        f"/work/cases/{case.pk}/issue/",
        {"idempotency_key": key(), "method": "MAIL", "tracking_number": "SF1234567890"},
        follow=True,
    )
    assert "已统一出件" in response.content.decode() and "SF1234567890" in response.content.decode()
    assert fresh(case).state == "ISSUED"
    assert format_code(case.tracking_code) in client.get("/work/window/issuance/").content.decode()  # recently issued


# ------------------------------------------------------------------ files and documents


def test_material_files_go_through_the_access_checks(people, clock, signed_in):
    case = accepted(people)
    url = f"/work/cases/{case.pk}/materials/DZFW/file"
    response = signed_in(people.clerk).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert signed_in(people.other_clerk).get(url).status_code == 404
    assert signed_in(people.reviewer("WJ")).get(url).status_code == 404  # its item waits
    ItemCase.objects.filter(case=case, department__code="WJ").update(state="IN_REVIEW")
    assert signed_in(people.reviewer("WJ")).get(url).status_code == 200  # 公共场所卫生许可 needs it
    assert signed_in(people.reviewer("GA")).get(url).status_code == 404  # its items do not
    assert signed_in(people.clerk).get(f"/work/cases/{case.pk}/materials/YYZZ/file").status_code == 404  # no file yet


def test_the_receipt_is_a_pdf_with_the_case_text_and_an_embedded_chinese_font(people, clock, signed_in):
    promise = MaterialPromise(due=clock.today() + timedelta(days=7), text="七日内补交")
    case = accepted(people, skip=("WSJC",), promises={"WSJC": promise})
    client = signed_in(people.clerk)
    response = client.get(f"/work/cases/{case.pk}/receipt.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in (
        "受理回执",
        format_code(case.tracking_code),
        "我要开酒店、宾馆",
        "武汉联办酒店有限公司",
        "公司章程",
        "公共场所卫生检测或者评价报告",
        "七日内补交",
        "营业执照",
        "公司设立登记",
    ):
        assert expected in text, expected
    fonts = pdf_fonts(response.content)
    assert fonts and all(f["name"].endswith("+LianbanSansSC") and f["embedded"] == ["/FontFile2"] for f in fonts)
    assert signed_in(people.supervisor).get(f"/work/cases/{case.pk}/receipt.pdf").status_code == 200
    # the applicant gets it from the API (/api/cases/{id}/receipt), not from the staff pages
    assert signed_in(people.applicant_user).get(f"/work/cases/{case.pk}/receipt.pdf").status_code == 403
    assert signed_in(people.reviewer("SCJG")).get(f"/work/cases/{case.pk}/receipt.pdf").status_code == 403
    assert signed_in(people.other_user).get(f"/work/cases/{case.pk}/receipt.pdf").status_code == 404


def test_there_is_no_receipt_before_acceptance(people, clock, signed_in):
    case = submit(people)
    assert signed_in(people.clerk).get(f"/work/cases/{case.pk}/receipt.pdf").status_code == 404


def test_the_workbench_home_sends_each_role_to_its_page(people, signed_in):
    expected = {
        people.clerk: "/work/window/",
        people.reviewer("SCJG"): "/work/department/",
        people.supervisor: "/work/supervision/",
        people.admin: "/work/catalog/",
        people.applicant_user: "/",
    }
    for user, url in expected.items():
        assert signed_in(user).get("/work/")["Location"] == url


def test_marking_the_rest_correct_leaves_a_material_never_handed_in_unchecked(people, clock, signed_in):
    case = submit(people, skip=["WSJC"])
    signed_in(people.clerk).post(f"/work/cases/{case.pk}/checks/", {"rest_ok": "on"})
    checked = set(MaterialCheck.objects.filter(material__case=case).values_list("material__code", flat=True))
    assert checked == set(submit_codes(case)) - {"WSJC"}


def test_items_before_acceptance_say_waiting_for_acceptance(people, clock, signed_in):
    case = submit(people)
    client = signed_in(people.clerk)
    html = client.get(f"/work/cases/{case.pk}/").content.decode()
    rows = re.findall(r'<tr data-item="[^"]+" data-state="WAITING">.*?</tr>', html, flags=re.S)
    assert rows and all("待受理" in row and "等待前序事项" not in row for row in rows)
    accepted_case = accepted(people)
    html = client.get(f"/work/cases/{accepted_case.pk}/").content.decode()
    waiting = re.findall(r'<tr data-item="[^"]+" data-state="WAITING">.*?</tr>', html, flags=re.S)
    assert waiting and all("等待前序事项" in row for row in waiting)
