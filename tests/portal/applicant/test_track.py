"""Public tracking by code: no login, progress by stage and item, the ETA, and no personal data."""

from __future__ import annotations

import pytest

from lianban.core.tracking import format_code
from tests.cases.kit import check_all, fresh, submit

pytestmark = pytest.mark.django_db


def test_the_form_takes_a_code_however_it_is_typed_and_goes_to_its_page(client, people, clock):
    case = submit(people)
    code = format_code(case.tracking_code)
    sloppy = " " + case.tracking_code.lower()[:6] + " " + case.tracking_code.lower()[6:]
    response = client.get("/track/", {"code": sloppy})
    assert response.status_code == 302
    assert response["Location"] == f"/track/{code}/"


def test_the_tracking_page_shows_progress_without_personal_data(client, people, clock):
    case = submit(people)
    check_all(people, case)
    from lianban.intake.services import intake_accept

    intake_accept(actor=people.clerk, case_id=case.pk)
    case = fresh(case)
    response = client.get(f"/track/{format_code(case.tracking_code)}/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert "我要开酒店、宾馆" in html
    assert "Accepted: the departments are working on it" in html
    assert html.count('class="stage stage-') == 5
    assert 'data-item="SCJG-GSSL" data-state="DISPATCHED"' in html
    assert f"<dt>Expected ready</dt><dd>{case.eta.month}/{case.eta.day}/{case.eta.year}</dd>" in html
    # nothing about who applies or what they wrote
    personal = [
        people.applicant.name,
        people.applicant.id_number,
        people.applicant.contact_name,
        people.applicant.contact_phone,
        people.applicant.address,
        people.applicant_user.username,
        # what they wrote in the form (a word that is also in the one-thing's name, such as 宾馆, is not a leak)
        *(value for value in case.form.values() if isinstance(value, str) and value not in "我要开酒店、宾馆"),
        ".pdf",
    ]
    leaks = [value for value in personal if value and value in html]
    assert leaks == []
    assert 'href="/my/cases/' not in html


def test_a_wrong_code_is_a_friendly_not_found_with_the_input_kept(client, people, clock):
    submit(people)
    for response in (client.get("/track/", {"code": "ABCD-EFGH-JKMN"}), client.get("/track/ABCD-EFGH-JKMN/")):
        html = response.content.decode()
        assert response.status_code == 404
        assert 'value="ABCD-EFGH-JKMN"' in html
        assert "没有找到这个编号的办件" in html
        assert 'aria-invalid="true"' in html
    garbage = client.get("/track/", {"code": "<script>"})
    assert garbage.status_code == 404
    assert 'value="&lt;script&gt;"' in garbage.content.decode()


def test_the_empty_form_asks_for_a_code(client, db):
    response = client.get("/track/")
    assert response.status_code == 200
    assert '<label for="track-code" class="search-label">办件编号</label>' in response.content.decode()
