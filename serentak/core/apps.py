from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "serentak.core"
    label = "core"
