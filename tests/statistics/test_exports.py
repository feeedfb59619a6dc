"""xlsx exports: the workbook matches the API's figures, lists the cases of a figure, streams with progress,
and is its requester's only."""

from __future__ import annotations

import io
import tracemalloc
from datetime import date

from django.utils import timezone, translation

import pytest
from openpyxl import load_workbook

from lianban.statistics import exports, services
from lianban.statistics.models import Export, ExportKind, ExportState, FactStatus, ItemFact
from tests.api.kit import Api
from tests.cases.kit import FrozenClock, People
from tests.statistics.kit import MARCH, three_cases

pytestmark = pytest.mark.django_db
QUERY = {"start": "2025-03-01", "end": "2025-03-31", "grain": "day"}


def workbook(export: Export):
    export.refresh_from_db()
    assert export.state == ExportState.DONE, export.error
    with export.file.open("rb") as handle:
        return load_workbook(io.BytesIO(handle.read()), read_only=True)


def table(sheet, first: str) -> list[tuple]:
    """The rows of a sheet from the header row whose first cell is ``first`` (the header itself left out)."""
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    start = next(i for i, row in enumerate(rows) if row and row[0] == first)
    return rows[start + 1 :]


def test_the_dashboard_export_matches_the_api(people: People, clock: FrozenClock) -> None:
    three_cases(people, clock)
    services.facts_refresh()
    api = Api(people.supervisor).get("/api/statistics", {**QUERY, "level": "items"})
    export = exports.export_request(actor=people.supervisor, kind=ExportKind.DASHBOARD, level="items", filters=MARCH)
    exports.export_build(export.pk)
    book = workbook(export)
    header = {row[0]: row[1] for row in book["Key figures"].iter_rows(max_row=10, values_only=True) if row and row[0]}
    assert header["Period"] == "2025-03-01 – 2025-03-31"
    assert "Generated at" in header
    figures = {row[0]: row[1] for row in table(book["Key figures"], "Figure")}
    for name, value in api["totals"].items():
        if name != "provisional":  # a column of its own (tests/statistics/test_provisional.py)
            assert figures[name] == value, name
    departments = table(book["Departments"], "Code")
    assert [(row[0], row[2]) for row in departments] == [(r["code"], r["received"]) for r in api["departments"]]
    assert sum(row[2] for row in departments) == api["totals"]["received"]
    five = table(book["Five reductions"], "Code")
    assert five[0][0] == "KFG"


def test_the_cases_export_lists_the_cases_of_the_figure(people: People, clock: FrozenClock) -> None:
    fixture = three_cases(people, clock)
    services.facts_refresh()
    export = exports.export_request(
        actor=people.supervisor, kind=ExportKind.CASES, level="items", filters=MARCH, metric="overdue"
    )
    exports.export_build(export.pk)
    rows = table(workbook(export)["Cases"], "tracking code")
    assert sorted((row[0], row[5]) for row in rows) == sorted(
        [(fixture.a.code_for_people, "SCJG-SPJY"), (fixture.b.code_for_people, "SCJG-GSSL")]
    )
    export.refresh_from_db()
    assert (export.rows_done, export.rows_total) == (2, 2)


