from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "lianban.common"
    label = "common"

    def ready(self) -> None:
        from lianban.common import checks  # noqa: F401 - registers the deployment checks
