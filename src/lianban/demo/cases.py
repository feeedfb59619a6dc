"""Demo cases: an enterprise applicant, licences in the library, cases in several states.

``demo_cases_load()`` is called by the demo command after the catalog and the
demo accounts are loaded. It is idempotent: a second run finds the demo
applicant's cases and changes nothing. Everything goes through the services,
so the demo cases have the same audit trail as real ones.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from django.core.files.base import ContentFile
from django.db import transaction

from pypdf import PdfWriter

from lianban.accounts.models import Applicant, Role, User
from lianban.accounts.services import applicant_create
from lianban.cases import clock
from lianban.cases.models import Case, ItemCase, ItemState
from lianban.cases.services import case_submit
from lianban.catalog.models import Department, Material
from lianban.catalog.selectors import compiled_thing
from lianban.core.errors import CalendarNotCovered
from lianban.core.planner import plan
from lianban.intake.services import intake_accept, intake_check
from lianban.licences.selectors import licence_codes_held
from lianban.licences.services import licence_record
from lianban.review.services import item_case_approve, item_case_take

DEMO_PASSWORD = "lianban-demo"  # noqa: S105 - the demo's shared password, printed on screen
DEMO_USCC = "91420100MA4K12345K"
DEMO_REVIEWER_DEPARTMENTS = ("ZJ", "STHJ", "XF", "WJ", "GA", "CG")
#: Plausible values for every form field the demo catalog asks for (the demo
#: cases and the tests fill their forms from it; unknown keys get "示例<key>").
SAMPLE_FORM: Mapping[str, str | int | bool] = {
    "company_name": "武汉联办酒店有限公司",
    "uscc": "91110000100000000R",
    "address": "武汉市江岸区沿江大道188号",
    "legal_person": "张三",
    "legal_person_id_no": "11010519491231002X",
    "contact_phone": "13800000000",
    "registered_capital": 50,
    "business_scope": "住宿服务；餐饮服务",
    "business_scope_drugs": "中成药、化学药制剂、抗生素制剂、生化药品",
    "device_scope": "第二类医疗器械（体温计、血压计、家用血糖仪）",
    "shareholders": "张三 100%",
    "food_business_items": "热食类食品制售",
    "operating_area": 600,
    "building_area": 600,
    "project_name": "联办酒店装修工程",
    "project_type": "装修",
    "design_unit": "武汉建筑设计院",
    "construction_unit": "武汉第一建设有限公司",
    "venue_name": "联办酒店",
    "venue_type": "宾馆",
    "central_ac": True,
    "room_count": 80,
    "bed_count": 120,
    "opening_date": "2027-03-01",
    "fire_safety_manager": "李安全",
    "security_officer": "赵平安",
    "quality_manager": "王质量",
    "pharmacist_count": 2,
    "ad_content": "联办酒店",
    "ad_location": "沿江大道188号正门上方",
    "ad_size": "6米×1.2米",
}


def sample_form(fields: list[str] | tuple[str, ...]) -> dict[str, str | int | bool]:
    """A complete merged form for ``fields``, with plausible values (for the demo and tests)."""
    return {key: SAMPLE_FORM.get(key, f"示例{key}") for key in fields}


@lru_cache(maxsize=1)
def _demo_pdf() -> bytes:
    """A one-page blank PDF: uploads are parsed, so a demo material must be a real PDF."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class DemoCase:
    """One demo case, as printed by the demo command."""

    tracking_code: str
    thing: str
    state: str


def _user(username: str, role: str, department: str | None, display_name: str) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "role": role,
            "display_name": display_name,
            "department": Department.objects.get(code=department) if department else None,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _reviewer_for(department: str) -> User:
    if department == "SCJG":
        return _user("reviewer", Role.REVIEWER, "SCJG", "王五（市场监管局审批员）")
    name = Department.objects.get(code=department).name
    return _user(f"reviewer_{department}", Role.REVIEWER, department, f"{name}审批员")


