"""Statistics over a provisional calendar year say 预计 until the official arrangement is entered (issue 13).

The drugstore of ``tests/supervision/test_provisional_dates.py``: accepted on Friday 2026-11-20, its
medical-insurance item (64 working days) runs into 2027, which chinesecalendar 1.11 does not cover: its
due date, and the working days it uses when it is finished in February 2027, are counted with the
calendar computed from the holiday law. The facts record that; the API, the dashboard, the list of
cases, the xlsx export and the bulletin PDF mark those figures 预计; entering 2027's official
arrangement (longer 春节, a Saturday worked) makes the next fact build recount them and drop the mark,
without any new event on the case.
"""

from __future__ import annotations

import io
from datetime import date

from django.test import Client
from django.utils import translation

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from lianban.cases.models import Case
from lianban.statistics import exports, reports, services
from lianban.statistics.models import CaseFact, ExportKind, ExportState, ItemFact
from lianban.statistics.selectors import Filters
from lianban.workdays.services import day_override_set, work_calendar
from tests.api.kit import Api
from tests.cases.kit import FrozenClock, People, items
from tests.supervision.test_provisional_dates import (  # noqa: F401 (fixtures)
    FRIDAY,
    INSURANCE,
    approve,
    drugstore,
    enter_2027,
    law_only_2027,
    package_ends_in_2026,
)

pytestmark = pytest.mark.django_db
FEBRUARY = {"start": "2027-02-01", "end": "2027-02-28", "grain": "day", "level": "items"}
FINISHED_IN_2027 = 2027, 2, 26  # a Friday, a working day in the law's calendar and in the arrangement


def insurance_fact(case: Case) -> ItemFact:
    return ItemFact.objects.get(item_case=items(case)[INSURANCE])


def finish_in_2027(people: People, clock: FrozenClock, case: Case) -> None:
    clock.set(date(*FINISHED_IN_2027))
    approve(people, case, INSURANCE)
    services.facts_refresh()
    clock.set(date(2027, 2, 27))
    services.facts_refresh()  # the watermark passes the approval's events: nothing on the trail left to read


def test_a_running_item_due_in_2027_makes_the_overdue_figure_provisional(
    people: People,
    clock: FrozenClock,
    drugstore: Case,  # noqa: F811
) -> None:
    services.facts_refresh()
    running = insurance_fact(drugstore)
    assert (running.due_on.year, running.provisional) == (2027, True)
    assert CaseFact.objects.get(case=drugstore).provisional is True
    finished_2026 = ItemFact.objects.filter(case=drugstore).exclude(item_case=running.item_case_id)
    assert finished_2026.exists() and not finished_2026.filter(provisional=True).exists()
    answer = Api(people.supervisor).get(
        "/api/statistics", {"start": "2026-11-01", "end": "2026-11-30", "level": "items"}
    )
    assert answer["totals"]["provisional"] == ["overdue"]  # its finished items are counted through 2026 only
    cases = Api(people.supervisor).get(
        "/api/statistics/cases", {"start": "2026-11-01", "end": "2026-11-30", "level": "items", "metric": "received"}
    )
    flags = {row["item_code"]: row["provisional"] for row in cases["results"]}
    assert flags[INSURANCE] is True and not any(v for code, v in flags.items() if code != INSURANCE)


