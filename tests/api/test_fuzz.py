"""Schema-driven fuzzing (schemathesis): every operation of docs/api/openapi.yaml, as every role, never a 5xx.

Each operation gets ``LIANBAN_FUZZ_EXAMPLES`` generated requests (default 5;
derandomized, so a run is repeatable), and each request is sent once per
role — anonymous, applicant, clerk, reviewer, supervisor, admin — through
the WSGI application with HTTP Basic. The world holds a submitted and
accepted case, so ids 1, 2… hit real rows as often as not. A 5xx, or an
exception escaping the application, fails the test with the request that
caused it. The whole run stays within about two minutes on two cores.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.cases.kit import People, check_all, submit

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = schemathesis.openapi.from_path(ROOT / "docs" / "api" / "openapi.yaml")
SCHEMA.app = get_wsgi_application()
EXAMPLES = int(os.environ.get("LIANBAN_FUZZ_EXAMPLES", "5"))
ROLES = ("anonymous", "applicant", "clerk", "reviewer", "supervisor", "admin")


@pytest.fixture(autouse=True)
def connections_kept() -> Any:
    """Like Django's test client: the WSGI handler must not close the test transaction's connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _basic(username: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:x".encode()).decode()}


@pytest.fixture
def callers(people: People, clock: Any) -> dict[str, dict[str, str]]:
    """Basic-auth headers per role (every kit user's password is ``x``), with a case in the world."""
    from lianban.intake.services import intake_accept

    case = submit(people)
    check_all(people, case)
    intake_accept(actor=people.clerk, case_id=case.pk, promises={})
    submit(people, thing="KFG", answers={"area": 200}, files=[])
    reviewer = next(iter(people.reviewers.values()))
    users = {
        "applicant": people.applicant_user,
        "clerk": people.clerk,
        "reviewer": reviewer,
        "supervisor": people.supervisor,
        "admin": people.admin,
    }
    return {"anonymous": {}} | {role: _basic(user.username) for role, user in users.items()}


@pytest.mark.django_db
@SCHEMA.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_5xx_to_any_role(case: Any, callers: dict[str, dict[str, str]]) -> None:
    for role in ROLES:
        headers = {key: value for key, value in (case.headers or {}).items() if key.lower() != "authorization"}
        case.headers = headers
        response = case.call(headers=callers[role])
        assert response.status_code < 500, (role, case.method, case.formatted_path, case.body, response.text[:500])
