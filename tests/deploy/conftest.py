"""Fixtures of the deployment test: the catalog and the people of ``tests/cases/kit.py``."""

from tests.cases.kit import catalog, people

__all__ = ["catalog", "people"]
