from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "serentak.org"
    label = "org"
