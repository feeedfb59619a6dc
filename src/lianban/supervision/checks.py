"""System check: departments with open 督办 orders and no leader recorded (``lianban check --database default``)."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Tags, Warning, register
from django.db import DatabaseError


@register(Tags.database)
def department_leader_check(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Warn about each department whose open 督办 orders would escalate to nobody but the supervisors."""
    if not databases:
        return []
    from lianban.supervision.selectors import departments_without_leader

    try:
        missing = departments_without_leader()
    except DatabaseError:  # not migrated yet
        return []
    if not missing:
        return []
    names = "、".join(f"{name} ({code})" for code, name in missing)
    return [
        Warning(
            f"no leader recorded for {len(missing)} department(s) with open supervision orders (该部门未登记分管领导): "
            f"{names}; their escalations go to the supervisors instead",
            hint="record each department's leader in the admin (Supervision › Department leaders)",
            id="lianban.W111",
        )
    ]
