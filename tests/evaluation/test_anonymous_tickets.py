"""An anonymous 差评 of a window (its QR code: no case, nobody to call back) opens a rectification ticket for the
window's department with the shortened steps 预审 → 整改 → closed, due on working days across a 调休 weekend;
the skipped steps are refused with a clear error; every step is audited on the trail of events without a case;
an overdue step raises the usual signals and reminders; the statistics count its rectification apart."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from django.core.cache import cache

import pytest
from openpyxl import load_workbook

from lianban.cases.models import CaseEvent
from lianban.catalog.models import Department
from lianban.core.errors import NotAllowed, NotVisible
from lianban.core.evaluation import TicketStepSkipped
from lianban.evaluation import services as ev
from lianban.evaluation.models import Rating, RectificationTicket
from lianban.evaluation.selectors import Period, anonymous_window_counts, rating_statistics
from lianban.messaging.models import StaffDispatch
from lianban.supervision.models import Signal
from lianban.supervision.services import deadline_sweep
from tests.api.kit import Api
from tests.cases.kit import FrozenClock, People, pdf
from tests.evaluation.kit import issued

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counters() -> None:
    cache.clear()  # the window page's throttle


def window_url(code: str = "SCJG") -> str:
    return f"/rate/window/{ev.window_link(Department.objects.get(code=code))}/"


def anonymous_bad(client: Any, code: str = "SCJG", level: int = 1) -> RectificationTicket:
    """An anonymous 差评 through the window's QR page (as a visitor gives it); its ticket."""
    answer = client.post(window_url(code), {"level": str(level), "indicators": ["attitude"], "comment": "态度差"})
    assert answer.status_code == 200 and "data-rate-thanks" in answer.content.decode()
    rating = Rating.objects.filter(anonymous=True).latest("id")
    return RectificationTicket.objects.get(rating=rating)


def on_friday_before_a_make_up_sunday(clock: FrozenClock, client: Any) -> RectificationTicket:
    clock.set(date(2025, 9, 26))  # Friday; Sunday 9-28 is a make-up working day, 10-1..10-8 off
    return anonymous_bad(client)


def trail(ticket: RectificationTicket) -> list[str]:
    rows = CaseEvent.objects.filter(case__isnull=True, after__ticket=ticket.pk).order_by("id")
    return list(rows.values_list("action", flat=True))


def test_an_anonymous_bad_rating_opens_a_shortened_ticket_for_the_window_due_across_the_make_up_sunday(
    people: People, clock: FrozenClock, client: Any
) -> None:
    ticket = on_friday_before_a_make_up_sunday(clock, client)
    scjg = Department.objects.get(code="SCJG")
    assert (ticket.case_id, ticket.flow, ticket.state, ticket.department_id, ticket.responsible_id) == (
        None,
        "ANONYMOUS",
        "PRECHECK",
        scjg.pk,
        None,  # a QR rating records no staff member: the department's staff answer for it
    )
    assert (ticket.contact_due_on, ticket.rectify_due_on) == (date(2025, 9, 28), date(2025, 10, 23))
    opened = CaseEvent.objects.get(case__isnull=True, action="ticket.opened")
    assert (opened.after["ticket"], opened.after["flow"], opened.after["window"]) == (ticket.pk, "ANONYMOUS", scjg.pk)
    client.post(window_url(), {"level": "3"})  # 基本满意 and better: no ticket
    client.post(window_url(), {"level": "5"})
    assert RectificationTicket.objects.count() == 1


