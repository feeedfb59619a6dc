"""Background jobs of intake: thin entry points that call a service."""

from __future__ import annotations

from django_tasks import task

from lianban.intake import services


@task()
def deemed_acceptance_sweep() -> list[int]:
    """Accept by operation of law every case whose intake deadline has passed."""
    return services.deemed_acceptance_sweep()
