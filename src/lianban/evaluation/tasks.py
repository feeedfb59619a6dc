"""Background jobs of 好差评: thin entry points that call a service."""

from __future__ import annotations

from django_tasks import task

from lianban.evaluation import services


@task()
def default_ratings() -> dict[str, object]:
    """Give the default 基本满意 to every finished service left unrated past ``LIANBAN_RATING_DEFAULT_DAYS``."""
    return {"given": services.default_ratings()}
