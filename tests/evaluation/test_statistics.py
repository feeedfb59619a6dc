"""好差评 statistics on a fixture with hand-computed counts: upheld appeals and anonymous ratings left out, the
default rating changes 未评率 and not 好评率, every figure drills down to its ratings, the xlsx export equals
the figures, the public page names nobody, the page reads a constant number of queries."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest
from openpyxl import load_workbook

from lianban.cases.models import Case, ItemCase
from lianban.catalog.models import Department
from lianban.core.evaluation import Counts
from lianban.evaluation import services as ev
from lianban.evaluation.models import RectificationTicket
from lianban.evaluation.selectors import Period, rating_statistics
from tests.cases.kit import FrozenClock, People, pdf
from tests.evaluation.kit import issued

pytestmark = pytest.mark.django_db

MARCH = Period(2025, 3)


def total(period: Period = MARCH) -> Counts:
    rows = rating_statistics(period)
    return Counts(**{k: sum(getattr(r.counts, k) for r in rows) for k in Counts.__dataclass_fields__})


def fixture(people: People, clock: FrozenClock) -> Case:
    """Ten services of one hotel case, rated in March 2025 (see the counts in the test)."""
    case = issued(people, clock)
    items = {i.item_code: i for i in ItemCase.objects.filter(case=case)}
    a = people.applicant_user

    def rate(code: str | None, level: int, indicators: tuple[str, ...] = ()) -> RectificationTicket | None:
        rating = ev.rating_give(
            actor=a,
            case_id=case.pk,
            item_case_id=items[code].pk if code else None,
            given=ev.Given(level=level, indicators=indicators),
        )
        return RectificationTicket.objects.filter(rating=rating).first()

    rate(None, 5)  # the case as a whole: good
    gssl = rate("SCJG-GSSL", 2, ("efficiency",))  # bad: the whole loop, re-rated satisfied
    assert gssl is not None
    unit = people.reviewer("SCJG")
    ev.ticket_precheck(actor=unit, ticket_id=gssl.pk, verdict="TRUE", note="属实")
    ev.ticket_visit(actor=unit, ticket_id=gssl.pk, call_record="已回访")
    ev.ticket_rectify(actor=unit, ticket_id=gssl.pk, rectification="已整改", evidence=pdf())
    ev.ticket_feedback(actor=unit, ticket_id=gssl.pk, feedback="请复评")
    ev.ticket_rerate(actor=a, ticket_id=gssl.pk, rerating="SATISFIED")
    rate("SCJG-SPJY", 4)  # good
    xfsj = rate("ZJ-XFSJ", 1, ("efficiency",))  # bad: called back, not rectified yet
    assert xfsj is not None
    ev.ticket_precheck(actor=people.reviewer("ZJ"), ticket_id=xfsj.pk, verdict="TRUE", note="属实")
    ev.ticket_visit(actor=people.reviewer("ZJ"), ticket_id=xfsj.pk, call_record="已回访")
    hpba = rate("STHJ-HPBA", 2, ("efficiency",))  # bad, but the appeal is upheld: left out
    assert hpba is not None
    appeal = ev.appeal_file(
        actor=people.reviewer("STHJ"), ticket_id=hpba.pk, grounds="MALICIOUS", statement="恶意", evidence=pdf()
    )
    ev.appeal_decide(actor=people.supervisor, appeal_id=appeal.pk, outcome="UPHELD", reason="证据充分")
    rate("WJ-GGWS", 3)  # 基本满意: a good rating
    ev.window_rating_give(  # anonymous: counted apart
        token=ev.window_link(Department.objects.get(code="SCJG")), given=ev.Given(level=1, indicators=("attitude",))
    )
    return case


def test_the_figures_equal_the_hand_computed_ones_and_the_default_moves_only_the_unrated_rate(
    people: People, clock: FrozenClock
) -> None:
    fixture(people, clock)
    before = total()
    assert before == Counts(
        ratings=5, active=5, good=3, bad=2, defaults=0, visited=2, rectified=1, rerated=1, rerated_satisfied=1
    )
    clock.set(date(2025, 3, 11))  # eight natural days after the issue: the four unrated items get 基本满意
    assert ev.default_ratings() == 4
    after = total()
    assert after == Counts(
        ratings=9, active=5, good=3, bad=2, defaults=4, visited=2, rectified=1, rerated=1, rerated_satisfied=1
    )
    rows = rating_statistics(MARCH, by_department_only=True)
    overall = {r.department: r for r in rows}
    zj = overall["ZJ"].counts  # ZJ-XFSJ (bad, called back) and ZJ-XFYS (default)
    assert (zj.ratings, zj.active, zj.bad, zj.defaults, zj.visited, zj.rectified) == (2, 1, 1, 1, 1, 0)
    assert "STHJ" not in overall  # its only rating's appeal was upheld
    from lianban.core.evaluation import rates

    assert rates(before)["good_rate"] == rates(after)["good_rate"] == 60.0
    assert (rates(before)["unrated_rate"], rates(after)["unrated_rate"]) == (0.0, 44.4)
    assert rates(after) == {
        "good_rate": 60.0,
        "rectify_rate": 50.0,
        "visit_rate": 100.0,
        "visit_satisfied_rate": 100.0,
        "active_rate": 55.6,
        "unrated_rate": 44.4,
    }
    assert total(Period(2025, 4)) == Counts()  # another month: nothing


def test_every_figure_drills_down_to_its_ratings_and_the_export_matches(
    people: People, clock: FrozenClock, client: Any
) -> None:
    case = fixture(people, clock)
    clock.set(date(2025, 3, 11))
    ev.default_ratings()
    client.force_login(people.supervisor)
    page = client.get("/work/ratings/statistics/?period=2025-03")
    assert page.status_code == 200 and 'data-figure="bad"' in page.content.decode()
    bad = client.get("/work/ratings/statistics/ratings/?period=2025-03&figure=bad").content.decode()
    assert bad.count("data-rating=") == 2
    zj_defaults = client.get(
        "/work/ratings/statistics/ratings/?period=2025-03&figure=defaults&department=ZJ"
    ).content.decode()
    assert zj_defaults.count("data-rating=") == 1
    whole = client.get(
        "/work/ratings/statistics/ratings/?period=2025-03&figure=good&department=SCJG&window=SCJG&item=-&channel=PORTAL"
    ).content.decode()
    assert whole.count("data-rating=") == 1
    exported = client.get("/work/ratings/statistics/export.xlsx?period=2025-03")
    assert exported.status_code == 200
    sheet = load_workbook(io.BytesIO(exported.content)).worksheets[0]
    lines = list(sheet.iter_rows(values_only=True))[1:]
    expected = rating_statistics(MARCH)
    assert len(lines) == len(expected)
    assert sum(line[4] for line in lines) == 9 and sum(line[7] for line in lines) == 2  # ratings, bad
    assert [line[:4] for line in lines] == [(r.department, r.window, r.item_code or None, r.channel) for r in expected]
    for who in (people.reviewer("SCJG"), people.clerk, people.applicant_user):
        client.force_login(who)
        assert client.get("/work/ratings/statistics/?period=2025-03").status_code == 403
        assert client.get("/work/ratings/statistics/export.xlsx").status_code == 403
    client.logout()
    public = client.get("/ratings/statistics/?period=2025-03", HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = public.content.decode()
    assert public.status_code == 200 and 'data-department="ZJ"' in text
    # the rectifications closed in the month: the one done (not the ticket an upheld appeal closed)
    assert text.count("data-rectification") == 1
    assert "已整改" in text
    assert client.get("/ratings/statistics/?period=2025-04").content.decode().count("data-rectification") == 0
    for personal in ("武汉联办酒店有限公司", case.tracking_code, case.code_for_people, "rev_SCJG", "boss"):
        assert personal not in text


def test_the_statistics_page_reads_a_constant_number_of_queries(
    people: People, clock: FrozenClock, client: Any
) -> None:
    fixture(people, clock)
    client.force_login(people.supervisor)
    client.get("/work/ratings/statistics/?period=2025-03")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/work/ratings/statistics/?period=2025-03").status_code == 200
        return len(queries)

    few = count()
    clock.set(date(2025, 3, 11))
    ev.default_ratings()  # four more groups
    assert len(rating_statistics(MARCH)) >= 9
    assert count() == few


def test_the_api_gives_the_figures_the_export_has(people: People, clock: FrozenClock, client: Any) -> None:
    from tests.api.kit import Api

    fixture(people, clock)
    clock.set(date(2025, 3, 11))
    ev.default_ratings()
    answer = Api(people.supervisor).call("GET", "/api/ratings/statistics", {"period": "2025-03"})
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["period"] == "2025-03" and sum(r["counts"]["ratings"] for r in body["rows"]) == 9
    client.force_login(people.supervisor)
    sheet = load_workbook(io.BytesIO(client.get("/work/ratings/statistics/export.xlsx?period=2025-03").content))
    lines = list(sheet.worksheets[0].iter_rows(values_only=True))[1:]
    counts = ("ratings", "active", "good", "bad", "defaults", "visited", "rectified", "rerated", "rerated_satisfied")
    rates = ("good_rate", "rectify_rate", "visit_rate", "visit_satisfied_rate", "active_rate", "unrated_rate")
    from_api = [
        (
            r["department"],
            r["window"],
            r["item_code"] or None,
            r["channel"],
            *(r["counts"][k] for k in counts),
            *(r["rates"][k] for k in rates),
        )
        for r in body["rows"]
    ]
    assert [tuple(line) for line in lines] == from_api
    assert Api(people.reviewer("SCJG")).call("GET", "/api/ratings/statistics").status_code == 403
    bad = Api(people.supervisor).call("GET", "/api/ratings/statistics", {"period": "March"})
    assert bad.status_code == 400 and "period" in bad.json()["fields"]
