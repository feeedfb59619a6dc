from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "lianban.outbox"
    label = "outbox"
    verbose_name = _("Events to department systems")

    def ready(self) -> None:
        """Publish the public events the case engine records (``cases.events.EVENT_RECORDED``)."""
        from lianban.cases.events import EVENT_RECORDED
        from lianban.outbox.services import event_publish

        EVENT_RECORDED.register(event_publish)