def test_a_large_export_streams_in_chunks_with_progress(
    people: People, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    fixture = three_cases(people, clock)
    services.facts_refresh()
    like = ItemFact.objects.filter(case=fixture.a).first()
    assert like is not None
    many = 20_000
    ItemFact.objects.bulk_create(
        [
            ItemFact(
                item_case_id=10**7 + n,
                case_id=like.case_id,
                department_id=like.department_id,
                thing_id=like.thing_id,
                item_code=like.item_code,
                item_name=like.item_name,
                channel="WINDOW",
                received_on=date(2025, 3, 1 + n % 28),
                status=FactStatus.OPEN,
                built_at=timezone.now(),
            )
            for n in range(many)
        ],
        batch_size=2000,
    )
    monkeypatch.setattr(exports, "CHUNK", 5000)
    export = exports.export_request(
        actor=people.supervisor, kind=ExportKind.CASES, level="items", filters=MARCH, metric="received"
    )
    tracemalloc.start()
    exports.export_build(export.pk)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    export.refresh_from_db()
    assert export.rows_done == export.rows_total == many + 5
    assert peak < 40 * 2**20, peak  # constant memory: the rows go to disk as they are written
    rows = table(workbook(export)["Cases"], "tracking code")
    assert len(rows) == many + 5


def test_an_export_is_its_requesters_only(people: People, clock: FrozenClock, client) -> None:
    three_cases(people, clock)
    services.facts_refresh()
    export = exports.export_request(actor=people.supervisor, kind=ExportKind.DASHBOARD, level="packages", filters=MARCH)
    exports.export_build(export.pk)
    client.force_login(people.supervisor)
    page = client.get(f"/work/statistics/exports/{export.pk}/")
    assert page.status_code == 200 and "data-download" in page.content.decode()
    answer = client.get(f"/work/statistics/exports/{export.pk}/file")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    assert b"".join(answer.streaming_content)[:2] == b"PK"
    client.force_login(people.reviewer("SCJG"))
    assert client.get(f"/work/statistics/exports/{export.pk}/").status_code == 404
    assert client.get(f"/work/statistics/exports/{export.pk}/file").status_code == 404


def test_asking_for_an_export_from_the_page_runs_it_in_the_background(
    people: People, clock: FrozenClock, client, django_capture_on_commit_callbacks
) -> None:
    three_cases(people, clock)
    services.facts_refresh()
    client.force_login(people.reviewer("XF"))
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/work/statistics/exports/", {**QUERY, "level": "items", "kind": "CASES", "metric": "received"}
        )
    assert answer.status_code == 302
    export = Export.objects.get()
    assert export.params["department"] == people.reviewer("XF").department_id  # pinned to their department
    sheet = workbook(export).worksheets[0]  # named in the page's language (Chinese): 办件
    rows = table(sheet, "tracking code")
    assert [row[5] for row in rows] == ["XF-JCXK"]
    assert client.post("/work/statistics/exports/", {"kind": "NOPE"}).status_code == 400


def test_the_monthly_bulletin_as_pdf_and_xlsx(people: People, clock: FrozenClock, client) -> None:
    from pypdf import PdfReader

    from lianban.statistics import reports

    fixture = three_cases(people, clock)
    services.facts_refresh()
    doc = reports.bulletin_document(reports.month_filters("2025-03"))
    assert [row["code"] for row in doc["ranking"]] == ["STHJ", "XF", "SCJG"]  # on-time rate 100%, 100%, 1/2
    assert [row["code"] for row in doc["top_overdue"]] == ["SCJG"]
    assert ("GA", "公安局") in doc["idle"] or any(code == "GA" for code, _ in doc["idle"])
    assert sorted(code for code, *_ in doc["overdue"]) == sorted([fixture.a.tracking_code, fixture.b.tracking_code])

    client.force_login(people.supervisor)
    answer = client.get("/work/statistics/bulletin.pdf?month=2025-03")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
    assert fixture.a.code_for_people in text and "市场监督管理局" in text
    client.force_login(people.reviewer("SCJG"))  # the supervision office's publication only
    assert client.get("/work/statistics/bulletin.pdf?month=2025-03").status_code == 403

    with translation.override("en"):  # the language of the page that asks for it (the client left Chinese on)
        export = exports.export_request(
            actor=people.supervisor, kind=ExportKind.BULLETIN, level="items", filters=reports.month_filters("2025-03")
        )
    exports.export_build(export.pk)
    book = workbook(export)
    assert [row[1] for row in table(book["Ranking"], "Rank")] == ["STHJ", "XF", "SCJG"]
    assert len(table(book["Overdue"], "tracking code")) == 2
