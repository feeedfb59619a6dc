from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "lianban.evaluation"
    label = "evaluation"
    verbose_name = _("Service ratings (好差评)")

    def ready(self) -> None:
        """End the messages that finish a case with the link to rate the service; give the deadline sweep
        the tickets' pending steps (``evaluation.hooks``)."""
        from lianban.cases.notifications import MESSAGE_ENDINGS
        from lianban.evaluation import hooks
        from lianban.evaluation.services.ratings import message_ending

        MESSAGE_ENDINGS.register(message_ending)
        hooks.register()
