"""Background jobs of 好差评: thin entry points that call a service."""

from __future__ import annotations

from django_tasks import task

from lianban.evaluation import services


@task()
def default_ratings() -> dict[str, object]:
    """Give the default 基本满意 to every finished service left unrated past ``LIANBAN_RATING_DEFAULT_DAYS``."""
    return {"given": services.default_ratings()}


@task()
def report_ratings() -> dict[str, object]:
    """Send the ratings waiting for the upstream 好差评 system (``LIANBAN_RATING_UPSTREAM_URL``)."""
    from lianban.evaluation.services.reporting import reports_run

    return {"accepted": reports_run()}
