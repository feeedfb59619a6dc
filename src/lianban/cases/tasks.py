"""Background jobs of cases: thin entry points that take ids and call a service."""

from __future__ import annotations

from django_tasks import task

from lianban.cases.notifications import notification_send


@task()
def send_notification(notification_id: int) -> bool:
    """Send one notification out (SMS…); harmless when repeated."""
    return notification_send(notification_id=notification_id)
