"""Tables that are only ever appended to (the audit trail, deadline signals): the ORM refuses the rest."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


class AppendOnlyQuerySet(models.QuerySet[M]):
    """Rows can be read and added, never updated or deleted in bulk.

    A subclass names the exception it raises (``refusal``) and its words (``refused``); the model
    refuses ``save()`` of an existing row and ``delete()`` itself, and the database's triggers back both.
    """

    refusal: type[Exception] = Exception
    refused = "rows are append-only"

    def update(self, **kwargs: Any) -> int:
        raise self.refusal(self.refused)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise self.refusal(self.refused)

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise self.refusal(self.refused)
