from __future__ import annotations

from typing import Any

from django.conf import settings

from serentak.org.scoping import top_grants


def viewer_timezone(user: Any) -> str:
    """The time zone of the viewer's (highest) unit; the project default for everyone else."""
    if user is None or not getattr(user, "is_authenticated", False):
        return settings.TIME_ZONE
    cached: str | None = getattr(user, "_serentak_zone", None)
    if cached:
        return cached
    from serentak.org.models import Unit

    grants = top_grants(user)
    zone = settings.TIME_ZONE
    if grants:
        found = Unit.objects.filter(pk=grants[0].unit_id).values_list("timezone", flat=True).first()
        zone = found or zone
    user._serentak_zone = zone
    return zone
