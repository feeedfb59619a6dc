from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "lianban.messaging"
    label = "messaging"
    verbose_name = _("Messages: SMS, e-mail, in-app")

    def ready(self) -> None:
        """Queue the messages of every notification the case engine creates (``cases.notifications``)."""
        from lianban.cases.notifications import NOTIFICATION_CREATED
        from lianban.messaging import checks  # noqa: F401 (registers the system check)
        from lianban.messaging.services import dispatch_record

        NOTIFICATION_CREATED.register(dispatch_record)
