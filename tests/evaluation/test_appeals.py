"""申诉: the rated unit appeals a 差评 with evidence; only a supervisor decides; an upheld appeal keeps the rating
on the record but out of the statistics, with the reason shown; the evaluator is masked from the unit on the
ticket and appeal pages and in the API."""

from __future__ import annotations

import pytest

from lianban.cases.models import CaseEvent, ItemCase
from lianban.cases.uploads import UploadRefused
from lianban.core.case_errors import ChoiceInvalid, TextRequired
from lianban.core.errors import NotAllowed, NotVisible
from lianban.core.evaluation import AppealDecided, AppealRefused
from lianban.evaluation import services as ev
from lianban.evaluation.models import Appeal, Rating, RectificationTicket
from lianban.evaluation.selectors import counted_ratings
from tests.api.kit import Api
from tests.cases.kit import FrozenClock, People, pdf
from tests.evaluation.kit import issued

pytestmark = pytest.mark.django_db

APPLICANT_NAME = "武汉联办酒店有限公司"


def bad_ticket(people: People, clock: FrozenClock) -> RectificationTicket:
    case = issued(people, clock)
    item = ItemCase.objects.get(case=case, item_code="SCJG-GSSL")
    rating = ev.rating_give(
        actor=people.applicant_user,
        case_id=case.pk,
        item_case_id=item.pk,
        given=ev.Given(level=1, indicators=["efficiency"], comment="乱评"),
    )
    return RectificationTicket.objects.select_related("case").get(rating=rating)


def file(people: People, ticket: RectificationTicket) -> Appeal:
    return ev.appeal_file(
        actor=people.reviewer("SCJG"), ticket_id=ticket.pk, grounds="MALICIOUS", statement="恶意差评", evidence=pdf()
    )


def test_the_unit_appeals_with_evidence_once_and_on_the_trail(people: People, clock: FrozenClock) -> None:
    ticket = bad_ticket(people, clock)
    appeal = file(people, ticket)
    assert (appeal.state, appeal.department_id, appeal.rating_id) == ("PENDING", ticket.department_id, ticket.rating_id)
    assert str(appeal.evidence.name).startswith(f"evaluation/appeals/{ticket.pk}/")
    event = CaseEvent.objects.get(case=ticket.case, action="appeal.filed")
    assert event.after["appeal"] == appeal.pk and event.after["evidence"]["sha256"]
    with pytest.raises(AppealRefused):
        file(people, ticket)  # once per rating
    with pytest.raises(AppealRefused):  # the clerk of the same unit: the rating is already appealed
        ev.appeal_file(actor=people.clerk, ticket_id=ticket.pk, grounds="WRONG", statement="x", evidence=pdf())


def test_only_the_rated_unit_appeals_and_the_evidence_is_checked(people: People, clock: FrozenClock) -> None:
    ticket = bad_ticket(people, clock)
    args = {"ticket_id": ticket.pk, "grounds": "WRONG", "statement": "评错了部门"}
    with pytest.raises(NotAllowed):
        ev.appeal_file(actor=people.supervisor, evidence=pdf(), **args)
    with pytest.raises(NotAllowed):
        ev.appeal_file(actor=people.applicant_user, evidence=pdf(), **args)
    with pytest.raises(NotVisible):
        ev.appeal_file(actor=people.reviewer("GA"), evidence=pdf(), **args)
    unit = people.reviewer("SCJG")
    with pytest.raises(ChoiceInvalid):
        ev.appeal_file(actor=unit, evidence=None, **args)
    with pytest.raises(ChoiceInvalid):
        ev.appeal_file(actor=unit, evidence=pdf(), **{**args, "grounds": "NONSENSE"})
    with pytest.raises(TextRequired):
        ev.appeal_file(actor=unit, evidence=pdf(), **{**args, "statement": "  "})
    with pytest.raises(UploadRefused):
        ev.appeal_file(actor=unit, evidence=pdf("x.pdf", b"MZ not a pdf at all"), **args)
    assert not Appeal.objects.exists()


def test_a_good_or_default_rating_cannot_be_appealed() -> None:
    from lianban.core.evaluation import appealable

    with pytest.raises(AppealRefused):
        appealable(4, is_default=False, already=False)
    with pytest.raises(AppealRefused):
        appealable(3, is_default=True, already=False)
    appealable(2, is_default=False, already=False)