def test_figures_counted_through_2027_say_provisional_everywhere_until_the_arrangement_is_entered(
    people: People,
    clock: FrozenClock,
    drugstore: Case,  # noqa: F811
) -> None:
    finish_in_2027(people, clock, drugstore)
    fact = insurance_fact(drugstore)
    started = items(drugstore)[INSURANCE].started_on
    assert fact.finished_on == date(*FINISHED_IN_2027)
    assert fact.days_used == law_only_2027().working_days_between(started, fact.finished_on)
    assert fact.provisional is True and CaseFact.objects.get(case=drugstore).provisional is True

    # the API
    api = Api(people.supervisor)
    totals = api.get("/api/statistics", FEBRUARY)["totals"]
    assert totals["finished"] == 1
    assert {"on_time", "on_time_rate", "days_used_avg", "days_used_p90", "overdue"} <= set(totals["provisional"])
    trend = api.get("/api/statistics", FEBRUARY)["trend"]
    assert [row["period"] for row in trend if row["provisional"]] == ["2027-02-26"]
    five = api.get("/api/statistics/five-reductions", {"start": "2026-11-01", "end": "2027-02-28"})
    assert any(row["provisional"] == ["days_realised"] for row in five["things"])

    # the dashboard and the list of cases behind a figure
    client = Client()
    client.force_login(people.supervisor)
    page = client.get("/work/statistics/", FEBRUARY, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "data-provisional-note" in page and 'data-provisional="on_time"' in page
    assert 'data-provisional="days"' in page and "预计" in page
    listed = client.get(
        "/work/statistics/cases/", {**FEBRUARY, "metric": "finished"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert listed.count("data-provisional") == 1

    # the xlsx export of that list and the monthly bulletin (PDF)
    with translation.override("zh-hans"):
        export = exports.export_request(
            actor=people.supervisor,
            kind=ExportKind.CASES,
            level="items",
            filters=Filters(start=date(2027, 2, 1), end=date(2027, 2, 28), grain="day", today=clock.today()),
            metric="finished",
        )
    exports.export_build(export.pk)
    export.refresh_from_db()
    assert export.state == ExportState.DONE, export.error
    with export.file.open("rb") as handle:
        rows = list(load_workbook(io.BytesIO(handle.read()), read_only=True).worksheets[0].values)
    header = next(i for i, row in enumerate(rows) if row and row[0] == "tracking code")
    assert rows[header][-1] == "provisional" and rows[header + 1][-1] == "预计"
    pdf = client.get("/work/statistics/bulletin.pdf?month=2027-02", HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "（预计）" in text

    # the official arrangement is entered: the next fact build recounts, without any event on the case
    clock.set(date(2027, 3, 1))
    enter_2027()
    result = services.facts_refresh()
    assert (result.events, result.recounted) == (0, 1)  # no event: the calendar's change alone
    fact = insurance_fact(drugstore)
    confirmed = work_calendar(clock.today())
    assert 2027 not in confirmed.provisional_years
    assert fact.provisional is False and CaseFact.objects.get(case=drugstore).provisional is False
    assert fact.days_used == confirmed.working_days_between(started, fact.finished_on)
    assert fact.days_used != law_only_2027().working_days_between(started, fact.finished_on)  # 春节 differs
    assert api.get("/api/statistics", FEBRUARY)["totals"]["provisional"] == []
    page = client.get("/work/statistics/", FEBRUARY, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "data-provisional" not in page
    text = "".join(
        p.extract_text()
        for p in PdfReader(io.BytesIO(client.get("/work/statistics/bulletin.pdf?month=2027-02").content)).pages
    )
    assert "预计" not in text and "provisional" not in text
    assert services.facts_refresh().recounted == 0  # nothing left to recount


def test_the_bulletin_document_carries_the_flag_of_each_overdue_name(
    people: People,
    clock: FrozenClock,
    drugstore: Case,  # noqa: F811
) -> None:
    clock.set(date(2027, 4, 1))  # the insurance item is left running past its provisional due date
    services.facts_refresh()
    doc = reports.bulletin_document(reports.month_filters("2027-03"))
    flagged = [row for row in doc["overdue"] if row[-1]]
    assert [row[1] for row in flagged] == [items(drugstore)[INSURANCE].item_name]
    assert "overdue" in doc["totals"]["provisional"]


def test_a_day_override_in_a_provisional_year_recounts_the_facts_counted_through_it(
    people: People,
    clock: FrozenClock,
    drugstore: Case,  # noqa: F811
) -> None:
    finish_in_2027(people, clock, drugstore)
    services.facts_refresh()
    fact = insurance_fact(drugstore)
    started = items(drugstore)[INSURANCE].started_on
    before = fact.days_used
    assert fact.provisional is True and before is not None
    workday = next(  # a provisional working day the count went through
        day
        for day in (date(2027, 2, d) for d in range(1, 26))
        if law_only_2027().is_working_day(day) and started <= day < fact.finished_on
    )
    clock.set(date(2027, 3, 1))
    day_override_set(day=workday, is_working_day=False, note="a local holiday")
    result = services.facts_refresh()
    assert (result.events, result.recounted) == (0, 1)  # the override alone, no event on the case
    fact = insurance_fact(drugstore)
    assert fact.days_used == before - 1
    assert fact.provisional is True  # 2027 is still provisional: only the arrangement confirms it
    assert services.facts_refresh().recounted == 0
