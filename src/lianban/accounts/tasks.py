"""Background tasks of accounts."""

from __future__ import annotations

from django_tasks import task


@task()
def phone_code_prune() -> int:
    """Delete one-time code rows older than the longest rate-limit window (harmless when repeated)."""
    from lianban.accounts.phone_codes import phone_codes_prune

    return phone_codes_prune()
