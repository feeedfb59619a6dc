"""Subscription notifications: PostgreSQL tells every application process that the subscriptions changed.

A statement-level trigger on ``outbox_subscription`` sends ``tsubscriptions``
on channel ``lianban_track`` (the listener of ``cases.track_local``) at the
commit of any insert, update, delete or truncate, so a process keeps the
active subscriptions until they change (``outbox.services.active_subscriptions``).
SQLite has no notifications: there the subscriptions are read for every event.
"""

from django.db import migrations

from lianban.common.migration_helpers import topic_notify_operation


class Migration(migrations.Migration):
    dependencies = [("outbox", "0001_events_subscriptions_deliveries")]

    operations = [
        topic_notify_operation(table="outbox_subscription", topic="subscriptions", what="subscription notification")
    ]
