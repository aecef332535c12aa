from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    """The dated rulebook and the checker every post goes through."""

    name = "serentak.compliance"
    label = "compliance"
