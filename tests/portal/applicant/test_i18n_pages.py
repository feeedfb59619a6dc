"""The applicant pages in Chinese show no English: every word a person reads comes through the catalog.

Latin that is data (tracking codes, identity and licence numbers, file names, the tracking URL) is allowed.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from lianban.core.tracking import format_code
from lianban.intake.services import MaterialPromise, intake_accept, intake_request_correction
from lianban.licences.models import Licence
from lianban.review.services import item_case_request_supplement, item_case_take
from tests.cases.kit import check_all, items, submit
from tests.portal.test_i18n import ENGLISH_WORD, english_words

from .helpers import hotel_draft
from .test_cases import accept, approve_all

pytestmark = pytest.mark.django_db


def leaks(html: str, *data: str) -> list[str]:
    allowed = set(ENGLISH_WORD.findall(" ".join(data)))
    return [word for word in english_words(html) if word not in allowed]


def test_every_applicant_page_reads_in_chinese(client, people, clock):
    client.force_login(people.applicant_user)
    zh = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    draft = hotel_draft(people)
    correction = submit(people)
    check_all(people, correction, results={"GSZC": ("WRONG", "缺少签字")})
    intake_request_correction(actor=people.clerk, case_id=correction.pk)
    running = submit(people, skip=["WSJC"])
    check_all(people, running, results={"WSJC": ("MISSING", "未检测")})
    intake_accept(
        actor=people.clerk,
        case_id=running.pk,
        promises={"WSJC": MaterialPromise(clock.today() + timedelta(days=5), "后补")},
    )
    gssl = items(running)["SCJG-GSSL"]
    item_case_take(actor=people.reviewer("SCJG"), item_case_id=gssl.pk)
    item_case_request_supplement(actor=people.reviewer("SCJG"), item_case_id=gssl.pk, reason="补充决议")
    ready = submit(people, thing="KFG", answers={"area": 200})
    accept(people, ready)
    approve_all(people, ready)

    data = [people.applicant_user.username, people.applicant.id_number, "http://testserver/track/", "pdf"]
    data += list(Licence.objects.values_list("number", flat=True))
    for case in (correction, running, ready):
        data += [
            format_code(case.tracking_code),
            " ".join(case.tracking_code),
            *case.materials.values_list("original_name", flat=True),
        ]
    pages = [
        "/apply/KJD/?area=600&central_ac=true&has_catering=true",
        f"/apply/drafts/{draft.pk}/",
        "/my/cases/",
        f"/my/cases/{correction.pk}/",
        f"/my/cases/{running.pk}/",
        f"/my/cases/{ready.pk}/",
        f"/my/cases/{ready.pk}/submitted/",
        "/my/licences/",
        f"/track/{correction.tracking_code}/",
        "/track/?code=不存在",
    ]
    for page in pages:
        response = client.get(page, **zh)
        assert response.status_code in (200, 404), page
        assert leaks(response.content.decode(), *data) == [], page
    # with errors: the start page, a draft submitted incomplete
    errors = client.post("/apply/KJD/", {"applicant": "new", "new-id_number": "91110000100000000A"}, **zh)
    assert leaks(errors.content.decode(), *data) == []
    incomplete = client.post(
        f"/apply/drafts/{draft.pk}/",
        {"action": "submit", "answer-area": "600", "answer-central_ac": "true", "answer-has_catering": "true"},
        **zh,
    )
    assert incomplete.status_code == 400
    assert leaks(incomplete.content.decode(), *data) == []
    client.force_login(people.clerk)
    assert leaks(client.get("/apply/KJD/", **zh).content.decode(), people.clerk.username) == []
