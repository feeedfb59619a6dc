"""好差评 pages: the applicant rates from "my cases", the window's tablet page (no level pre-selected, none shown
back), the receipt's QR code, the unit works the ticket and the supervisor lists the tickets."""

from __future__ import annotations

import re

import pytest

from lianban.cases.models import Case, ItemCase
from lianban.evaluation.models import Rating, RatingToken, RectificationTicket
from lianban.evaluation.services import case_token
from tests.cases.kit import FrozenClock, People, pdf
from tests.evaluation.kit import issued
from tests.workbench.kit import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client):  # type: ignore[no-untyped-def]
    def login(user):  # type: ignore[no-untyped-def]
        client.force_login(user)
        return client

    return login


def _no_level_checked(html: str) -> None:
    radios = re.findall(r'<input type="radio" name="level"[^>]*>', html)
    assert len(radios) >= 5 and not any("checked" in radio for radio in radios)


def test_the_applicant_rates_from_my_cases(people: People, clock: FrozenClock, signed_in) -> None:  # type: ignore[no-untyped-def]
    case = issued(people, clock)
    client = signed_in(people.applicant_user)
    assert "data-rate-link" in client.get(f"/my/cases/{case.pk}/").content.decode()
    page = client.get(f"/my/cases/{case.pk}/rate/")
    assert page.status_code == 200
    _no_level_checked(page.content.decode())
    answer = client.post(f"/my/cases/{case.pk}/rate/", {"action": "rate", "level": "5", "comment": "很好"})
    assert answer.status_code == 303
    rating = Rating.objects.get(case=case)
    assert (rating.level, rating.channel, rating.item_case_id) == (5, "PORTAL", None)
    again = client.post(f"/my/cases/{case.pk}/rate/", {"action": "rate", "level": "1"}, follow=True)
    assert Rating.objects.filter(case=case).count() == 1 and again.status_code == 200
    assert signed_in(people.other_user).get(f"/my/cases/{case.pk}/rate/").status_code == 404
    assert signed_in(people.clerk).get(f"/my/cases/{case.pk}/rate/").status_code == 403


def test_the_window_tablet_shows_no_level_and_answers_thanks(people: People, clock: FrozenClock, signed_in) -> None:  # type: ignore[no-untyped-def]
    case = issued(people, clock)
    client = signed_in(people.clerk)
    assert "data-visit-rating" in client.get(f"/work/cases/{case.pk}/").content.decode()
    started = client.post(f"/work/cases/{case.pk}/visit-rating/")
    assert started.status_code == 303
    token = RatingToken.objects.get(case=case, kind="VISIT")
    assert started["Location"] == f"/rate/{token.token}/"
    page = client.get(started["Location"])
    _no_level_checked(page.content.decode())
    assert "服务态度" in page.content.decode() or "attitude" in page.content.decode()
    done = client.post(started["Location"], {"level": "2", "indicators": ["attitude"]})
    body = done.content.decode()
    assert done.status_code == 200 and "data-rate-thanks" in body
    assert "不满意" not in body and "dissatisfied" not in body.lower()  # the clerk at the tablet sees no level
    assert RectificationTicket.objects.filter(rating__kind="VISIT").count() == 1
    assert client.get(started["Location"]).status_code == 404  # one-time


def test_a_bad_token_page_is_404(client, people: People) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/rate/nothing-here/").status_code == 404


def test_the_receipt_carries_the_rating_qr_code(people: People, clock: FrozenClock, signed_in) -> None:  # type: ignore[no-untyped-def]
    case = issued(people, clock)
    response = signed_in(people.clerk).get(f"/work/cases/{case.pk}/receipt.pdf")
    assert response.status_code == 200
    token = RatingToken.objects.get(case=case, channel="QR")
    assert case_token(case=case, channel="QR") == token
    assert "好差评" in pdf_text(response.content)


def test_the_unit_works_the_ticket_and_the_supervisor_lists_it(people: People, clock: FrozenClock, signed_in) -> None:  # type: ignore[no-untyped-def]
    case = issued(people, clock)
    item = ItemCase.objects.get(case=case, item_code="SCJG-GSSL")
    applicant = signed_in(people.applicant_user)
    applicant.post(
        f"/my/cases/{case.pk}/rate/",
        {"action": "rate", "item_case": str(item.pk), "level": "1", "indicators": ["efficiency"]},
    )
    ticket = RectificationTicket.objects.get(case=case)
    unit = signed_in(people.reviewer("SCJG"))
    url = f"/work/rectifications/{ticket.pk}/"
    first = unit.get(url).content.decode()
    assert 'data-next-step="precheck"' in first
    assert 'data-correction-rounds="0"' in first and 'data-supplements="0"' in first  # the case's history
    assert 'data-finished-late="0"' in first
    unit.post(url, {"step": "precheck", "verdict": "TRUE", "note": "属实"})
    unit.post(url, {"step": "visit", "call_record": "已回访"})
    unit.post(url, {"step": "rectify", "rectification": "已整改", "evidence": pdf()})
    unit.post(url, {"step": "feedback", "feedback": "请复评"})
    ticket.refresh_from_db()
    assert ticket.state == "RERATE"
    applicant = signed_in(people.applicant_user)
    assert 'data-ticket-state="RERATE"' in applicant.get(f"/my/cases/{case.pk}/rate/").content.decode()
    applicant.post(
        f"/my/cases/{case.pk}/rate/", {"action": "rerate", "ticket": str(ticket.pk), "rerating": "SATISFIED"}
    )
    ticket.refresh_from_db()
    assert ticket.state == "CLOSED"
    listed = signed_in(people.supervisor).get("/work/rectifications/").content.decode()
    assert f'data-ticket="{ticket.pk}"' in listed
    assert (
        f'data-ticket="{ticket.pk}"'
        not in signed_in(people.reviewer("GA")).get("/work/rectifications/").content.decode()
    )
    assert signed_in(people.reviewer("GA")).get(url).status_code == 404
    assert signed_in(people.applicant_user).get("/work/rectifications/").status_code == 403


