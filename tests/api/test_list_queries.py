"""The API lists: queries per page do not grow with rows; every list pages by cursor with a capped page size."""

from __future__ import annotations

from typing import Any

import pytest

from lianban.cases.models import Case, ItemCase, ItemState
from lianban.common.keyset import MAX_PAGE_SIZE
from lianban.supervision.services import deadline_sweep
from tests.api.kit import Api
from tests.cases.bulk import clone_case, more_applicants, more_events, queries_of
from tests.cases.kit import People, submit
from tests.workbench.kit import accepted, ready

pytestmark = pytest.mark.django_db


@pytest.fixture
def every_state(people, clock) -> list[Case]:
    """A new case, one with the departments (overdue after the sweep), one ready with licences."""
    cases = [submit(people), accepted(people), ready(people)]
    clock.working_days(25)
    deadline_sweep()
    return cases


def _user(people: People, who: str):
    return people.reviewer("SCJG") if who == "reviewer" else getattr(people, who)


LISTS = [
    ("supervisor", "/api/cases/"),
    ("supervisor", "/api/cases/?department=GA&overdue=true&applicant=武汉&submitted_from=2025-03-01"),
    ("supervisor", "/api/cases/?overdue=false&thing=KJD&state=SUBMITTED&code="),
    ("reviewer", "/api/cases/"),
    ("clerk", "/api/cases/"),
    ("window", "/api/cases/"),
    ("applicant_user", "/api/cases/"),
    ("clerk", "/api/intake/queue"),
    ("reviewer", "/api/item-cases/"),
    ("supervisor", "/api/supervision/overdue"),
    ("supervisor", "/api/supervision/signals"),
    ("supervisor", "/api/supervision/signals?level=RED&department=SCJG"),
    ("reviewer", "/api/supervision/signals"),
    ("clerk", "/api/supervision/signals"),
    ("supervisor", "/api/licences/"),
    ("applicant_user", "/api/licences/"),
    ("reviewer", "/api/licences/"),
    ("applicant_user", "/api/notifications/"),
]


def _count(payload: dict[str, Any]) -> int:
    assert set(payload) == {"next", "previous", "results"}, payload
    return len(payload["results"])


@pytest.mark.parametrize(("who", "path"), LISTS)
def test_a_list_runs_as_many_queries_at_3n_rows_as_at_n(people, every_state, who, path):
    api = Api(_user(people, who))
    queries_of(api.client, path)  # warm the caches
    shown = _count(api.get(path))
    before = queries_of(api.client, path)
    for case in every_state:
        clone_case(case, 2)
    after = queries_of(api.client, path)
    assert _count(api.get(path)) > shown > 0, path
    assert before == after, (path, before, after)


def test_the_due_soon_list_runs_as_many_queries_at_3n_rows_as_at_n(people, clock):
    case = accepted(people)
    ItemCase.objects.filter(case=case, state=ItemState.DISPATCHED).update(due_status="DUE_SOON")
    api = Api(people.supervisor)
    queries_of(api.client, "/api/supervision/due-soon")
    before = queries_of(api.client, "/api/supervision/due-soon")
    clone_case(case, 2)
    after = queries_of(api.client, "/api/supervision/due-soon")
    assert _count(api.get("/api/supervision/due-soon")) == 3
    assert before == after


def test_the_trail_runs_as_many_queries_at_3n_events_as_at_n(people, clock):
    case = accepted(people)
    path = f"/api/cases/{case.pk}/events"
    for who in ("clerk", "reviewer"):
        api = Api(_user(people, who))
        queries_of(api.client, path)
        before, shown = queries_of(api.client, path), _count(api.get(path))
        more_events(case, 2 if who == "clerk" else 0)
        assert queries_of(api.client, path) == before
        assert _count(api.get(path)) == min(3 * shown, 25) if who == "clerk" else shown


def test_the_applicants_list_runs_as_many_queries_at_3n_rows_as_at_n(people):
    api = Api(people.clerk)
    queries_of(api.client, "/api/applicants/")
    before, shown = queries_of(api.client, "/api/applicants/"), _count(api.get("/api/applicants/"))
    more_applicants(people.applicant, 2 * shown)
    assert queries_of(api.client, "/api/applicants/") == before
    assert _count(api.get("/api/applicants/")) == 3 * shown


def test_the_page_size_is_capped_and_the_pages_walk_every_row_once(people, clock):
    case = accepted(people)
    clone_case(case, MAX_PAGE_SIZE + 4)
    api = Api(people.supervisor)
    page = api.get("/api/cases/", {"page_size": 10_000})
    assert len(page["results"]) == MAX_PAGE_SIZE
    seen = [row["id"] for row in page["results"]]
    page = api.get(page["next"])
    seen += [row["id"] for row in page["results"]]
    assert page["next"] is None
    assert seen == list(Case.objects.order_by("-submitted_at", "-id").values_list("id", flat=True))
    assert api.get("/api/cases/", {"page_size": "many"})["results"][0]["id"] == seen[0]