def test_only_a_supervisor_decides_and_only_once(people: People, clock: FrozenClock) -> None:
    ticket = bad_ticket(people, clock)
    appeal = file(people, ticket)
    for user in (people.reviewer("SCJG"), people.clerk):
        with pytest.raises(NotAllowed):
            ev.appeal_decide(actor=user, appeal_id=appeal.pk, outcome="UPHELD", reason="我们自己说了算")
    with pytest.raises(NotVisible):
        ev.appeal_decide(actor=people.reviewer("GA"), appeal_id=appeal.pk, outcome="UPHELD", reason="x")
    with pytest.raises(TextRequired):
        ev.appeal_decide(actor=people.supervisor, appeal_id=appeal.pk, outcome="UPHELD", reason="")
    with pytest.raises(ChoiceInvalid):
        ev.appeal_decide(actor=people.supervisor, appeal_id=appeal.pk, outcome="PENDING", reason="x")
    done = ev.appeal_decide(actor=people.supervisor, appeal_id=appeal.pk, outcome="REJECTED", reason="证据不足")
    assert (done.state, done.decided_by_id, done.decision_reason) == ("REJECTED", people.supervisor.pk, "证据不足")
    with pytest.raises(AppealDecided):
        ev.appeal_decide(actor=people.supervisor, appeal_id=appeal.pk, outcome="UPHELD", reason="改判")
    assert CaseEvent.objects.filter(case=ticket.case, action="appeal.rejected").count() == 1
    assert counted_ratings().filter(pk=ticket.rating_id).exists()  # a rejected appeal: the rating counts


def test_an_upheld_appeal_keeps_the_rating_but_leaves_the_statistics(people: People, clock: FrozenClock) -> None:
    ticket = bad_ticket(people, clock)
    ev.rating_give(actor=people.applicant_user, case_id=ticket.case_id, item_case_id=None, given=ev.Given(level=5))
    assert counted_ratings().filter(case=ticket.case).count() == 2
    appeal = file(people, ticket)
    ev.appeal_decide(actor=people.supervisor, appeal_id=appeal.pk, outcome="UPHELD", reason="系竞争对手恶意差评")
    rating = Rating.objects.get(pk=ticket.rating_id)
    assert (rating.level, rating.comment) == (1, "乱评")  # unchanged, still on the record
    assert Rating.objects.filter(case=ticket.case).count() == 2
    assert list(counted_ratings().filter(case=ticket.case).values_list("level", flat=True)) == [5]
    ticket.refresh_from_db()
    assert ticket.state == "CLOSED" and ticket.closed_at is not None
    event = CaseEvent.objects.get(case=ticket.case, action="appeal.upheld")
    assert event.actor_id == people.supervisor.pk and event.after["ticket_closed"] is True


# ------------------------------------------------------------------ pages


@pytest.fixture
def signed_in(client):  # type: ignore[no-untyped-def]
    def login(user):  # type: ignore[no-untyped-def]
        client.force_login(user)
        return client

    return login


