"""The idempotency keys now belong to ``common`` (``common.0004_idempotency_key``): state only, the table and
its rows stay."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0011_plan_schema_version_2"),
        ("common", "0004_idempotency_key"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="IdempotencyKey")],
            database_operations=[],
        ),
    ]
