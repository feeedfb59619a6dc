"""What the system writes by itself is in the platform's language, whatever the thread was left in."""

from __future__ import annotations

from django.utils import translation

from lianban.common.language import in_platform_language
from lianban.intake.services import deemed_acceptance_sweep_run
from lianban.supervision.services import deadline_sweep


def test_a_function_runs_in_the_platform_language_and_the_thread_keeps_its_own() -> None:
    translation.activate("en")  # a request on this thread asked for English and left it active
    try:
        assert in_platform_language(translation.get_language)() == "zh-hans"
        assert translation.get_language() == "en"
    finally:
        translation.deactivate()


def test_the_sweeps_run_in_the_platform_language() -> None:
    for sweep in (deadline_sweep, deemed_acceptance_sweep_run):
        assert getattr(sweep, "__wrapped__", None) is not None, sweep