def test_the_ticket_page_names_the_online_indicators_and_offers_the_unit_no_rerating(
    people: People, clock: FrozenClock, signed_in
) -> None:  # type: ignore[no-untyped-def]
    case = issued(people, clock)
    item = ItemCase.objects.get(case=case, item_code="SCJG-GSSL")
    signed_in(people.applicant_user).post(
        f"/my/cases/{case.pk}/rate/",
        {"action": "rate", "item_case": str(item.pk), "level": "2", "indicators": ["efficiency"]},
    )
    ticket = RectificationTicket.objects.get(case=case)
    unit = signed_in(people.reviewer("SCJG"))
    url = f"/work/rectifications/{ticket.pk}/"
    page = unit.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "办事效率" in page and "服务效率" not in page  # a portal rating: the online indicator's words
    for step, data in (
        ("precheck", {"verdict": "TRUE", "note": "属实"}),
        ("visit", {"call_record": "已回访"}),
        ("rectify", {"rectification": "已整改"}),
        ("feedback", {"feedback": "请复评"}),
    ):
        unit.post(url, {"step": step, **data})
    assert "data-next-step" not in unit.get(url).content.decode()  # the 复评 is the evaluator's


def test_the_ticket_list_reads_a_constant_number_of_queries(people: People, clock: FrozenClock) -> None:
    from django.test import Client

    from lianban.evaluation import services as ev
    from tests.cases.bulk import queries_of

    def client_of(user: object) -> Client:
        client = Client()
        client.force_login(user)  # type: ignore[arg-type]
        client.get("/work/rectifications/")  # the session and per-process caches warm
        return client

    def bad(case: Case, item: ItemCase | None) -> None:
        ev.rating_give(
            actor=people.applicant_user,
            case_id=case.pk,
            item_case_id=item.pk if item else None,
            given=ev.Given(level=2, indicators=["efficiency"], comment="太慢"),
        )

    first = issued(people, clock)
    items = list(ItemCase.objects.filter(case=first).order_by("id"))
    bad(first, items[0])
    supervisor, unit = client_of(people.supervisor), client_of(people.reviewer(items[0].department.code))
    few = (queries_of(supervisor, "/work/rectifications/"), queries_of(unit, "/work/rectifications/"))
    for item in items[1:]:
        bad(first, item)
    bad(first, None)  # the case as a whole: the window's ticket
    assert RectificationTicket.objects.count() == len(items) + 1 >= 4
    assert (queries_of(supervisor, "/work/rectifications/"), queries_of(unit, "/work/rectifications/")) == few


def test_each_page_of_the_ticket_list_reads_as_many_queries_at_30_tickets_as_at_3(
    people: People, clock: FrozenClock
) -> None:
    """Case tickets and anonymous window tickets (no case: the window instead), each with its signal, over two
    pages: the supervisor's and the unit's pages read the same number of queries at 3 tickets as at 30."""
    from django.test import Client

    from lianban.catalog.models import Department
    from lianban.common.pages import PAGE_SIZE
    from lianban.evaluation import services as ev
    from lianban.supervision.models import Signal
    from lianban.supervision.services import deadline_sweep
    from tests.cases.bulk import queries_of

    url = "/work/rectifications/"
    case = issued(people, clock)
    item = ItemCase.objects.filter(case=case, department__code="SCJG").order_by("id").first()
    assert item is not None
    for item_case_id in (item.pk, None):  # an SCJG item and the case as a whole (the window's, SCJG too)
        ev.rating_give(
            actor=people.applicant_user,
            case_id=case.pk,
            item_case_id=item_case_id,
            given=ev.Given(level=2, indicators=["efficiency"], comment="太慢"),
        )
    link = ev.window_link(Department.objects.get(code="SCJG"))

    def anonymous(times: int) -> None:
        for _ in range(times):
            ev.window_rating_give(token=link, given=ev.Given(level=1, indicators=["attitude"], comment="态度差"))

    def overdue() -> None:  # every open ticket gets its red card
        clock.set(clock.days(60))
        deadline_sweep()

    def client_of(user: object) -> Client:
        client = Client()
        client.force_login(user)  # type: ignore[arg-type]
        client.get(url)  # the session and per-process caches warm
        return client

    def shown(client: Client, path: str) -> tuple[int, int]:
        page = client.get(path).content.decode()
        return page.count("data-ticket="), page.count('data-signal="RED"')

    def next_page(client: Client) -> str:
        found = re.search(r'href="([^"]+)" rel="next"', client.get(url).content.decode())
        assert found is not None
        return url + found.group(1).replace("&amp;", "&")  # a query of the list's own URL

    anonymous(1)
    overdue()
    assert RectificationTicket.objects.count() == 3
    clients = (client_of(people.supervisor), client_of(people.reviewer("SCJG")))
    for client in clients:
        assert shown(client, url) == (3, 3)
    few = [queries_of(client, url) for client in clients]

    anonymous(27)
    overdue()
    assert RectificationTicket.objects.count() == 30
    assert Signal.objects.filter(subject="TICKET", level="RED").values("subject_id").distinct().count() == 30
    for client, expected in zip(clients, few, strict=True):
        second = next_page(client)
        assert shown(client, url) == (PAGE_SIZE, PAGE_SIZE)
        assert shown(client, second) == (30 - PAGE_SIZE, 30 - PAGE_SIZE)
        assert queries_of(client, url) == expected
        assert queries_of(client, second) == expected
