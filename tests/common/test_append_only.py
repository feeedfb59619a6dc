"""The append-only rows: one abstract model and one trigger helper for every append-only table."""

from __future__ import annotations

import importlib
import re

import pytest

from lianban.cases.models import AppendOnly, AuditAnchor, CaseEvent
from lianban.common.append_only import AppendOnlyQuerySet, AppendOnlyRow
from lianban.common.migration_helpers import AppendOnlyTriggers
from lianban.evaluation.models import AppendOnlyRating, Rating
from lianban.supervision.models import AppendOnlySignal, Signal


def _sql(statements: list[str]) -> list[str]:
    return [re.sub(r"\s+", " ", s).strip() for s in statements]


@pytest.mark.parametrize(
    ("module", "table", "words"),
    [
        ("lianban.evaluation.migrations.0002_rating_append_only", "evaluation_rating", "ratings are append-only"),
        ("lianban.supervision.migrations.0002_signal", "supervision_signal", "signals are append-only"),
    ],
)
def test_the_helper_writes_the_triggers_the_existing_migrations_made(module: str, table: str, words: str) -> None:
    written = importlib.import_module(module)
    triggers = AppendOnlyTriggers(table, words)
    assert _sql(triggers.sqlite_forward()) == _sql(written.SQLITE_FORWARD)
    assert _sql(triggers.sqlite_backward()) == _sql(written.SQLITE_BACKWARD)
    assert _sql(triggers.postgres_forward()) == _sql(written.POSTGRES_FORWARD)
    assert _sql(triggers.postgres_backward()) == _sql(written.POSTGRES_BACKWARD)


def test_without_a_parent_table_sqlite_refuses_every_delete() -> None:
    (_update, delete) = AppendOnlyTriggers("x_y", "ys are append-only", delete_while=None).sqlite_forward()
    assert "WHEN" not in delete and "RAISE(ABORT, 'ys are append-only')" in delete


@pytest.mark.parametrize(
    ("model", "refusal", "words"),
    [
        (CaseEvent, AppendOnly, "case events are append-only"),
        (AuditAnchor, AppendOnly, "audit anchors are append-only"),
        (Rating, AppendOnlyRating, "ratings are append-only"),
        (Signal, AppendOnlySignal, "signals are append-only"),
    ],
)
def test_each_append_only_model_names_its_refusal(model: type[AppendOnlyRow], refusal: type, words: str) -> None:
    assert issubclass(model, AppendOnlyRow) and (model.refusal, model.refused) == (refusal, words)
    queryset = model.objects.all()
    assert isinstance(queryset, AppendOnlyQuerySet)
    for attempt in (lambda: queryset.update(), queryset.delete, lambda: queryset.bulk_update([], [])):
        with pytest.raises(refusal, match=words):
            attempt()
    stored = model()
    stored._state.adding = False
    with pytest.raises(refusal, match=words):
        stored.save()
    with pytest.raises(refusal, match=words):
        stored.delete()
