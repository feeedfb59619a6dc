"""The department workbench through the Django test client: the queue, the item case page, its decisions."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest

from lianban.cases.models import CaseMaterial, ItemCase
from lianban.catalog.models import Department, Material
from lianban.intake.services import MaterialPromise
from lianban.licences.models import Licence
from lianban.licences.services import licence_record
from lianban.review.models import SupplementRequest
from lianban.review.services import item_case_supply, item_case_take
from tests.cases.kit import PDF, fresh, pdf
from tests.workbench.kit import accepted, approve, item

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def key() -> str:
    return str(uuid.uuid4())


def test_the_queue_holds_only_the_departments_items_by_due_date(people, clock, signed_in):
    first = accepted(people)
    clock.working_days(1)
    second = accepted(people)
    approve(people, item(first, "SCJG-GSSL"))  # 食品经营许可 of the first case starts today
    client = signed_in(people.reviewer("SCJG"))
    html = client.get("/work/department/").content.decode()
    rows = re.findall(r'<tr data-item="([\w-]+)" data-case="(\w+)"', html)
    # 公司设立登记 of the second case is due tomorrow, 食品经营许可 of the first in 5 working days
    assert rows == [("SCJG-GSSL", second.tracking_code), ("SCJG-SPJY", first.tracking_code)]
    assert "正常" in html or "即将到期" in html
    assert "公共场所卫生许可" not in html  # another department's item

    other = signed_in(people.reviewer("WJ")).get("/work/department/").content.decode()
    assert re.findall(r'<tr data-item="([\w-]+)"', other) == ["WJ-GGWS"]


@pytest.mark.parametrize("who", ["clerk", "supervisor", "admin", "applicant_user"])
def test_the_queue_is_for_reviewers(people, who, signed_in):
    assert signed_in(getattr(people, who)).get("/work/department/").status_code == 403


def test_the_item_page_shows_each_material_with_where_it_came_from(people, clock, signed_in):
    licence_record(
        actor=None,
        material=Material.objects.get(code="SFZ"),
        number="11010519491231002X",
        holder=people.applicant,
        department=Department.objects.get(code="GA"),
        issued_on=clock.today() - timedelta(days=100),
    )
    promise = MaterialPromise(due=clock.today() + timedelta(days=5), text="五日内补交")
    case = accepted(people, skip=("WSJC",), promises={"WSJC": promise})
    approve(people, item(case, "SCJG-GSSL"), number="91110000MA00000009")
    hygiene = item(case, "WJ-GGWS")
    response = signed_in(people.reviewer("WJ")).get(f"/work/department/items/{hygiene.pk}/")
    assert response.status_code == 200
    text = text_of(response)
    assert "营业执照 由“公司设立登记”（市场监督管理局）产生（证照号 91110000MA00000009）" in text
    assert "法定代表人（负责人）身份证件 电子证照库调取（证照号 11010519491231002X）" in text
    assert "公共场所卫生许可申请表 申请人提交" in text
    assert "公共场所卫生检测或者评价报告 承诺后补（容缺）" in text
    assert "容缺受理：以下承诺材料补交前不能批准" in text
    assert "本事项的表单信息" in text and "场所类型" in text  # the item's own fields
    assert "食品经营项目" not in text  # a field only another item reads
    assert "已分送部门" in text  # its history
    html = response.content.decode()
    assert html.count("data-material=") == len([m for m in case.plan["materials"] if "WJ-GGWS" in m["needed_by"]])
    assert f'href="/work/cases/{case.pk}/materials/GGWSSQB/file"' in html
    assert f'action="/work/department/items/{hygiene.pk}/take/"' in html


def test_another_departments_item_case_is_404(people, clock, signed_in):
    case = accepted(people)
    own = item(case, "SCJG-GSSL")
    client = signed_in(people.reviewer("WJ"))
    assert client.get(f"/work/department/items/{own.pk}/").status_code == 404
    for action in ("take", "supplement", "approve", "reject"):
        assert client.post(f"/work/department/items/{own.pk}/{action}/", {"idempotency_key": key()}).status_code == 404
    assert fresh(case).state == "IN_PROGRESS" and item(case, "SCJG-GSSL").state == "DISPATCHED"


def test_a_supervisor_reads_an_item_case_but_cannot_decide(people, clock, signed_in):
    case = accepted(people)
    own = item(case, "SCJG-GSSL")
    client = signed_in(people.supervisor)
    html = client.get(f"/work/department/items/{own.pk}/").content.decode()
    assert "只有承办部门可以作出决定" in html and "/take/" not in html
    assert client.post(f"/work/department/items/{own.pk}/take/", {"idempotency_key": key()}).status_code == 403
    assert signed_in(people.clerk).get(f"/work/department/items/{own.pk}/").status_code == 403


def test_take_then_approve_with_the_result_starts_the_next_items(people, clock, signed_in):
    case = accepted(people)
    gssl = item(case, "SCJG-GSSL")
    client = signed_in(people.reviewer("SCJG"))
    url = f"/work/department/items/{gssl.pk}/"
    response = client.post(f"{url}take/", {"idempotency_key": key()}, follow=True)
    assert "已受理本事项，开始计时。" in response.content.decode()
    assert item(case, "SCJG-GSSL").state == "IN_REVIEW"

    response = client.post(f"{url}approve/", {"idempotency_key": key(), "licence_number": ""})
    assert response.status_code == 400 and "本事项颁发证照，请填写证照编号。" in response.content.decode()
    response = client.post(
        f"{url}approve/", {"idempotency_key": key(), "licence_number": "X1", "valid_until": "2020-01-01"}
    )
    assert response.status_code == 400 and "有效期不能早于今天。" in response.content.decode()

    form = {
        "idempotency_key": key(),
        "licence_number": "91110000MA00000001",
        "valid_until": (clock.today() + timedelta(days=3650)).isoformat(),
        "document": pdf("营业执照.pdf"),
    }
    response = client.post(f"{url}approve/", form, follow=True)
    assert "已批准本事项" in response.content.decode()
    approved = item(case, "SCJG-GSSL")
    assert approved.state == "APPROVED" and approved.document
    assert Licence.objects.get(item_case=approved).number == "91110000MA00000001"
    assert item(case, "WJ-GGWS").state == "DISPATCHED"  # the next stage started by itself
    assert CaseMaterial.objects.get(case=case, code="YYZZ").state == "RECEIVED"
    document = client.get(f"{url}document")
    assert b"".join(document.streaming_content) == PDF


def test_a_held_item_cannot_be_approved_and_says_why(people, clock, signed_in):
    promise = MaterialPromise(due=clock.today() + timedelta(days=5), text="五日内补交")
    case = accepted(people, skip=("WSJC",), promises={"WSJC": promise})
    approve(people, item(case, "SCJG-GSSL"))
    hygiene = item(case, "WJ-GGWS")
    reviewer = people.reviewer("WJ")
    item_case_take(actor=reviewer, item_case_id=hygiene.pk)
    client = signed_in(reviewer)
    page = client.get(f"/work/department/items/{hygiene.pk}/").content.decode()
    assert 'aria-describedby="held-note"' in page and " disabled" in page
    response = client.post(
        f"/work/department/items/{hygiene.pk}/approve/",
        {"idempotency_key": key(), "licence_number": "卫-001"},
        follow=True,
    )
    assert "容缺承诺的材料尚未补交：公共场所卫生检测或者评价报告" in response.content.decode()
    assert item(case, "WJ-GGWS").state == "IN_REVIEW"


def test_a_supplement_request_stops_the_clock_until_the_applicant_answers(people, clock, signed_in):
    case = accepted(people)
    gssl = item(case, "SCJG-GSSL")
    client = signed_in(people.reviewer("SCJG"))
    url = f"/work/department/items/{gssl.pk}/"
    client.post(f"{url}take/", {"idempotency_key": key()})
    response = client.post(f"{url}supplement/", {"idempotency_key": key(), "supplement-reason": ""})
    assert response.status_code == 400 and "请填写理由。" in response.content.decode()
    response = client.post(
        f"{url}supplement/", {"idempotency_key": key(), "supplement-reason": "章程缺少股东签字页"}, follow=True
    )
    text = text_of(response)
    assert "已要求申请人补正" in text
    assert f"自 {date(2025, 3, 3).year}年3月3日 起暂停计时：等待申请人补正。 章程缺少股东签字页" in text
    assert "等待补正（暂停计时）" in text
    queue = client.get("/work/department/").content.decode()
    assert "等待补正（暂停计时）" in queue

    clock.working_days(2)
    item_case_supply(actor=people.applicant_user, item_case_id=gssl.pk, note="已补签字页", file=pdf("签字页.pdf"))
    supplement = SupplementRequest.objects.get(item_case=gssl)
    text = text_of(client.get(url))
    assert "已补正（暂停计时 2 个工作日）：已补签字页" in text
    assert client.get(f"{url}supplements/{supplement.pk}/file").status_code == 200
    assert signed_in(people.reviewer("WJ")).get(f"{url}supplements/{supplement.pk}/file").status_code == 404


def test_rejecting_cancels_the_items_that_depend_on_it(people, clock, signed_in):
    case = accepted(people)
    gssl = item(case, "SCJG-GSSL")
    client = signed_in(people.reviewer("SCJG"))
    url = f"/work/department/items/{gssl.pk}/"
    client.post(f"{url}take/", {"idempotency_key": key()})
    page = client.get(url).content.decode()
    assert 'data-confirm="确定不予批准本事项吗？依赖它的后续事项将被取消。"' in page
    response = client.post(f"{url}reject/", {"idempotency_key": key(), "reject-reason": "名称与他人重复"}, follow=True)
    assert "已不予批准本事项" in response.content.decode()
    assert item(case, "SCJG-GSSL").state == "REJECTED"
    assert set(ItemCase.objects.filter(case=case).values_list("state", flat=True)) == {"REJECTED", "CANCELLED"}
    assert fresh(case).state == "READY"


def test_the_item_page_says_the_promised_days_or_on_the_spot(people, clock, signed_in):
    case = accepted(people)
    own = item(case, "SCJG-GSSL")
    client = signed_in(people.reviewer("SCJG"))
    page = client.get(f"/work/department/items/{own.pk}/").content.decode()
    assert f"承诺时限 {own.promised_days} 个工作日" in page and "即办" not in page
    ItemCase.objects.filter(pk=own.pk).update(promised_days=0)
    page = client.get(f"/work/department/items/{own.pk}/").content.decode()
    assert "即办" in page and "承诺时限 0" not in page
