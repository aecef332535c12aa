from django.apps import AppConfig


class PagesConfig(AppConfig):
    """Facebook presences of the units: Pages, profiles found in the wild, audits, blue check."""

    name = "serentak.pages"
    label = "pages"
