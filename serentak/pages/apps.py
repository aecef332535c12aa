from django.apps import AppConfig


class PagesConfig(AppConfig):
    """Facebook presences of the units: Pages, profiles found in the wild, audits, blue check."""

    name = "serentak.pages"
    label = "pages"

    def ready(self) -> None:
        from serentak.org.sections import unit_section_register
        from serentak.pages.views_registry import unit_section

        unit_section_register(unit_section, order=10)
