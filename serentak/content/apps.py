from django.apps import AppConfig


class ContentConfig(AppConfig):
    """Central packages that every unit adapts to its local context."""

    name = "serentak.content"
    label = "content"

    def ready(self) -> None:
        from serentak.content.notifications import kinds_register

        kinds_register()
