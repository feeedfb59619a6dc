"""The codes' test kit: an SMS provider that keeps what it is handed (the worker's road, nothing mocked above it).

``sms_outbox`` points ``LIANBAN_SMS_PROVIDER`` at :class:`MemoryProvider` (registered for the test only) with
provider template codes for both texts; :func:`deliver` runs what the worker runs when a code is asked for.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import ClassVar

import pytest
from pytest_django import Settings

from lianban.messaging import providers
from lianban.messaging.services import codes_run


class MemoryProvider:
    """Takes every message (delivered at once, as the log provider); ``outbox`` holds (phone, text), newest last.

    ``script``: outcomes to answer first (``providers.TEMPORARY``, ``PERMANENT``…), the message not taken.
    """

    name = "memory"
    outbox: ClassVar[list[tuple[str, str]]] = []
    script: ClassVar[list[str]] = []

    def send(
        self, *, phone: str, template: str, params: Mapping[str, str], text: str, out_id: str
    ) -> providers.SendResult:
        if self.script:
            return providers.SendResult(self.script.pop(0), code="SCRIPTED")
        self.outbox.append((phone, text))
        return providers.SendResult(providers.ACCEPTED, ref=f"mem-{out_id}", delivered=True)


@pytest.fixture
def sms_outbox(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str]]]:
    monkeypatch.setitem(providers.PROVIDERS, "memory", MemoryProvider)
    settings.LIANBAN_SMS_PROVIDER = "memory"
    settings.LIANBAN_SMS_CODE_TEMPLATE = "SMS_CODE"
    settings.LIANBAN_SMS_ACCOUNT_TEMPLATE = "SMS_ACCOUNT"
    MemoryProvider.outbox.clear()
    MemoryProvider.script.clear()
    yield MemoryProvider.outbox
    MemoryProvider.outbox.clear()
    MemoryProvider.script.clear()


def deliver(at: datetime | None = None) -> int:
    """The worker's run of the codes (``messaging.tasks.send_codes``) at ``at`` (default: now)."""
    return codes_run(budget_seconds=10.0, now=at)
