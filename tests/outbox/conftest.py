"""Fixtures of the outbox tests (see ``tests/cases/kit.py``)."""

from tests.cases.kit import case_rows_wiped_first, catalog, clock, english, people

__all__ = ["case_rows_wiped_first", "catalog", "clock", "english", "people"]
