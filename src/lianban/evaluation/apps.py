from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "lianban.evaluation"
    label = "evaluation"
    verbose_name = _("Service ratings (好差评)")
