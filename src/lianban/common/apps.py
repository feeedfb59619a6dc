from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "lianban.common"
    label = "common"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from lianban.common import checks  # noqa: F401 - registers the deployment checks
