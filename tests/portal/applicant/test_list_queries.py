"""The applicant's lists (my cases, drafts, my licences): queries per page do not grow with rows; pages walk them."""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone

import pytest

from lianban.cases.models import Case
from lianban.intake.services import MaterialPromise
from lianban.portal.models import Draft
from tests.cases.bulk import clone_case, same_queries_as_rows_grow
from tests.cases.kit import submit
from tests.workbench.kit import accepted, ready

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(people, clock) -> list[Case]:
    """A new case, one with the departments (a promised material outstanding), one ready with licences."""
    promise = MaterialPromise(due=clock.today() + timedelta(days=5), text="五日内补交")
    return [submit(people), accepted(people, skip=("WSJC",), promises={"WSJC": promise}), ready(people)]


def _grow(cases: list[Case]):
    def grow(times: int) -> None:
        for case in cases:
            clone_case(case, times)

    return grow


@pytest.mark.parametrize(
    ("path", "marker"), [("/my/cases/", 'class="case-card'), ("/my/licences/", 'class="case-card licence-card"')]
)
def test_a_page_runs_as_many_queries_at_3n_rows_as_at_n(boss, cases, path, marker):
    before, after = same_queries_as_rows_grow(boss, path, _grow(cases), marker=marker)
    assert before == after, (path, before, after)


def test_the_drafts_run_as_many_queries_at_3n_rows_as_at_n(boss, people, cases):
    thing = cases[0].thing

    def grow(times: int) -> None:
        for _ in range(times):
            Draft.objects.create(
                user=people.applicant_user, applicant=people.applicant, thing=thing, updated_at=timezone.now()
            )

    grow(1)
    before, after = same_queries_as_rows_grow(boss, "/my/cases/", grow, marker="data-draft=")
    assert before == after


def test_my_cases_page_by_page_newest_first(boss, people, clock):
    case = submit(people)
    clone_case(case, 29)
    expected = list(Case.objects.order_by("-submitted_at", "-id").values_list("tracking_code", flat=True))
    seen: list[str] = []
    path = "/my/cases/"
    while path:
        html = boss.get(path).content.decode()
        seen += re.findall(r'data-case="(\w+)"', html)
        found = re.search(r'data-pages="cases".*?<a class="button" href="([^"]+)" rel="next"', html, re.S)
        path = "/my/cases/" + found.group(1).replace("&amp;", "&").split("#")[0] if found else ""
    assert seen == expected
