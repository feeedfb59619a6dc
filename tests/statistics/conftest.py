"""Fixtures of the statistics tests (see ``tests/cases/kit.py``)."""

from tests.cases.kit import catalog, clock, english, people

__all__ = ["catalog", "clock", "english", "people"]