def test_pages_file_and_decide_and_show_the_reason(people: People, clock: FrozenClock, signed_in) -> None:  # type: ignore[no-untyped-def]
    ticket = bad_ticket(people, clock)
    unit = signed_in(people.reviewer("SCJG"))
    page = unit.get(f"/work/rectifications/{ticket.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "data-appeal-form" in page and "申诉" in page
    filed = unit.post(
        f"/work/rectifications/{ticket.pk}/appeal/",
        {"grounds": "MALICIOUS", "statement": "恶意差评", "evidence": pdf()},
    )
    appeal = Appeal.objects.get(ticket=ticket)
    assert filed.status_code == 303 and filed["Location"] == f"/work/appeals/{appeal.pk}/"
    mine = unit.get(f"/work/appeals/{appeal.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "data-decision-form" not in mine and 'data-appeal-state="PENDING"' in mine
    assert unit.get(f"/work/appeals/{appeal.pk}/evidence/").status_code == 200
    assert unit.post(f"/work/appeals/{appeal.pk}/", {"outcome": "UPHELD", "reason": "x"}).status_code == 403
    assert f'data-appeal="{appeal.pk}"' in unit.get("/work/appeals/").content.decode()
    other = signed_in(people.reviewer("GA"))
    assert other.get(f"/work/appeals/{appeal.pk}/").status_code == 404
    assert other.get(f"/work/appeals/{appeal.pk}/evidence/").status_code == 404
    assert f'data-appeal="{appeal.pk}"' not in other.get("/work/appeals/").content.decode()
    assert other.post(f"/work/rectifications/{ticket.pk}/appeal/", {"grounds": "WRONG"}).status_code == 404
    assert signed_in(people.applicant_user).get("/work/appeals/").status_code == 403
    supervisor = signed_in(people.supervisor)
    assert supervisor.post(f"/work/rectifications/{ticket.pk}/appeal/", {}).status_code == 403
    assert "data-decision-form" in supervisor.get(f"/work/appeals/{appeal.pk}/").content.decode()
    supervisor.post(f"/work/appeals/{appeal.pk}/", {"outcome": "UPHELD", "reason": "系恶意差评，不计入统计"})
    appeal.refresh_from_db()
    assert appeal.state == "UPHELD"
    shown = signed_in(people.reviewer("SCJG")).get(f"/work/rectifications/{ticket.pk}/").content.decode()
    assert 'data-appeal-state="UPHELD"' in shown and "系恶意差评，不计入统计" in shown


def test_the_evaluator_is_masked_from_the_unit_on_the_pages(people: People, clock: FrozenClock, signed_in) -> None:  # type: ignore[no-untyped-def]
    ticket = bad_ticket(people, clock)
    appeal = file(people, ticket)
    code = ticket.case.code_for_people
    for unit_user in (people.reviewer("SCJG"), people.clerk):
        unit = signed_in(unit_user)
        for url in (f"/work/rectifications/{ticket.pk}/", f"/work/appeals/{appeal.pk}/"):
            page = unit.get(url).content.decode()
            assert "data-evaluator-masked" in page, url
            assert APPLICANT_NAME not in page and code not in page and f"/work/cases/{ticket.case_id}/" not in page
    supervisor = signed_in(people.supervisor)
    for url in (f"/work/rectifications/{ticket.pk}/", f"/work/appeals/{appeal.pk}/"):
        page = supervisor.get(url).content.decode()
        assert APPLICANT_NAME in page and code in page and "data-evaluator-masked" not in page


# ------------------------------------------------------------------ API


def test_the_api_files_masks_and_lets_only_the_supervisor_decide(people: People, clock: FrozenClock) -> None:
    ticket = bad_ticket(people, clock)
    unit = Api(people.reviewer("SCJG"))
    filed = unit.call(
        "POST",
        f"/api/rectifications/{ticket.pk}/appeal",
        {"grounds": "WRONG", "statement": "评价对象错误", "evidence": pdf()},
        multipart=True,
        key="appeal-1",
    )
    assert filed.status_code == 201, filed.json()
    body = filed.json()
    assert (body["state"], body["case"], body["evaluator"], body["grounds"]) == ("PENDING", None, None, "WRONG")
    again = unit.call(
        "POST",
        f"/api/rectifications/{ticket.pk}/appeal",
        {"grounds": "WRONG", "statement": "再来", "evidence": pdf()},
        multipart=True,
    )
    assert again.status_code == 409 and again.json()["code"] == "appeal-refused"
    bad = unit.call("POST", f"/api/rectifications/{ticket.pk}/appeal", {"grounds": "WRONG"}, multipart=True)
    assert bad.status_code == 400 and {"statement", "evidence"} <= set(bad.json()["fields"])
    appeal_id = body["id"]
    for path in (f"/api/rectifications/{ticket.pk}", f"/api/appeals/{appeal_id}"):
        seen = unit.call("GET", path).json()
        assert (seen["case"], seen["evaluator"]) == (None, None), path
        assert APPLICANT_NAME not in str(seen)
    listed = unit.call("GET", "/api/appeals").json()["results"]
    assert [(r["id"], r["case"], r["evaluator"]) for r in listed] == [(appeal_id, None, None)]
    refused = unit.call("POST", f"/api/appeals/{appeal_id}/decision", {"outcome": "UPHELD", "reason": "自己批"})
    assert refused.status_code == 403
    supervisor = Api(people.supervisor)
    seen = supervisor.call("GET", f"/api/rectifications/{ticket.pk}").json()
    assert seen["evaluator"] == APPLICANT_NAME and seen["case"]["id"] == ticket.case_id
    assert (
        supervisor.call("POST", f"/api/appeals/{appeal_id}/decision", {"outcome": "MAYBE", "reason": "x"}).status_code
        == 400
    )
    decided = supervisor.call("POST", f"/api/appeals/{appeal_id}/decision", {"outcome": "UPHELD", "reason": "属实"})
    assert decided.status_code == 200, decided.json()
    assert (decided.json()["state"], decided.json()["decision_reason"], decided.json()["evaluator"]) == (
        "UPHELD",
        "属实",
        APPLICANT_NAME,
    )
    twice = supervisor.call("POST", f"/api/appeals/{appeal_id}/decision", {"outcome": "REJECTED", "reason": "改"})
    assert twice.status_code == 409 and twice.json()["code"] == "appeal-decided"
    assert unit.call("GET", f"/api/appeals/{appeal_id}").json()["state"] == "UPHELD"


def test_the_appeal_list_reads_a_constant_number_of_queries(people: People, clock: FrozenClock) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = issued(people, clock)
    items = list(ItemCase.objects.filter(case=case, department__code="SCJG").order_by("id"))
    supervisor = Api(people.supervisor)

    def appeal_one(item: ItemCase | None) -> None:
        rating = ev.rating_give(
            actor=people.applicant_user,
            case_id=case.pk,
            item_case_id=item.pk if item else None,
            given=ev.Given(level=2, indicators=["efficiency"]),
        )
        ticket = RectificationTicket.objects.get(rating=rating)
        ev.appeal_file(
            actor=people.clerk if item is None else people.reviewer("SCJG"),
            ticket_id=ticket.pk,
            grounds="WRONG",
            statement="x",
            evidence=pdf(),
        )

    def count() -> int:
        supervisor.call("GET", "/api/appeals")
        with CaptureQueriesContext(connection) as queries:
            assert supervisor.call("GET", "/api/appeals").status_code == 200
        return len(queries)

    appeal_one(items[0])
    few = count()
    appeal_one(None)  # the case as a whole: the window's (SCJG) ticket
    assert Appeal.objects.count() == 2
    assert count() == few
