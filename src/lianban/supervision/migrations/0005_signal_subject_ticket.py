"""Signals about a rectification ticket's step (好差评, raised through the hook ``signals.DUE_STEPS``).

On SQLite, changing the constraint remakes the table, which drops its append-only triggers: they are made
again (the statements of 0002). PostgreSQL keeps its trigger through the ALTER.
"""

from django.db import migrations, models

from lianban.common.migration_helpers import AppendOnlyTriggers, statements_per_vendor

_SIGNAL = AppendOnlyTriggers("supervision_signal", "signals are append-only")
#: Dropped if still there, then made again (``AppendOnlyTriggers``: the statements of 0002).
SQLITE_TRIGGERS = [*_SIGNAL.sqlite_backward(), *_SIGNAL.sqlite_forward()]

#: PostgreSQL keeps its trigger: nothing to run there.
TRIGGERS: dict[str, list[str]] = {"sqlite": SQLITE_TRIGGERS, "postgresql": []}


class Migration(migrations.Migration):
    dependencies = [("supervision", "0004_order_origin_rating")]

    operations = [
        # backward: the triggers again after the table was remade (the operations run in reverse)
        migrations.RunPython(migrations.RunPython.noop, statements_per_vendor(TRIGGERS)),
        migrations.RemoveConstraint(model_name="signal", name="signal_subject_valid"),
        migrations.AlterField(
            model_name="signal",
            name="subject",
            field=models.CharField(
                choices=[
                    ("ITEM_CASE", "item case"),
                    ("CASE", "case"),
                    ("INTAKE", "intake decision"),
                    ("PROMISE", "容缺 promise"),
                    ("TICKET", "rectification ticket step"),
                ],
                max_length=10,
                verbose_name="about",
            ),
        ),
        migrations.AddConstraint(
            model_name="signal",
            constraint=models.CheckConstraint(
                condition=models.Q(("subject__in", ["ITEM_CASE", "CASE", "INTAKE", "PROMISE", "TICKET"])),
                name="signal_subject_valid",
            ),
        ),
        migrations.RunPython(statements_per_vendor(TRIGGERS), migrations.RunPython.noop),
    ]