def test_the_ticket_runs_precheck_then_rectify_and_refuses_the_steps_it_skips(
    people: People, clock: FrozenClock, client: Any
) -> None:
    ticket = on_friday_before_a_make_up_sunday(clock, client)
    unit = people.reviewer("SCJG")
    for skipped in (
        lambda: ev.ticket_visit(actor=unit, ticket_id=ticket.pk, call_record="无人可回访"),
        lambda: ev.ticket_feedback(actor=unit, ticket_id=ticket.pk, feedback="无人可告知"),
        lambda: ev.ticket_rerate(actor=people.supervisor, ticket_id=ticket.pk, rerating="SATISFIED"),
    ):
        with pytest.raises(TicketStepSkipped):
            skipped()
    with pytest.raises(NotVisible):  # no evaluator: no applicant sees it
        ev.ticket_rerate(actor=people.applicant_user, ticket_id=ticket.pk, rerating="SATISFIED")
    with pytest.raises(NotAllowed):  # the supervisor sees it, the rated unit works it
        ev.ticket_precheck(actor=people.supervisor, ticket_id=ticket.pk, verdict="TRUE", note="属实")
    ev.ticket_precheck(actor=unit, ticket_id=ticket.pk, verdict="TRUE", note="态度问题属实")
    ticket.refresh_from_db()
    assert ticket.state == "RECTIFY"
    with pytest.raises(TicketStepSkipped):
        ev.ticket_feedback(actor=unit, ticket_id=ticket.pk, feedback="x")
    ev.ticket_rectify(actor=unit, ticket_id=ticket.pk, rectification="窗口人员已培训", evidence=pdf("training.pdf"))
    ticket.refresh_from_db()
    assert (ticket.state, ticket.verdict, ticket.rectification, bool(ticket.evidence), ticket.call_record) == (
        "CLOSED",
        "TRUE",
        "窗口人员已培训",
        True,
        "",
    )
    assert ticket.closed_at is not None
    assert trail(ticket) == ["ticket.opened", "ticket.prechecked", "ticket.rectified"]


def test_a_malicious_precheck_closes_it_at_once(people: People, clock: FrozenClock, client: Any) -> None:
    ticket = on_friday_before_a_make_up_sunday(clock, client)
    ev.ticket_precheck(actor=people.clerk, ticket_id=ticket.pk, verdict="MALICIOUS", note="连续恶意差评")
    ticket.refresh_from_db()
    assert (ticket.state, ticket.rectification) == ("CLOSED", "")
    assert trail(ticket) == ["ticket.opened", "ticket.prechecked"]
    assert anonymous_window_counts([ticket.department_id])[ticket.department_id]["rectified"] == 0


def test_the_api_shows_no_case_and_answers_a_skipped_step_with_409(
    people: People, clock: FrozenClock, client: Any
) -> None:
    ticket = on_friday_before_a_make_up_sunday(clock, client)
    unit = Api(people.reviewer("SCJG"))
    base = f"/api/rectifications/{ticket.pk}"
    shown = unit.call("GET", base).json()
    assert (shown["case"], shown["evaluator"], shown["anonymous"], shown["flow"], shown["window"]) == (
        None,
        None,
        True,
        "ANONYMOUS",
        "SCJG",
    )
    supervisor = Api(people.supervisor).call("GET", base).json()
    assert (supervisor["case"], supervisor["evaluator"]) == (None, "anonymous evaluator")
    refused = unit.call("POST", f"{base}/visit", {"call_record": "x"})
    assert refused.status_code == 409 and refused.json()["code"] == "ticket-step-skipped"
    refused = unit.call("POST", f"{base}/feedback", {"feedback": "x"})
    assert refused.status_code == 409 and refused.json()["code"] == "ticket-step-skipped"
    done = unit.call("POST", f"{base}/precheck", {"verdict": "REASONABLE", "note": "合理"})
    assert done.status_code == 200 and done.json()["state"] == "RECTIFY"


