"""Helpers of the applicant pages' tests."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from lianban.portal.models import Draft
from lianban.portal.services import draft_start
from tests.cases.kit import HOTEL, People

HOTEL_QUERY = "area=600&central_ac=true&has_catering=true"


def hotel_draft(people: People, answers: dict[str, Any] | None = None) -> Draft:
    """A hotel draft for the enterprise applicant, started through the service."""
    return draft_start(
        actor=people.applicant_user, applicant=people.applicant, thing_code="KJD", answers=answers or HOTEL
    )


def field_error(html: str, key: str) -> str:
    """The error shown next to a form field (``f-<key>-error``), "" when none."""
    match = re.search(rf'id="f-{re.escape(key)}-error">([^<]*)<', html)
    return unescape(match.group(1)) if match else ""


VALID = {
    "legal_person": "张三",
    "legal_person_id_no": "11010519491231002X",
    "registered_capital": "50",
    "business_scope": "住宿服务；餐饮服务",
    "shareholders": "张三 100%",
    "food_business_items": "热食类食品制售",
    "operating_area": "580.5",
    "project_name": "江城大酒店装修工程",
    "design_unit": "武汉设计院",
    "construction_unit": "武汉建工",
    "project_type": "装修",
    "venue_name": "江城大酒店",
    "fire_safety_manager": "李四",
    "venue_type": "宾馆",
    "ad_location": "酒店正门上方",
    "ad_size": "6 × 1.5",
    "ad_content": "江城大酒店",
    "room_count": "80",
    "bed_count": "120",
    "security_officer": "王五",
}


def complete(people: People, draft: Draft, *, skip: tuple[str, ...] = ()) -> Draft:
    """Fill in the whole form validly and upload every material to submit (but ``skip``)."""
    from lianban.portal.services import draft_file_store, draft_plan, draft_save
    from tests.cases.kit import pdf

    planned = draft_plan(draft)
    draft_save(
        actor=people.applicant_user, draft_id=draft.pk, form={k: v for k, v in VALID.items() if k in planned.fields}
    )
    for material in planned.materials:
        if material.provenance == "submit" and material.code not in skip:
            draft_file_store(
                actor=people.applicant_user,
                draft_id=draft.pk,
                material_code=material.code,
                file=pdf(f"{material.code}.pdf"),
            )
    draft.refresh_from_db()
    return draft
