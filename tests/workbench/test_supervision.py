"""The supervisor's page through the Django test client: filters, due-soon and overdue lists, calendar alerts."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from lianban.intake.services import intake_refuse
from lianban.supervision.services import deadline_sweep
from tests.cases.kit import submit
from tests.workbench.kit import accepted, approve, item

pytestmark = pytest.mark.django_db


def listed(html: str, name: str) -> list[str]:
    """The tracking codes (cases) or item codes listed in the table ``data-list=name``."""
    start = html.index(f'data-list="{name}"')
    table = html[start : html.index("</table>", start)]
    key = "data-case" if name == "cases" else "data-item"
    return re.findall(rf'<tr {key}="([\w-]+)"', table)


@pytest.fixture
def cases(people, clock):
    """A hotel with stage 2 running (one item overdue, one due soon), a restaurant at the window, a refused case."""
    late = accepted(people)
    approve(people, item(late, "SCJG-GSSL"))
    clock.working_days(1)
    waiting = submit(people, thing="KFG", answers={"area": 200})
    refused = submit(people)
    intake_refuse(actor=people.clerk, case_id=refused.pk, reason="不属于本机关")
    clock.working_days(2)
    deadline_sweep()
    return {"late": late, "waiting": waiting, "refused": refused}


def test_every_case_newest_first_with_the_late_and_the_soon(people, clock, signed_in, cases):
    html = signed_in(people.supervisor).get("/work/supervision/").content.decode()
    assert listed(html, "cases") == [
        cases["refused"].tracking_code,
        cases["waiting"].tracking_code,
        cases["late"].tracking_code,
    ]
    assert "CG-HWGG" in listed(html, "overdue") and "STHJ-HPBA" in listed(html, "overdue")
    assert listed(html, "due-soon") == ["WJ-GGWS"]
    assert "已超期" in html and "即将到期" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("state=SUBMITTED", ["waiting"]),
        ("state=REFUSED", ["refused"]),
        ("thing=KFG", ["waiting"]),
        ("department=CG", ["refused", "late"]),  # cases with an item of 城市管理局
        ("department=GA&state=IN_PROGRESS", ["late"]),
        ("overdue=on", ["late"]),
        ("submitted_from=2025-03-04", ["refused", "waiting"]),
        ("submitted_to=2025-03-03", ["late"]),
        ("submitted_from=2025-03-05", []),
    ],
)
def test_the_filters(people, clock, signed_in, cases, query, expected):
    response = signed_in(people.supervisor).get(f"/work/supervision/?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    if expected:
        assert listed(html, "cases") == [cases[name].tracking_code for name in expected]
    else:
        assert "没有符合条件的办件。" in html


def test_a_reversed_date_range_is_an_error_next_to_the_field(people, clock, signed_in, cases):
    response = signed_in(people.supervisor).get("/work/supervision/?submitted_from=2025-03-05&submitted_to=2025-03-01")
    assert response.status_code == 400
    assert "截止日期早于起始日期。" in response.content.decode()


@pytest.mark.parametrize("who", ["clerk", "admin", "applicant_user"])
def test_the_page_is_for_supervisors(people, who, signed_in):
    assert signed_in(getattr(people, who)).get("/work/supervision/").status_code == 403
    assert signed_in(people.reviewer("SCJG")).get("/work/supervision/").status_code == 403


def test_a_year_the_calendar_does_not_cover_is_announced_before_it_is_needed(people, clock, signed_in, settings):
    settings.LIANBAN_PROVISIONAL_YEARS = 0  # no provisional calendar: the year is not covered at all
    clock.moment = datetime(2026, 11, 23, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    html = signed_in(people.supervisor).get("/work/supervision/").content.decode()
    assert 'data-alert="calendar-2027"' in html
    assert "工作日历尚未覆盖2027年" in html
    assert 'data-alert="calendar-2026"' not in html
    assert "暂无到期日的事项" not in html


def test_items_whose_due_date_falls_in_an_uncovered_year_are_listed_with_the_sweeps_alert(
    people, clock, signed_in, settings
):
    settings.LIANBAN_PROVISIONAL_YEARS = 0  # no provisional calendar: the year is not covered at all
    clock.moment = datetime(2026, 12, 28, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    case = accepted(people)
    approve(people, item(case, "SCJG-GSSL"))  # stage 2: 消防设计审查 has 10 working days, into 2027
    deadline_sweep()
    html = signed_in(people.supervisor).get("/work/supervision/").content.decode()
    assert "ZJ-XFSJ" in listed(html, "due-unknown")
    assert "期限未知" in html and 'title="2027年的工作日历尚未录入"' in html
    alert = html[html.index('data-alert="calendar-2027"') :]
    assert "个在办事项暂无到期日" in alert[: alert.index("</p>")]
    reviewer = signed_in(people.reviewer("ZJ")).get("/work/department/").content.decode()
    assert "期限未知" in reviewer
