from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "lianban.supervision"
    label = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        """Act on the hooks of intake and of the working-day calendar (``supervision.hooks``)."""
        from lianban.supervision import checks, hooks  # noqa: F401 (checks: registers the system check)

        hooks.register()
