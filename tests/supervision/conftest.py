"""Fixtures of the case-engine tests (see ``tests/cases/kit.py``); the local SMS provider and SMTP server of the
messaging tests (``tests/messaging/servers.py``) for the staff's reminders."""

from tests.cases.kit import catalog, clock, english, people
from tests.messaging.conftest import aliyun, smtp

__all__ = ["aliyun", "catalog", "clock", "english", "people", "smtp"]
