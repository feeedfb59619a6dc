"""Anonymous ratings of a window (its QR code): a rating without a case.

On SQLite, altering the column remakes the table, which drops its append-only triggers: they are made again
(the statements of 0002; a row without a case can be deleted there, as the test runner must). PostgreSQL keeps
its trigger through the ALTER and refuses every UPDATE and DELETE.
"""

import django.db.models.deletion
from django.db import migrations, models

from lianban.common.migration_helpers import AppendOnlyTriggers, statements_per_vendor

_RATING = AppendOnlyTriggers("evaluation_rating", "ratings are append-only")
#: Dropped if still there, then made again; nothing to do on PostgreSQL.
TRIGGERS: dict[str, list[str]] = {
    "sqlite": [*_RATING.sqlite_backward(), *_RATING.sqlite_forward()],
    "postgresql": [],
}


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0012_idempotency_key_moved"),
        ("evaluation", "0004_upstream_reports"),
    ]

    operations = [
        # backward: the triggers again after the table was remade (the operations run in reverse)
        migrations.RunPython(migrations.RunPython.noop, statements_per_vendor(TRIGGERS)),
        migrations.AlterField(
            model_name="rating",
            name="case",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cases.case",
                verbose_name="case (none: an anonymous rating of a window)",
            ),
        ),
        migrations.RunPython(statements_per_vendor(TRIGGERS), migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="rating",
            index=models.Index(fields=["anonymous", "department"], name="rating_anonymous_dept"),
        ),
    ]
