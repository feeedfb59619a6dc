"""好差评 rules (``lianban.core.evaluation``): levels, indicators, time limits, the ticket's steps — no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from lianban.core import evaluation as ev
from lianban.core.workdays import WorkCalendar

# 2025 National Day: 10-1..10-8 off, Sunday 9-28 and Saturday 10-11 are make-up working days (调休)
CALENDAR = WorkCalendar.from_exceptions(
    {**{date(2025, 10, d): False for d in range(1, 9)}, date(2025, 9, 28): True, date(2025, 10, 11): True},
    covered_years=[2025, 2026],
)


def test_levels_are_five_to_one_with_their_words_and_two_or_less_is_bad() -> None:
    assert [int(level) for level in ev.Level] == [5, 4, 3, 2, 1]
    assert [ev.LEVEL_LABELS[int(level)] for level in ev.Level] == [
        "非常满意",
        "满意",
        "基本满意",
        "不满意",
        "非常不满意",
    ]
    assert [ev.is_bad(level) for level in (5, 4, 3, 2, 1)] == [False, False, False, True, True]
    assert ev.DEFAULT_LEVEL == 3 and not ev.is_bad(ev.DEFAULT_LEVEL)


@pytest.mark.parametrize("value", [0, 6, -1, "x", None])
def test_a_level_outside_one_to_five_is_refused(value: object) -> None:
    with pytest.raises(ev.LevelInvalid):
        ev.level_of(value)  # type: ignore[arg-type]


def test_the_indicator_sets_are_versioned_data_per_mode() -> None:
    current = ev.INDICATOR_SETS[ev.CURRENT_INDICATORS]
    assert [i.label for i in current.for_mode(ev.Mode.ONLINE)] == [
        "整体满意度",
        "办事效率",
        "办事指南准确度",
        "办事便捷度",
        "平台操作性",
    ]
    assert [i.label for i in current.for_mode(ev.Mode.WINDOW)] == ["整体满意度", "服务效率", "服务水平", "服务态度"]
    assert ev.mode_of_channel(ev.Channel.TABLET, ev.Kind.SERVICE) == ev.Mode.WINDOW
    assert ev.mode_of_channel(ev.Channel.PORTAL, ev.Kind.VISIT) == ev.Mode.WINDOW
    assert ev.mode_of_channel(ev.Channel.LINK, ev.Kind.SERVICE) == ev.Mode.ONLINE


def test_indicators_are_shown_by_level() -> None:
    assert [ev.tone(level) for level in (5, 4, 3, 2, 1)] == [
        ev.Tone.PRAISE,
        ev.Tone.PRAISE,
        ev.Tone.NEUTRAL,
        ev.Tone.PROBLEM,
        ev.Tone.PROBLEM,
    ]


def test_indicators_are_checked_and_a_bad_rating_names_one() -> None:
    version = ev.CURRENT_INDICATORS
    assert ev.indicators_check(version, ev.Mode.ONLINE, 5, []) == ()
    assert ev.indicators_check(version, ev.Mode.ONLINE, 2, ["guide", "efficiency", "guide"]) == ("efficiency", "guide")
    with pytest.raises(ev.IndicatorsInvalid):
        ev.indicators_check(version, ev.Mode.ONLINE, 1, [])
    with pytest.raises(ev.IndicatorsInvalid):
        ev.indicators_check(version, ev.Mode.WINDOW, 4, ["usability"])  # an online indicator at the window


def test_the_default_rating_is_owed_after_n_natural_days() -> None:
    limits = ev.Limits(default_days=7)
    finished = date(2025, 9, 26)
    assert not ev.default_owed(finished, date(2025, 10, 3), limits)  # 7 days: still the evaluator's
    assert ev.default_owed(finished, date(2025, 10, 4), limits)  # natural days, holidays counted


def test_the_follow_up_window_and_the_token_expiry() -> None:
    limits = ev.Limits(follow_up_days=15, token_days=30)
    rated = datetime(2025, 9, 26, 10, tzinfo=UTC)
    assert ev.follow_up_open(rated, rated + timedelta(days=15), limits)
    assert not ev.follow_up_open(rated, rated + timedelta(days=15, seconds=1), limits)
    assert ev.token_expires(rated, limits) == rated + timedelta(days=30)


def test_ticket_due_dates_count_working_days_across_a_make_up_weekend() -> None:
    dates = ev.ticket_dates(CALENDAR, date(2025, 9, 26), ev.Limits(contact_days=1, rectify_days=15))
    assert dates.contact_due_on == date(2025, 9, 28)  # the Sunday is a make-up working day
    assert dates.rectify_due_on == date(2025, 10, 23)  # the National Day week skipped, Saturday 10-11 counted
    assert ev.step_due(ev.TicketState.PRECHECK, dates) == dates.contact_due_on
    assert ev.step_due(ev.TicketState.FEEDBACK, dates) == dates.rectify_due_on
    assert ev.step_due(ev.TicketState.RERATE, dates) is None


def test_the_ticket_runs_precheck_visit_rectify_feedback_rerate_to_closed() -> None:
    state = ev.TicketState.PRECHECK
    path = [
        ev.TicketEvent.PRECHECK,
        ev.TicketEvent.VISIT,
        ev.TicketEvent.RECTIFY,
        ev.TicketEvent.FEEDBACK,
        ev.TicketEvent.RERATE,
    ]
    seen = []
    for event in path:
        assert ev.allowed_events(state) == (event,)
        state = ev.ticket_next(state, event, verdict=ev.Verdict.TRUE, rerating=ev.Rerating.BASICALLY).state
        seen.append(state)
    assert seen[-1] == ev.TicketState.CLOSED
    assert ev.waiting_on(ev.TicketState.RERATE) == "evaluator"
    assert ev.waiting_on(ev.TicketState.VISIT) == "unit"
    assert ev.waiting_on(ev.TicketState.CLOSED) == ""


def test_a_step_out_of_order_is_refused() -> None:
    with pytest.raises(ev.TicketStepRefused):
        ev.ticket_next(ev.TicketState.PRECHECK, ev.TicketEvent.RECTIFY)
    with pytest.raises(ev.TicketStepRefused):
        ev.ticket_next(ev.TicketState.CLOSED, ev.TicketEvent.RERATE)


def test_a_malicious_rating_closes_the_ticket_at_the_precheck() -> None:
    move = ev.ticket_next(ev.TicketState.PRECHECK, ev.TicketEvent.PRECHECK, verdict=ev.Verdict.MALICIOUS)
    assert move == ev.TicketMove(ev.TicketState.CLOSED)


def test_dissatisfied_reopens_once_then_closes() -> None:
    first = ev.ticket_next(ev.TicketState.RERATE, ev.TicketEvent.RERATE, rerating=ev.Rerating.DISSATISFIED, reopened=0)
    assert first == ev.TicketMove(ev.TicketState.RECTIFY, reopened=True)
    second = ev.ticket_next(ev.TicketState.RERATE, ev.TicketEvent.RERATE, rerating=ev.Rerating.DISSATISFIED, reopened=1)
    assert second == ev.TicketMove(ev.TicketState.CLOSED)


def test_an_anonymous_ratings_ticket_runs_precheck_then_rectify_to_closed() -> None:
    flow = ev.flow_of(anonymous=True)
    assert flow == ev.TicketFlow.ANONYMOUS and ev.flow_of(anonymous=False) == ev.TicketFlow.FULL
    assert ev.flow_events(flow) == (ev.TicketEvent.PRECHECK, ev.TicketEvent.RECTIFY)
    state = ev.TicketState.PRECHECK
    seen = []
    for event in ev.flow_events(flow):
        assert ev.allowed_events(state, flow) == (event,)
        state = ev.ticket_next(state, event, flow=flow, verdict=ev.Verdict.REASONABLE).state
        seen.append(state)
    assert seen == [ev.TicketState.RECTIFY, ev.TicketState.CLOSED]
    assert ev.allowed_events(ev.TicketState.CLOSED, flow) == ()
    malicious = ev.ticket_next(
        ev.TicketState.PRECHECK, ev.TicketEvent.PRECHECK, flow=flow, verdict=ev.Verdict.MALICIOUS
    )
    assert malicious == ev.TicketMove(ev.TicketState.CLOSED)


@pytest.mark.parametrize("event", [ev.TicketEvent.VISIT, ev.TicketEvent.FEEDBACK, ev.TicketEvent.RERATE])
def test_the_steps_an_anonymous_rating_skips_are_refused_in_any_state(event: ev.TicketEvent) -> None:
    for state in ev.TicketState:
        with pytest.raises(ev.TicketStepSkipped) as refused:
            ev.ticket_next(state, event, flow=ev.TicketFlow.ANONYMOUS, rerating=ev.Rerating.DISSATISFIED)
        assert refused.value.code == "ticket-step-skipped" and event.value in refused.value.message
    ev.step_check(ev.TicketFlow.FULL, event)  # the whole loop has them


def test_a_step_out_of_order_in_the_anonymous_flow_is_refused_as_out_of_order() -> None:
    with pytest.raises(ev.TicketStepRefused):
        ev.ticket_next(ev.TicketState.PRECHECK, ev.TicketEvent.RECTIFY, flow=ev.TicketFlow.ANONYMOUS)
    with pytest.raises(ev.TicketStepRefused):
        ev.ticket_next(ev.TicketState.CLOSED, ev.TicketEvent.PRECHECK, flow=ev.TicketFlow.ANONYMOUS)


def test_the_anonymous_ratings_rates_are_only_those_that_apply() -> None:
    counts = ev.Counts(ratings=4, active=4, good=2, bad=2, rectified=1)
    assert ev.rates(counts, anonymous=True) == {
        "good_rate": 50.0,
        "rectify_rate": 50.0,
        "visit_rate": None,
        "visit_satisfied_rate": None,
        "active_rate": None,
        "unrated_rate": None,
    }
    assert ev.rates(counts)["visit_rate"] == 0.0 and ev.rates(counts)["active_rate"] == 100.0
