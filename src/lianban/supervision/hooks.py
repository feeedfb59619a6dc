"""What supervision does when the apps below it call their hooks (registered in ``SupervisionConfig.ready``)."""

from __future__ import annotations

from collections.abc import Mapping


def intake_overdue(case_id: int) -> None:
    """The 红牌 of an intake decision not made in time (``intake.hooks.INTAKE_OVERDUE``)."""
    from lianban.supervision.signals import intake_signals_raise

    intake_signals_raise(case_id=case_id, overdue=True)


def intake_calendar_gaps(cases: Mapping[int, int]) -> None:
    """The calendar alerts of the deemed-acceptance sweep (``intake.hooks.CALENDAR_GAPS``)."""
    from lianban.supervision.services import calendar_alerts_record

    calendar_alerts_record(cases=cases)


def calendar_changed() -> None:
    """Queue the recomputation of the provisional dates (``workdays.services.CALENDAR_CHANGED``)."""
    from lianban.supervision.tasks import provisional_dates_recompute

    provisional_dates_recompute.enqueue()


def register() -> None:
    """Register the functions above on their hooks."""
    from lianban.intake.hooks import CALENDAR_GAPS, INTAKE_OVERDUE
    from lianban.workdays.services import CALENDAR_CHANGED

    INTAKE_OVERDUE.register(intake_overdue)
    CALENDAR_GAPS.register(intake_calendar_gaps)
    CALENDAR_CHANGED.register(calendar_changed)
