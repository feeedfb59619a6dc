"""Tables that are only ever appended to (the audit trail, its anchors, deadline signals, ratings).

A model subclasses :class:`AppendOnlyRow` and names its refusal (``refusal``, an exception class) and its
words (``refused``); its manager is ``AppendOnlyQuerySet.as_manager()``. The ORM then refuses ``save()`` of
an existing row, ``delete()``, and updates or deletes in bulk, and the database's triggers back both
(``lianban.common.migration_helpers.append_only_triggers``).
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from django.db import models


class AppendOnlyRow(models.Model):
    """A row that can be added, never changed or deleted."""

    #: The exception raised on a change or a deletion.
    refusal: ClassVar[type[Exception]] = Exception
    #: Its words.
    refused: ClassVar[str] = "rows are append-only"

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert only."""
        self.refuse_if_stored()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        """Never."""
        raise self.refusal(self.refused)

    def refuse_if_stored(self) -> None:
        """Raise ``refusal`` unless this row is being added."""
        if not self._state.adding:
            raise self.refusal(self.refused)


R = TypeVar("R", bound=AppendOnlyRow)


class AppendOnlyQuerySet(models.QuerySet[R]):
    """Rows can be read and added, never updated or deleted in bulk (the model's ``refusal`` says so)."""

    def _refusal(self) -> Exception:
        return self.model.refusal(self.model.refused)

    def update(self, **kwargs: Any) -> int:
        raise self._refusal()

    def delete(self) -> tuple[int, dict[str, int]]:
        raise self._refusal()

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise self._refusal()
