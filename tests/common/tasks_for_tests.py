"""django-tasks tasks used by the worker tests (standing in for the platform's own jobs)."""

from __future__ import annotations

from django_tasks import task

#: Calls of :func:`tick` made in this process (the immediate backend runs them here).
TICKS: list[str] = []


@task()
def add(a: int, b: int) -> int:
    """Return the sum; the worker records it as the task's result."""
    return a + b


@task()
def explode() -> None:
    """Fail, so the worker records the failure."""
    raise RuntimeError("boom")


@task()
def tick() -> str:
    """A periodic job."""
    TICKS.append("tick")
    return "tick"


@task()
def tock() -> str:
    """A second periodic job."""
    return "tock"


not_a_task = "a plain string"
