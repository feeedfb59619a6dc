"""Helpers for catalog tests: files, and a snapshot of everything an import could change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lianban.catalog import models as m
from lianban.catalog.selectors import catalog_revision
from lianban.catalog.services import CatalogFile, catalog_export, catalog_import

HERE = Path(__file__).resolve().parent
BAD = HERE / "bad"
LEGAL = HERE / "legal"

CATALOG_MODELS = (
    m.Department,
    m.Material,
    m.FieldDefinition,
    m.Item,
    m.ItemMaterial,
    m.ItemProduct,
    m.Thing,
    m.Question,
    m.ThingItem,
    m.ImportRecord,
)


def catalog_files(paths: list[Path]) -> list[CatalogFile]:
    """CatalogFiles named by the files' base names."""
    return [CatalogFile(p.name, p.read_bytes()) for p in paths]


def catalog_state() -> dict[str, Any]:
    """Everything an import may change: both exports, row counts, the revision."""
    return {
        "yaml": catalog_export(),
        "json": catalog_export(fmt="json"),
        "rows": {model.__name__: model.objects.count() for model in CATALOG_MODELS},
        "revision": catalog_revision(),
    }


@pytest.fixture
def demo_catalog(scenario_files: list[Path]) -> dict[str, Any]:
    """The three scenarios imported; returns the state right after."""
    catalog_import(files=catalog_files(scenario_files))
    return catalog_state()
