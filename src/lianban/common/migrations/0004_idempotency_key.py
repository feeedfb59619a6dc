"""The idempotency keys move from ``cases`` to ``common``: state only, the table stays ``cases_idempotencykey``.

``cases.0012_idempotency_key_moved`` removes the model from the cases app's state (again without touching
the table); existing rows are kept.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("common", "0003_index_running_tasks"),
        ("cases", "0010_tracking_notifications"),  # the table exists (created by cases.0001)
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="IdempotencyKey",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("key", models.CharField(max_length=100, verbose_name="key")),
                        ("operation", models.CharField(max_length=60, verbose_name="operation")),
                        ("result", models.JSONField(default=dict, verbose_name="result")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                        (
                            "actor",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="actor",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "idempotency key",
                        "verbose_name_plural": "idempotency keys",
                        "db_table": "cases_idempotencykey",
                        "constraints": [models.UniqueConstraint(fields=("actor", "key"), name="idempotency_key_once")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
