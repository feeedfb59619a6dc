from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "lianban.api"
    label = "api"
    verbose_name = "API"
