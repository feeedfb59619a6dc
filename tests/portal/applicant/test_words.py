"""States, deadlines, dates and money in the applicant's words."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import translation

from lianban.core.case_errors import TransitionRefused
from lianban.portal.case_view import can_withdraw, day_text, money
from lianban.portal.case_words import due_text, error_text, item_state_text, state_text
from lianban.portal.templatetags.portal_tags import day


def test_states_and_deadlines_read_in_chinese_with_a_fallback_for_values_added_later():
    with translation.override("zh-hans"):
        assert state_text("IN_PROGRESS") == "已受理，各部门办理中"
        assert state_text("SOMETHING_NEW") == "办理中"
        assert item_state_text("SUPPLEMENT") == "待您补正"
        assert due_text("OVERDUE") == "已超期"
        assert due_text("UNKNOWN") == "期限待定：该年度工作日历尚未发布"
        assert due_text("LATER_STATUS") == "期限待定"
        assert due_text("") == ""


def test_a_refused_transition_names_the_state_in_words():
    with translation.override("zh-hans"):
        text = error_text(TransitionRefused("case", "SUBMITTED", "resubmit"))
    assert text == "当前无法进行此操作：申请状态为「已提交，窗口审查材料中」。"


def test_dates_and_money():
    with translation.override("zh-hans"):
        assert day_text(date(2026, 11, 22)) == "2026年11月22日"
        assert day_text(date(2026, 3, 3)) == "2026年3月3日"
        assert day("2026-01-05") == "2026年1月5日"
        # a moment is shown on its date in the platform's time zone
        assert day(datetime(2026, 11, 21, 17, tzinfo=ZoneInfo("UTC"))) == "2026年11月22日"
    assert money(Decimal("12.5")) == "¥12.50"
    assert money(Decimal("1234")) == "¥1,234.00"


def test_withdrawal_is_open_until_issuance():
    assert all(can_withdraw(s) for s in ("SUBMITTED", "CORRECTION_REQUESTED", "RESUBMITTED", "IN_PROGRESS", "READY"))
    assert not any(can_withdraw(s) for s in ("ISSUED", "REFUSED", "WITHDRAWN"))
