"""Subscription notifications: PostgreSQL tells every application process that the subscriptions changed.

A statement-level trigger on ``outbox_subscription`` sends ``tsubscriptions``
on channel ``lianban_track`` (the listener of ``cases.track_local``) at the
commit of any insert, update, delete or truncate, so a process keeps the
active subscriptions until they change (``outbox.services.active_subscriptions``).
SQLite has no notifications: there the subscriptions are read for every event.
"""

from django.db import migrations

from lianban.common.migration_helpers import statements_per_vendor

POSTGRESQL = [
    """
    CREATE OR REPLACE FUNCTION lianban_notify_subscriptions() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('lianban_track', 'tsubscriptions');
        RETURN NULL;
    END $$;
    """,
    """
    CREATE TRIGGER outbox_subscription_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON outbox_subscription FOR EACH STATEMENT EXECUTE FUNCTION lianban_notify_subscriptions();
    """,
]

POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS outbox_subscription_notify ON outbox_subscription;",
    "DROP FUNCTION IF EXISTS lianban_notify_subscriptions();",
]


class Migration(migrations.Migration):
    dependencies = [("outbox", "0001_events_subscriptions_deliveries")]

    operations = [
        migrations.RunPython(
            statements_per_vendor({"postgresql": POSTGRESQL, "sqlite": []}, what="subscription notification"),
            statements_per_vendor({"postgresql": POSTGRESQL_REVERSE, "sqlite": []}, what="subscription notification"),
        ),
    ]
