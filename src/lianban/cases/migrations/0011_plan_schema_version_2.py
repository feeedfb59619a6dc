"""New cases freeze plans of schema 2 (``schema_version`` in the document).

Stored plans of schema 1 are not rewritten: ``Case.frozen_plan`` reads them
through ``lianban.core.planner.Plan.from_dict``, which upgrades them. Only the
field's Python default changes, which the database does not hold: the change
is made to the migration state alone (on SQLite an AlterField would rebuild
``cases_case``, which the events' delete trigger names).
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0010_tracking_notifications'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='case',
                    name='plan_schema_version',
                    field=models.PositiveSmallIntegerField(default=2, verbose_name='plan schema version'),
                ),
            ],
        ),
    ]
