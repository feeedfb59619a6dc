"""Fixtures of the accounts tests: the case kit (``tests/cases/kit.py``), the codes' SMS outbox (``tests/accounts/codes.py``)."""

from tests.accounts.codes import sms_outbox
from tests.cases.kit import catalog, clock, english, people

__all__ = ["catalog", "clock", "english", "people", "sms_outbox"]