def test_the_handlers_page_shows_the_window_instead_of_a_case_and_only_its_steps(
    people: People, clock: FrozenClock, client: Any
) -> None:
    ticket = on_friday_before_a_make_up_sunday(clock, client)
    url = f"/work/rectifications/{ticket.pk}/"
    for user in (people.reviewer("SCJG"), people.supervisor):
        client.force_login(user)
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert "匿名评价（窗口二维码）" in page and 'data-window="SCJG"' in page and "data-no-history" in page
        assert "/work/cases/" not in page and 'data-step="visit"' not in page and 'data-step="rerate"' not in page
        assert 'data-contact-due="2025-09-28"' in page and 'data-rectify-due="2025-10-23"' in page
    client.force_login(people.reviewer("SCJG"))
    assert 'data-next-step="precheck"' in client.get(url).content.decode()
    refused = client.post(url, {"step": "visit", "call_record": "x"}, follow=True)
    assert refused.redirect_chain[0][1] == 303 and 'class="messages' in refused.content.decode()
    assert RectificationTicket.objects.get(pk=ticket.pk).state == "PRECHECK"
    client.post(url, {"step": "precheck", "verdict": "TRUE", "note": "属实"})
    assert 'data-next-step="rectify"' in client.get(url).content.decode()
    listed = client.get("/work/rectifications/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f'data-ticket="{ticket.pk}"' in listed and "匿名评价（窗口二维码）" in listed


def test_a_unit_sees_only_its_own_windows_tickets(people: People, clock: FrozenClock, client: Any) -> None:
    ticket = on_friday_before_a_make_up_sunday(clock, client)
    other = anonymous_bad(client, "GA")
    for user, visible in (
        (people.reviewer("SCJG"), {ticket.pk}),
        (people.clerk, {ticket.pk}),
        (people.other_clerk, {other.pk}),
        (people.supervisor, {ticket.pk, other.pk}),
        (people.applicant_user, set()),
    ):
        rows = Api(user).call("GET", "/api/rectifications").json()["results"]
        assert {row["id"] for row in rows} == visible, user.username
    client.force_login(people.other_clerk)
    assert client.get(f"/work/rectifications/{ticket.pk}/").status_code == 404
    assert client.post(f"/work/rectifications/{ticket.pk}/", {"step": "precheck"}).status_code == 404
    answer = Api(people.reviewer("GA")).call(
        "POST",
        f"/api/rectifications/{ticket.pk}/precheck",
        {
            "verdict": "TRUE",
            "note": "x",
        },
    )
    assert answer.status_code == 404
    with pytest.raises(NotVisible):
        ev.ticket_precheck(actor=people.reviewer("GA"), ticket_id=ticket.pk, verdict="TRUE", note="x")


def test_an_overdue_step_raises_the_signals_and_reminds_the_department(
    people: People, clock: FrozenClock, client: Any
) -> None:
    ticket = on_friday_before_a_make_up_sunday(clock, client)
    clock.set(date(2025, 9, 27))
    deadline_sweep()
    clock.set(date(2025, 9, 28))  # the make-up Sunday: due today, on time
    deadline_sweep()
    clock.set(date(2025, 9, 29))
    deadline_sweep()
    deadline_sweep()  # once per level and due date
    rows = Signal.objects.filter(subject="TICKET", subject_id=ticket.pk).order_by("id")
    assert list(rows.values_list("level", "due_on", "case_id", "department_id")) == [
        ("NOTICE", date(2025, 9, 28), None, ticket.department_id),
        ("YELLOW", date(2025, 9, 28), None, ticket.department_id),
        ("RED", date(2025, 9, 28), None, ticket.department_id),
    ]
    assert CaseEvent.objects.filter(case__isnull=True, action="signal.raised", after__subject="TICKET").count() == 3
    reminders = StaffDispatch.objects.filter(topic=f"ticket:{ticket.pk}").order_by("id")
    assert [(r.kind, r.case_id, r.department_id, r.handler_id) for r in reminders] == [
        ("SIGNAL_YELLOW", None, ticket.department_id, None),
        ("SIGNAL_RED", None, ticket.department_id, None),
    ]
    assert str(ticket.pk) in reminders[0].values["code"]
    client.force_login(people.reviewer("SCJG"))
    assert 'data-signal="RED"' in client.get(f"/work/rectifications/{ticket.pk}/").content.decode()
    client.force_login(people.supervisor)
    overview = client.get("/work/supervision/")
    assert overview.status_code == 200 and "data-caseless-signal" in overview.content.decode()
    signals = Api(people.supervisor).call("GET", "/api/supervision/signals")
    assert signals.status_code == 200
    assert {row["case"] for row in signals.json()["results"] if row["subject"] == "TICKET"} == {None}
    unit = people.reviewer("SCJG")
    ev.ticket_precheck(actor=unit, ticket_id=ticket.pk, verdict="TRUE", note="属实")
    ev.ticket_rectify(actor=unit, ticket_id=ticket.pk, rectification="已整改", evidence=None)
    clock.set(date(2025, 10, 24))
    deadline_sweep()
    assert rows.count() == 3  # closed: nothing more


def test_the_statistics_count_the_anonymous_rectifications_apart(
    people: People, clock: FrozenClock, client: Any
) -> None:
    case = issued(people, clock)
    ev.rating_give(actor=people.applicant_user, case_id=case.pk, item_case_id=None, given=ev.Given(level=5))
    clock.set(date(2025, 9, 26))
    rectified, malicious = anonymous_bad(client), anonymous_bad(client, level=2)
    client.post(window_url(), {"level": "4"})
    unit = people.reviewer("SCJG")
    ev.ticket_precheck(actor=unit, ticket_id=rectified.pk, verdict="TRUE", note="属实")
    ev.ticket_rectify(actor=unit, ticket_id=rectified.pk, rectification="已培训窗口人员", evidence=None)
    ev.ticket_precheck(actor=unit, ticket_id=malicious.pk, verdict="MALICIOUS", note="恶意")
    period = Period(2025, 9)
    (row,) = rating_statistics(period, anonymous=True)
    assert (row.department, row.window, row.channel, row.anonymous) == ("SCJG", "SCJG", "QR", True)
    assert (row.counts.ratings, row.counts.bad, row.counts.rectified, row.counts.visited) == (3, 2, 1, 0)
    assert row.rates["rectify_rate"] == 50.0 and row.rates["visit_rate"] is None
    assert all(not r.anonymous for r in rating_statistics(period))  # the real-name figures without them
    scjg = Department.objects.get(code="SCJG").pk
    assert anonymous_window_counts([scjg]) == {scjg: {"total": 3, "good": 1, "bad": 2, "rectified": 1}}

    client.force_login(people.supervisor)
    api = Api(people.supervisor).call("GET", "/api/ratings/statistics", {"period": "2025-09"}).json()
    (anon,) = api["anonymous_rows"]
    assert (anon["counts"]["bad"], anon["counts"]["rectified"], anon["rates"]["rectify_rate"]) == (2, 1, 50.0)
    assert all(r["channel"] != "QR" for r in api["rows"])
    page = client.get("/work/ratings/statistics/?period=2025-09").content.decode()
    assert 'data-anonymous-group="SCJG|SCJG"' in page
    drill = client.get("/work/ratings/statistics/ratings/?period=2025-09&figure=rectified&anonymous=1&department=SCJG")
    assert drill.status_code == 200 and drill.context["rows"].rows[0].pk == rectified.rating_id
    assert "data-anonymous" in drill.content.decode()
    assert len(list(drill.context["rows"].rows)) == 1
    book = load_workbook(io.BytesIO(client.get("/work/ratings/statistics/export.xlsx?period=2025-09").content))
    assert len(book.worksheets) == 2
    (heading, *anonymous_rows) = list(book.worksheets[1].values)
    assert heading == next(book.worksheets[0].values)  # the same columns as the real-name sheet
    assert len(anonymous_rows) == 1 and anonymous_rows[0][:4] == ("SCJG", "SCJG", None, "QR")
    listed = client.get("/work/windows/").content.decode()
    assert 'data-anonymous-rectified="1"' in listed

    client.logout()
    public = client.get("/ratings/statistics/?period=2025-09", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-anonymous-department="SCJG"' in public and "50.0%" in public
    assert (
        public.count("data-rectification>") == 1 and "匿名评价（窗口二维码）" in public and "已培训窗口人员" in public
    )
    assert "态度差" not in public  # the rating's comment stays off the public page


def test_the_unit_may_appeal_an_anonymous_bad_rating_and_an_upheld_appeal_takes_it_out_of_the_counts(
    people: People, clock: FrozenClock, client: Any
) -> None:
    ticket = on_friday_before_a_make_up_sunday(clock, client)
    appeal = ev.appeal_file(
        actor=people.reviewer("SCJG"),
        ticket_id=ticket.pk,
        grounds="MALICIOUS",
        statement="同一人连续差评",
        evidence=pdf("cctv.pdf"),
    )
    assert appeal.case_id is None
    for user in (people.reviewer("SCJG"), people.supervisor):  # its page shows the window, not a case
        client.force_login(user)
        page = client.get(f"/work/appeals/{appeal.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert page.status_code == 200 and "匿名评价（窗口二维码）" in page.content.decode()
        assert 'data-window="SCJG"' in page.content.decode() and "/work/cases/" not in page.content.decode()
    shown = Api(people.supervisor).call("GET", f"/api/appeals/{appeal.pk}").json()
    assert (shown["case"], shown["anonymous"], shown["window"]) == (None, True, "SCJG")
    ev.appeal_decide(actor=people.supervisor, appeal_id=appeal.pk, outcome="UPHELD", reason="监控核实")
    ticket.refresh_from_db()
    assert ticket.state == "CLOSED"
    assert anonymous_window_counts([ticket.department_id]) == {}
    actions = CaseEvent.objects.filter(case__isnull=True, after__appeal=appeal.pk).values_list("action", flat=True)
    assert sorted(actions) == ["appeal.filed", "appeal.upheld"]
