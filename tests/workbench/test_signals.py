"""Deadline signals in the workbench: badges on the queues' rows, the list on the supervision page."""

from __future__ import annotations

import re
from datetime import date

import pytest

from lianban.supervision.models import Signal
from lianban.supervision.services import deadline_sweep
from tests.cases.kit import FrozenClock, People, submit
from tests.workbench.kit import accepted

pytestmark = pytest.mark.django_db


def _badges(html: str, row: str) -> list[str]:
    """The signal badges of the table row that starts with ``row`` (e.g. ``<tr data-item="X"``)."""
    start = html.index(row)
    return re.findall(r'data-signal="(\w+)"', html[start : html.index("</tr>", start)])


def test_the_queues_and_the_supervision_page_show_the_signals(people: People, clock: FrozenClock, signed_in) -> None:
    hotel = accepted(people)  # Monday 3-3: 公司设立登记 (SCJG) runs, one working day promised
    deadline_sweep()
    reviewer = signed_in(people.reviewer("SCJG")).get("/work/department/").content.decode()
    assert _badges(reviewer, '<tr data-item="SCJG-GSSL"') == ["YELLOW"]  # the most urgent of 提示 and 黄牌

    clock.set(date(2025, 3, 6))
    waiting = submit(people)  # Thursday: its intake decision is due by Thursday 3-13
    clock.set(date(2025, 3, 12))
    deadline_sweep()
    window = signed_in(people.clerk).get("/work/window/").content.decode()
    assert _badges(window, f'<tr data-case="{waiting.tracking_code}"') == ["YELLOW"]
    assert _badges(window, f'<tr data-case="{hotel.tracking_code}"') == ["RED"]  # its item is overdue

    client = signed_in(people.supervisor)
    page = client.get("/work/supervision/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "预警信号" in page and "红牌" in page and "黄牌" in page
    listed = re.findall(r'<tr data-signal-row="(\w+)"', page)
    assert listed == list(Signal.objects.order_by("-raised_at", "-id").values_list("level", flat=True))
    assert "RED" in listed and "NOTICE" in listed
    start = page.index('data-list="cases"')
    assert _badges(page[start:], f'<tr data-case="{hotel.tracking_code}"') == ["RED"]
    assert _badges(page[page.index('data-list="overdue"') :], '<tr data-item="SCJG-GSSL"') == ["RED"]

    notices = client.get("/work/supervision/?signal_level=NOTICE&signal_department=SCJG").content.decode()
    assert set(re.findall(r'<tr data-signal-row="(\w+)"', notices)) == {"NOTICE"}
    for odd in ("?signal_level=PURPLE", "?signal_department=%00", "?signals=garbage"):
        response = client.get(f"/work/supervision/{odd}")
        assert response.status_code in (200, 400), odd
    assert signed_in(people.reviewer("SCJG")).get("/work/supervision/").status_code == 403
