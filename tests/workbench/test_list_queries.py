"""The workbench lists: queries per page do not grow with rows; pages walk the whole list; the queues search."""

from __future__ import annotations

import re
from datetime import date

import pytest

from lianban.cases.models import Case, ItemCase, ItemState
from lianban.intake.services import intake_check, intake_request_correction
from lianban.supervision.services import deadline_sweep
from tests.cases.bulk import clone_case, same_queries_as_rows_grow
from tests.cases.kit import People, submit, submit_codes
from tests.workbench.kit import accepted, ready

pytestmark = pytest.mark.django_db


def _correction(people: People) -> Case:
    case = submit(people)
    for number, code in enumerate(submit_codes(case)):
        result, reason = ("WRONG", "不清晰") if number == 0 else ("OK", "")
        intake_check(actor=people.clerk, case_id=case.pk, material_code=code, result=result, reason=reason)
    intake_request_correction(actor=people.clerk, case_id=case.pk)
    return case


@pytest.fixture
def every_state(people, clock) -> list[Case]:
    """One case in each state the staff lists show: new, correction, with departments (late), ready."""
    cases = [submit(people), _correction(people), accepted(people), ready(people)]
    clock.working_days(25)
    deadline_sweep()
    return cases


def _grow(cases: list[Case]):
    def grow(times: int) -> None:
        for case in cases:
            clone_case(case, times)

    return grow


@pytest.mark.parametrize(
    ("who", "path", "marker"),
    [
        ("clerk", "/work/window/", "<tr data-case="),
        ("window", "/work/window/", "<tr data-case="),
        ("clerk", "/work/window/?applicant=武汉&submitted_from=2025-03-01", "<tr data-case="),
        ("clerk", "/work/window/issuance/", "<tr data-case="),
        ("reviewer", "/work/department/", "<tr data-item="),
        ("reviewer", "/work/department/?applicant=武汉", "<tr data-item="),
        ("supervisor", "/work/supervision/", "<tr data-case="),
        ("supervisor", "/work/supervision/?overdue=on&department=GA&applicant=武汉", "<tr data-case="),
        ("supervisor", "/work/supervision/", "<tr data-signal-row="),
        ("supervisor", "/work/supervision/?signal_level=RED&signal_department=SCJG", "<tr data-signal-row="),
    ],
)
def test_a_page_runs_as_many_queries_at_3n_rows_as_at_n(people, every_state, signed_in, who, path, marker):
    user = people.reviewer("SCJG") if who == "reviewer" else getattr(people, who)
    client = signed_in(user)
    before, after = same_queries_as_rows_grow(client, path, _grow(every_state), marker=marker)
    assert before == after, (path, before, after)


def _codes(html: str) -> list[str]:
    if 'data-list="in-progress"' not in html:
        return []
    start = html.index('data-list="in-progress"')
    return re.findall(r'<tr data-case="(\w+)"', html[start : html.index("</table>", start)])


def test_the_pages_of_a_queue_walk_every_row_once_in_order_and_back(people, clock, signed_in):
    first = accepted(people)
    clock.days(1)
    clone_case(first, 29)
    expected = list(
        Case.objects.filter(state="IN_PROGRESS").order_by("accepted_at", "id").values_list("tracking_code", flat=True)
    )
    client = signed_in(people.clerk)
    seen: list[list[str]] = []
    path = "/work/window/"
    while path:
        html = client.get(path).content.decode()
        seen.append(_codes(html))
        found = re.search(r'data-pages="in-progress".*?<a href="([^"]+)" rel="next"', html, re.S)
        path = "/work/window/" + found.group(1).replace("&amp;", "&").split("#")[0] if found else ""
    assert [len(page) for page in seen] == [25, 5]
    assert [code for page in seen for code in page] == expected
    back = re.search(r'data-pages="in-progress".*?<a href="([^"]+)" rel="prev"', html, re.S)
    assert back is not None
    html = client.get("/work/window/" + back.group(1).replace("&amp;", "&").split("#")[0]).content.decode()
    assert _codes(html) == expected[:25]
    assert 'data-count="30"' in html


def test_a_bad_cursor_shows_the_first_page(people, clock, signed_in):
    case = accepted(people)
    response = signed_in(people.clerk).get("/work/window/?progress=%%%&intake=eyJ2IjpbMV0sImIiOmZhbHNlfQ")
    assert response.status_code == 200
    assert case.tracking_code in _codes(response.content.decode())


def test_the_queue_finds_a_case_by_tracking_code_applicant_and_date(people, clock, signed_in):
    case = accepted(people)
    other = clone_case(case)[0]
    client = signed_in(people.clerk)

    def found(query: str) -> list[str]:
        return _codes(client.get("/work/window/?" + query).content.decode())

    assert found("code=" + case.code_for_people.lower()) == [case.tracking_code]
    assert found("applicant=" + people.applicant.name[:3]) == [case.tracking_code, other.tracking_code]
    assert found("applicant=" + people.other_applicant.name) == []
    assert found("submitted_from=2025-03-04") == []
    assert found("submitted_to=2025-03-03") == [case.tracking_code, other.tracking_code]
    bad = client.get("/work/window/?submitted_from=2025-03-05&submitted_to=2025-03-01")
    assert bad.status_code == 400


def test_the_department_queue_shows_the_earliest_due_first(people, clock, signed_in):
    late = accepted(people)
    clock.days(3)
    soon = accepted(people)
    ItemCase.objects.filter(case=soon, state=ItemState.DISPATCHED).update(due_on=date(2025, 3, 1))
    html = signed_in(people.reviewer("SCJG")).get("/work/department/").content.decode()
    order = re.findall(r'<tr data-item="[\w-]+" data-case="(\w+)"', html)
    assert order == [soon.tracking_code, late.tracking_code]
