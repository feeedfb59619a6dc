from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "lianban.messaging"
    label = "messaging"
    verbose_name = _("Messages: SMS, e-mail, in-app")

    def ready(self) -> None:
        """Queue the messages of every notification the case engine creates (``cases.notifications``) and the
        answers to code requests (``accounts.phone_codes``)."""
        from lianban.accounts.phone_codes import PHONE_CODE_QUEUED
        from lianban.cases.notifications import NOTIFICATION_CREATED
        from lianban.messaging import checks  # noqa: F401 (registers the system check)
        from lianban.messaging.services import code_message_queue, dispatch_record

        NOTIFICATION_CREATED.register(dispatch_record)
        PHONE_CODE_QUEUED.register(code_message_queue)
