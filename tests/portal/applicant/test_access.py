"""Another applicant's case or draft answers 404 on every page and action; anonymous visitors log in first."""

from __future__ import annotations

import pytest

from lianban.cases.models import Case
from lianban.portal.models import Draft
from lianban.portal.services import draft_file_store
from tests.cases.kit import items, pdf, submit

from .helpers import hotel_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def stranger(client, people, clock):
    """Signed in as an applicant who acts for another enterprise."""
    client.force_login(people.other_user)
    return client


def test_another_applicants_draft_is_not_found(stranger, people):
    draft = hotel_draft(people)
    draft_file_store(actor=people.applicant_user, draft_id=draft.pk, material_code="GSZC", file=pdf())
    base = f"/apply/drafts/{draft.pk}"
    assert stranger.get(f"{base}/").status_code == 404
    assert stranger.post(f"{base}/", {"action": "save", "field-legal_person": "x"}).status_code == 404
    assert stranger.post(f"{base}/", {"action": "submit"}).status_code == 404
    assert stranger.post(f"{base}/materials/GSZC/", {"file": pdf()}).status_code == 404
    assert stranger.get(f"{base}/materials/GSZC/file/").status_code == 404
    assert stranger.post(f"{base}/delete/").status_code == 404
    assert Draft.objects.filter(pk=draft.pk).exists()
    assert "legal_person" not in Draft.objects.get(pk=draft.pk).form


def test_another_applicants_case_is_not_found(stranger, people):
    case = submit(people)
    item = items(case)["SCJG-GSSL"]
    base = f"/my/cases/{case.pk}"
    for url in (f"{base}/", f"{base}/submitted/", f"{base}/materials/GSZC/file/"):
        assert stranger.get(url).status_code == 404, url
    for url in (f"{base}/resubmit/", f"{base}/withdraw/", f"{base}/items/{item.pk}/supply/"):
        assert stranger.post(url, {"reason": "x", "note": "x"}).status_code == 404, url
    assert stranger.post(f"{base}/materials/GSZC/", {"file": pdf()}).status_code == 404
    assert Case.objects.get().state == "SUBMITTED"
    assert case.tracking_code not in stranger.get("/my/cases/").content.decode()


def test_an_item_of_another_case_cannot_be_supplied_through_mine(client, people, clock):
    mine = submit(people)
    theirs = submit(people)
    client.force_login(people.applicant_user)
    other_item = items(theirs)["SCJG-GSSL"]  # same applicant, but the URL pairs the wrong case and item
    response = client.post(f"/my/cases/{mine.pk}/items/{other_item.pk}/supply/", {"note": "x"})
    assert response.status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, people):
    for url in ("/my/cases/", "/my/licences/", "/apply/drafts/1/", "/my/cases/1/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
