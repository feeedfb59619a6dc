from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "lianban.common"
    label = "common"
