"""Background job of messaging: make and send the due messages (periodic, see ``LIANBAN_MESSAGE_SECONDS``)."""

from __future__ import annotations

from django_tasks import task

from lianban.messaging.services import codes_run, messages_run


@task()
def deliver_messages() -> int:
    """Make and send every due message (at most 30 s of work); the number handed over. Harmless when run by several
    workers."""
    return messages_run(budget_seconds=30.0)


@task()
def send_codes() -> int:
    """Send the due verification codes at once (enqueued when a code is asked for; at most 10 s of work)."""
    return codes_run(budget_seconds=10.0)
