"""The idempotency keys move from ``cases`` to ``common`` (state only): the table and its rows stay."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

import pytest

from lianban.accounts.models import Role
from lianban.common.admin_base import CASE_DATA_ROLE
from lianban.common.idempotency import idempotent
from lianban.common.models import IdempotencyKey
from lianban.core.case_errors import IdempotencyKeyReused

BEFORE = [("cases", "0010_tracking_notifications"), ("common", "0003_index_running_tasks")]
AFTER = [("cases", "0012_idempotency_key_moved"), ("common", "0004_idempotency_key")]


def migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


@pytest.fixture
def before_the_move(transactional_db: None) -> Iterator[MigrationExecutor]:
    executor = migrate(BEFORE)
    yield executor
    migrate(executor.loader.graph.leaf_nodes())  # back to the latest schema for the next tests


def test_moving_the_model_keeps_the_table_and_its_rows(before_the_move: MigrationExecutor) -> None:
    state = before_the_move.loader.project_state(BEFORE).apps
    with pytest.raises(LookupError):
        state.get_model("common", "IdempotencyKey")
    old = state.get_model("cases", "IdempotencyKey")
    user = state.get_model("accounts", "User").objects.create(username="clerk", role="CLERK")
    row = old.objects.create(
        actor_id=user.pk, key="k-1", operation="case.submit", result={"model": "cases.case", "pk": 7}
    )

    migrate(AFTER)

    assert "cases_idempotencykey" in connection.introspection.table_names()
    moved = IdempotencyKey.objects.get()
    assert (moved.pk, moved.actor_id, moved.key, moved.operation, moved.result) == (
        row.pk,
        user.pk,
        "k-1",
        "case.submit",
        {"model": "cases.case", "pk": 7},
    )
    with pytest.raises(IntegrityError), transaction.atomic():  # still once per (actor, key)
        IdempotencyKey.objects.create(actor_id=user.pk, key="k-1", operation="case.submit")
    # and the stored row still answers a repeat
    actor = get_user_model().objects.get(pk=user.pk)
    with pytest.raises(IdempotencyKeyReused):
        idempotent(actor=actor, key="k-1", operation="case.withdraw", run=lambda: actor, model=get_user_model())


def test_the_admin_base_names_the_supervisor_role() -> None:
    assert CASE_DATA_ROLE == Role.SUPERVISOR


def test_a_command_needs_the_actor_and_the_key_as_keywords() -> None:
    from lianban.common.idempotency import command

    def positional(actor: object, idempotency_key: str | None = None) -> IdempotencyKey:
        raise AssertionError

    def keyless(*, actor: object) -> IdempotencyKey:
        raise AssertionError

    for func in (positional, keyless):
        with pytest.raises(TypeError, match="keyword-only"):
            command(operation="x", model=IdempotencyKey)(func)
