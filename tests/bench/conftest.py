"""Fixtures of the benchmark tests (see ``tests/cases/kit.py``)."""

from tests.cases.kit import case_rows_wiped_first, english

__all__ = ["case_rows_wiped_first", "english"]
