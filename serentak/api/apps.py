from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "serentak.api"
    label = "api"
