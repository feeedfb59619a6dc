"""A partial index on django-tasks-db's running tasks, for the workers' lost-task check.

Every worker looks for tasks left RUNNING by dead workers several times per lease
(lianban.common.services.worker_tasks_requeue_orphaned); django-tasks-db indexes
only READY rows, and finished results pile up, so without this each look would
scan the whole table. PostgreSQL builds it without locking writes (CONCURRENTLY).
"""

from django.db import migrations

INDEX = "lianban_tasks_running_idx"


def create(apps, schema_editor):
    table = schema_editor.quote_name(apps.get_model("django_tasks_database", "DBTaskResult")._meta.db_table)
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f"CREATE INDEX {concurrently}IF NOT EXISTS {INDEX} ON {table} (started_at) WHERE status = 'RUNNING'"
    )


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("common", "0002_worker_heartbeat"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
