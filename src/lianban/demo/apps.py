from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "lianban.demo"
    label = "demo"
    verbose_name = "Demo"
