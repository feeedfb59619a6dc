"""Statistics API: the figures of the fixture, the department's staff pinned to their department, the drill-down
paged with a constant number of statements, clear 400s."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from lianban.accounts.models import Role
from lianban.statistics import services
from tests.api.kit import Api
from tests.cases.kit import FrozenClock, People, make_user
from tests.statistics.kit import three_cases
from tests.supervision.test_supervision import accepted

pytestmark = pytest.mark.django_db
MARCH = {"start": "2025-03-01", "end": "2025-03-31", "grain": "day"}


def test_the_supervisor_reads_every_department(people: People, clock: FrozenClock) -> None:
    fixture = three_cases(people, clock)
    services.facts_refresh()
    api = Api(people.supervisor)
    packages = api.get("/api/statistics", MARCH)
    assert packages["period"]["department"] == ""
    assert (packages["totals"]["received"], packages["totals"]["finished"], packages["totals"]["overdue"]) == (2, 1, 2)
    assert [(row["code"], row["received"]) for row in packages["departments"]] == [("SCJG", 2)]
    assert [(row["code"], row["received"]) for row in packages["channels"]] == [("ONLINE", 2)]
    assert [(row["code"], row["received"]) for row in packages["things"]] == [("KFG", 2)]
    assert [(row["key"], row["code"]) for row in packages["windows"]] == [(str(people.clerk.pk), "clerk")]
    items = api.get("/api/statistics", {**MARCH, "level": "items"})
    assert items["totals"]["received"] == 5
    assert sum(row["received"] for row in items["departments"]) == 5
    assert {row["code"] for row in items["items"]} == {"SCJG-GSSL", "SCJG-SPJY", "STHJ-HPBA", "XF-JCXK"}
    assert [(row["period"], row["received"]) for row in items["trend"] if row["received"]] == [("2025-03-03", 5)]

    five = api.get("/api/statistics/five-reductions", MARCH)
    assert [
        (row["thing"], row["days_separate"], row["days_promised"], row["days_realised"]) for row in five["things"]
    ] == [("KFG", 26.0, 6.0, 7.0)]
    heat = api.get("/api/statistics/overdue-heat", {**MARCH, "level": "items"})
    assert [(c["department"], c["period"], c["overdue"]) for c in heat["cells"]] == [
        ("SCJG", "2025-03-05", 1),
        ("SCJG", "2025-03-10", 1),
    ]
    for cell in heat["cells"]:  # each cell's cases: its department, due in its period
        listed = api.get(
            "/api/statistics/cases",
            {**MARCH, "level": "items", "metric": "overdue", "department": cell["department"],
             "due_from": cell["period"], "due_to": cell["period"]},
        )["results"]  # fmt: skip
        assert len(listed) == cell["overdue"]
    overdue = api.get("/api/statistics/cases", {**MARCH, "level": "items", "metric": "overdue"})
    assert [(row["id"], row["item_code"]) for row in overdue["results"]] == [
        (fixture.a.pk, "SCJG-SPJY"),  # the latest due first: 03-10
        (fixture.b.pk, "SCJG-GSSL"),  # 03-05
    ]


def test_department_staff_read_their_department_only(people: People, clock: FrozenClock) -> None:
    three_cases(people, clock)
    services.facts_refresh()
    xf = Api(people.reviewer("XF"))
    mine = xf.get("/api/statistics", {**MARCH, "level": "items", "department": "SCJG"})  # asks for another
    assert mine["period"]["department"] == "XF"
    assert mine["totals"]["received"] == 1
    assert [row["code"] for row in mine["departments"]] == ["XF"]
    assert xf.get("/api/statistics", MARCH)["totals"]["received"] == 0  # XF leads no package
    listed = xf.get("/api/statistics/cases", {**MARCH, "level": "items", "metric": "received"})["results"]
    assert [row["item_code"] for row in listed] == ["XF-JCXK"]
    Api(make_user("nowhere", Role.CLERK)).get("/api/statistics", MARCH, expect=403)  # no department
    Api(people.applicant_user).get("/api/statistics", MARCH, expect=403)


def test_bad_filters_answer_400_naming_the_field(people: People, clock: FrozenClock) -> None:
    api = Api(people.supervisor)
    assert "department" in api.get("/api/statistics", {"department": "NOPE"}, expect=400)["fields"]
    assert "start" in api.get("/api/statistics", {"start": "2025-04-01", "end": "2025-03-01"}, expect=400)["fields"]
    assert "end" in api.get("/api/statistics", {"start": "1900-01-01", "end": "2025-03-01"}, expect=400)["fields"]
    assert "start" in api.get("/api/statistics", {"start": "99999-01-01"}, expect=400)["fields"]
    assert "query" in api.get("/api/statistics", {"start": "2025-01-01\x00"}, expect=400)["fields"]  # the guard
    assert "window" in api.get("/api/statistics", {"window": str(2**70)}, expect=400)["fields"]
    assert "metric" in api.get("/api/statistics/cases", {}, expect=400)["fields"]
    assert "level" in api.get("/api/statistics", {"level": "x"}, expect=400)["fields"]


def test_the_drill_down_pages_with_constant_statements(people: People, clock: FrozenClock) -> None:
    for _ in range(7):
        accepted(people)  # one item each is dispatched
    services.facts_refresh()
    api = Api(people.supervisor)
    query = {**MARCH, "level": "items", "metric": "received", "page_size": 2}

    def statements(params: dict[str, object]) -> tuple[int, dict[str, object]]:
        with CaptureQueriesContext(connection) as captured:
            answer = api.get("/api/statistics/cases", params)
        return len(captured), answer

    small, first = statements({**query, "page_size": 1})
    large, page = statements({**query, "page_size": 5})
    assert small == large
    assert len(page["results"]) == 5
    _, second = statements(dict(parse_qsl(urlsplit(page["next"]).query)))
    everything = api.get("/api/statistics/cases", {**query, "page_size": 7})["results"]
    assert [row["id"] for row in page["results"] + second["results"]] == [row["id"] for row in everything]
    assert first["results"] == everything[:1]


def test_an_export_through_the_api_with_progress_and_download(
    people: People, clock: FrozenClock, django_capture_on_commit_callbacks
) -> None:
    three_cases(people, clock)
    services.facts_refresh()
    api = Api(people.supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        asked = api.post(
            "/api/statistics/exports",
            {**MARCH, "kind": "CASES", "level": "items", "metric": "overdue"},
            expect=202,
            key="export-1",
        )
    again = api.post(
        "/api/statistics/exports",
        {**MARCH, "kind": "CASES", "level": "items", "metric": "overdue"},
        expect=202,
        key="export-1",
    )
    assert again["id"] == asked["id"]  # the same key: the same export
    export = api.get(f"/api/statistics/exports/{asked['id']}")
    assert (export["state"], export["rows_done"], export["rows_total"]) == ("DONE", 2, 2)
    answer = api.call("GET", export["download"])
    assert answer.status_code == 200 and b"".join(answer.streaming_content)[:2] == b"PK"
    Api(people.reviewer("SCJG")).get(f"/api/statistics/exports/{asked['id']}", expect=404)
    Api(people.reviewer("SCJG")).get(f"/api/statistics/exports/{asked['id']}/file", expect=404)
    problems = api.post("/api/statistics/exports", {"kind": "CASES"}, expect=400)
    assert "metric" in problems["fields"]


@pytest.mark.postgres
def test_the_overdue_list_is_read_from_its_index_at_any_size(people: People, clock: FrozenClock) -> None:
    """The latest received are mostly not yet due: the overdue list reads the late and running rows by due date
    (a partial index whose condition every overdue rule implies), not every recent row."""
    from lianban.statistics import selectors
    from tests.statistics.kit import MARCH as FILTERS

    three_cases(people, clock)
    services.facts_refresh()
    for level, index in (("items", "itemfact_overdue"), ("packages", "casefact_overdue")):
        rows = selectors.drill_down(level, FILTERS, "overdue")[:26]
        sql, params = rows.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert index in plan, plan
