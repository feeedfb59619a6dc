"""A task the deployment test runs on a separate worker process, to kill that worker in the middle of it."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django_tasks import task

#: The longest a held task waits for its release (only stops a broken test from leaving a worker busy).
HOLD_LIMIT_SECONDS = 300.0


@task()
def hold(folder: str) -> int:
    """Note this attempt in ``folder`` (a file named after the process), then wait for ``folder/release``.

    Returns:
        How many attempts were noted, this one included.
    """
    where = Path(folder)
    (where / f"started-{os.getpid()}").touch()
    deadline = time.monotonic() + HOLD_LIMIT_SECONDS
    while not (where / "release").exists():
        if time.monotonic() > deadline:
            raise TimeoutError("never released")
        time.sleep(0.05)
    return len(list(where.glob("started-*")))
