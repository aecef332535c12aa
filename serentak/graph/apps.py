from django.apps import AppConfig


class GraphConfig(AppConfig):
    """The Graph API client and the sandbox that emulates it (no models)."""

    name = "serentak.graph"
    label = "graph"
