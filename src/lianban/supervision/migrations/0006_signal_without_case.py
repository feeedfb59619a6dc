"""A signal about no case: the overdue step of an anonymous window rating's rectification ticket (好差评).

On SQLite, altering the column remakes the table, which drops its append-only triggers: they are made again
(``AppendOnlyTriggers``: the statements of 0002; a signal without a case may be deleted on SQLite only as the
test runner wipes the database, like the anonymous ratings of evaluation 0005). PostgreSQL keeps its trigger
through the ALTER and refuses every UPDATE and DELETE.
"""

import django.db.models.deletion
from django.db import migrations, models

from lianban.common.migration_helpers import AppendOnlyTriggers, statements_per_vendor

_SIGNAL = AppendOnlyTriggers("supervision_signal", "signals are append-only")
#: Dropped if still there, then made again; PostgreSQL keeps its trigger: nothing to run there.
TRIGGERS: dict[str, list[str]] = {"sqlite": [*_SIGNAL.sqlite_backward(), *_SIGNAL.sqlite_forward()], "postgresql": []}


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0012_idempotency_key_moved'),
        ('supervision', '0005_signal_subject_ticket'),
    ]

    operations = [
        # backward: the triggers again after the table was remade (the operations run in reverse)
        migrations.RunPython(migrations.RunPython.noop, statements_per_vendor(TRIGGERS)),
        migrations.AlterField(
            model_name='signal',
            name='case',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.case', verbose_name='case (none: a step about no case)'),
        ),
        migrations.RunPython(statements_per_vendor(TRIGGERS), migrations.RunPython.noop),
    ]
