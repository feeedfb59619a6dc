"""Background jobs of cases: thin entry points that take ids and call a service."""

from __future__ import annotations

from django_tasks import task


@task()
def audit_anchor() -> int:
    """Anchor the audit trail of every day that ended (harmless when repeated); the number of anchors made."""
    from lianban.cases import clock
    from lianban.cases.audit import anchor_close_days

    return len(anchor_close_days(clock.today()))