def _submit(applicant_user: User, applicant: Applicant, thing: str, answers: Mapping[str, object]) -> Case:
    held = licence_codes_held(holder=applicant, on=clock.today())
    planned = plan(compiled_thing(thing), answers, held)
    form = sample_form(planned.fields)
    known = {"company_name": applicant.name, "uscc": applicant.id_number, "address": applicant.address}
    form.update({key: value for key, value in known.items() if key in planned.fields})
    files = {
        m.code: ContentFile(_demo_pdf(), name=f"{m.code}.pdf") for m in planned.materials if m.provenance == "submit"
    }
    return case_submit(
        actor=applicant_user, applicant=applicant, thing_code=thing, answers=answers, form=form, files=files
    )


def _accept(clerk: User, case: Case) -> None:
    for material in case.materials.filter(provenance="submit"):
        intake_check(actor=clerk, case_id=case.pk, material_code=material.code, result="OK")
    intake_accept(actor=clerk, case_id=case.pk)


def _approve_open_items(case: Case, *, only: set[str] | None = None) -> None:
    while True:
        running = [
            item
            for item in ItemCase.objects.filter(case=case, state__in=[ItemState.DISPATCHED, ItemState.IN_REVIEW])
            .select_related("department")
            .order_by("position")
            if only is None or item.item_code in only
        ]
        if not running:
            return
        for item in running:
            reviewer = _reviewer_for(item.department.code)
            if item.state == ItemState.DISPATCHED:
                item_case_take(actor=reviewer, item_case_id=item.pk)
            item_case_approve(
                actor=reviewer,
                item_case_id=item.pk,
                licence_number=f"DEMO-{case.tracking_code[:4]}-{item.item_code}",
                valid_until=clock.today() + timedelta(days=5 * 365),
            )


@transaction.atomic
def demo_cases_load() -> list[DemoCase]:
    """Create the demo applicant, its licences, reviewers of every hotel department and three cases.

    Cases: a hotel (KJD) waiting at the window, a hotel in progress (stage 2
    running in parallel), and a restaurant (KFG) ready for issuance. Idempotent.
    """
    applicant_user = _user("applicant", Role.APPLICANT, None, "张三（申请人）")
    clerk = _user("clerk", Role.CLERK, "SCJG", "李四（综合窗口）")
    for code in ("SCJG", *DEMO_REVIEWER_DEPARTMENTS):
        _reviewer_for(code)
    applicant = applicant_create(
        actor=applicant_user,
        kind="enterprise",
        id_number=DEMO_USCC,
        name="武汉联办示范酒店管理有限公司",
        contact_name="张三",
        contact_phone="13800138000",
        address="湖北省武汉市洪山区珞喻路1号",
    )
    existing = list(Case.objects.filter(applicant=applicant).order_by("submitted_at", "id"))
    if existing:
        return [DemoCase(c.tracking_code, c.thing.code, c.state) for c in existing]

    today = clock.today()
    for code, number, department in (("SFZ", "11010519491231002X", "GA"), ("GDZG", "DEMO-GDZG-0001", "SCJG")):
        licence_record(
            actor=None,
            material=Material.objects.get(code=code),
            number=number,
            holder=applicant,
            department=Department.objects.get(code=department),
            issued_on=today - timedelta(days=365),
            valid_until=date(today.year + 10, 12, 31),
        )

    hotel = {"area": 600, "central_ac": True, "has_catering": True}
    waiting = _submit(applicant_user, applicant, "KJD", hotel)
    created = [waiting]
    try:
        running = _submit(applicant_user, applicant, "KJD", {"area": 400, "central_ac": False, "has_catering": False})
        _accept(clerk, running)
        _approve_open_items(running, only={"SCJG-GSSL"})
        ready = _submit(applicant_user, applicant, "KFG", {"area": 200})
        _accept(clerk, ready)
        _approve_open_items(ready)
        created += [running, ready]
    except CalendarNotCovered:
        # a year the working-day calendar does not cover: only the case waiting at the window
        pass
    return [DemoCase(c.tracking_code, c.thing.code, Case.objects.get(pk=c.pk).state) for c in created]
