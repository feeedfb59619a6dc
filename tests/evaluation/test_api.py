"""好差评 API: a second rating answers 409, an expired or spent token 404, bad input 400; the token's answer
echoes no level; the ticket runs through the API to its 复评."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lianban.cases.models import ItemCase
from lianban.evaluation.models import Rating, RectificationTicket
from lianban.evaluation.services import case_token
from tests.api.kit import Api
from tests.cases.kit import FrozenClock, People, pdf
from tests.evaluation.kit import issued

pytestmark = pytest.mark.django_db


def test_a_second_rating_of_the_same_service_answers_409(people: People, clock: FrozenClock) -> None:
    case = issued(people, clock)
    api = Api(people.applicant_user)
    first = api.call("POST", f"/api/cases/{case.pk}/ratings", {"level": 5, "comment": "很好"})
    assert first.status_code == 201, first.json()
    assert (first.json()["level"], first.json()["channel"]) == (5, "PORTAL")
    second = api.call("POST", f"/api/cases/{case.pk}/ratings", {"level": 1, "indicators": ["guide"]})
    assert second.status_code == 409 and second.json()["code"] == "already-rated"
    listed = api.call("GET", f"/api/cases/{case.pk}/ratings").json()
    assert [row["rated"] for row in listed][:1] == [True]
    assert Rating.objects.filter(case=case).count() == 1


@pytest.mark.parametrize(
    "body",
    [{"level": 0}, {"level": 6}, {"level": "x"}, {}, {"level": 5, "indicators": ["nonsense"]}, {"level": 2}],
)
def test_bad_input_answers_400(people: People, clock: FrozenClock, body: dict[str, object]) -> None:
    case = issued(people, clock)
    answer = Api(people.applicant_user).call("POST", f"/api/cases/{case.pk}/ratings", body)
    assert answer.status_code == 400, answer.json()
    assert not Rating.objects.exists()


def test_a_rating_of_an_item_not_in_the_case_answers_409(people: People, clock: FrozenClock) -> None:
    case = issued(people, clock)
    answer = Api(people.applicant_user).call("POST", f"/api/cases/{case.pk}/ratings", {"level": 5, "item_case": 999999})
    assert answer.status_code == 409 and answer.json()["code"] == "not-ratable"


def test_the_token_rates_without_sign_in_echoes_nothing_and_expires(people: People, clock: FrozenClock) -> None:
    case = issued(people, clock)
    token = case_token(case=case, channel="QR")
    anonymous = Api()
    offered = anonymous.call("GET", f"/api/ratings/token/{token.token}").json()
    assert offered["case"] == case.code_for_people and "level" not in str(offered["services"])
    assert [i["name"] for i in offered["indicators"]][:2] == ["整体满意度", "办事效率"]
    answer = anonymous.call("POST", f"/api/ratings/token/{token.token}", {"level": 4})
    assert answer.status_code == 201 and not answer.content
    assert anonymous.call("POST", f"/api/ratings/token/{token.token}", {"level": 4}).status_code == 409
    clock.moment += timedelta(days=31)
    expired = anonymous.call("GET", f"/api/ratings/token/{token.token}")
    assert expired.status_code == 404 and expired.json()["code"] == "rating-token-invalid"
    item = ItemCase.objects.filter(case=case, state="APPROVED").first()
    assert item is not None
    late = anonymous.call("POST", f"/api/ratings/token/{token.token}", {"level": 4, "item_case": item.pk})
    assert late.status_code == 404


def test_the_window_tablet_token_is_one_time(people: People, clock: FrozenClock) -> None:
    case = issued(people, clock)
    made = Api(people.clerk).call("POST", f"/api/cases/{case.pk}/visit-token")
    assert made.status_code == 201
    token = made.json()["token"]
    assert made.json()["url"].endswith(f"/rate/{token}/")
    anonymous = Api()
    assert anonymous.call("POST", f"/api/ratings/token/{token}", {"level": 5}).status_code == 201
    assert anonymous.call("POST", f"/api/ratings/token/{token}", {"level": 5}).status_code == 404


def test_the_ticket_runs_through_the_api(people: People, clock: FrozenClock) -> None:
    case = issued(people, clock)
    item = ItemCase.objects.get(case=case, item_code="SCJG-GSSL")
    applicant, unit = Api(people.applicant_user), Api(people.reviewer("SCJG"))
    rated = applicant.call(
        "POST", f"/api/cases/{case.pk}/ratings", {"level": 1, "item_case": item.pk, "indicators": ["efficiency"]}
    )
    assert rated.status_code == 201
    ticket = RectificationTicket.objects.get(rating_id=rated.json()["id"])
    base = f"/api/rectifications/{ticket.pk}"
    assert unit.call("POST", f"{base}/precheck", {"verdict": "TRUE", "note": "属实"}).status_code == 200
    assert unit.call("POST", f"{base}/visit", {"call_record": "已回访"}).status_code == 200
    rectified = unit.call("POST", f"{base}/rectify", {"rectification": "已整改", "evidence": pdf()}, multipart=True)
    assert rectified.status_code == 200 and rectified.json()["has_evidence"]
    assert unit.call("POST", f"{base}/feedback", {"feedback": "请复评"}).status_code == 200
    assert unit.call("POST", f"{base}/rerate", {"rerating": "SATISFIED"}).status_code == 403
    done = applicant.call("POST", f"{base}/rerate", {"rerating": "BASICALLY"})
    assert done.status_code == 200 and done.json()["state"] == "CLOSED"
    assert applicant.call("POST", f"{base}/rerate", {"rerating": "BASICALLY"}).status_code == 409
    listed = Api(people.supervisor).call("GET", "/api/rectifications", {"state": "CLOSED"}).json()["results"]
    assert [row["id"] for row in listed] == [ticket.pk]


def test_follow_up_once_through_the_api(people: People, clock: FrozenClock) -> None:
    case = issued(people, clock)
    api = Api(people.applicant_user)
    rating = api.call("POST", f"/api/cases/{case.pk}/ratings", {"level": 4}).json()
    assert api.call("POST", f"/api/ratings/{rating['id']}/follow-up", {"comment": "补充"}).status_code == 201
    assert api.call("POST", f"/api/ratings/{rating['id']}/follow-up", {"comment": "再补充"}).status_code == 409


def test_a_rating_sent_again_with_its_key_is_replayed_not_refused(people: People, clock: FrozenClock) -> None:
    case = issued(people, clock)
    api = Api(people.applicant_user)
    first = api.call("POST", f"/api/cases/{case.pk}/ratings", {"level": 4}, key="k-1")
    again = api.call("POST", f"/api/cases/{case.pk}/ratings", {"level": 4}, key="k-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert Rating.objects.filter(case=case).count() == 1
