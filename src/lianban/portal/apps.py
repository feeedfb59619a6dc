from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "lianban.portal"
    label = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        """Move the drafts of a claim confirmed as a registered applicant (``intake.hooks.APPLICANT_CONFIRMED``)."""
        from lianban.intake.hooks import APPLICANT_CONFIRMED
        from lianban.portal.services import drafts_move

        APPLICANT_CONFIRMED.register(drafts_move)
