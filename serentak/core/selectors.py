from __future__ import annotations

from collections.abc import Iterable
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


def people_timezones(*, user_ids: Iterable[int]) -> dict[int, str]:
    """Each person's time zone, as ``viewer_timezone`` gives it, in one query.

    That is the zone of the person's highest active unit (the one with the smallest tree
    path, since every role can view); the project's zone for people with no unit.
    """
    from serentak.org.models import Membership

    ids = list(user_ids)
    zones: dict[int, str] = {}
    rows = (
        Membership.objects.filter(user_id__in=ids, unit__is_active=True)
        .order_by("user_id", "unit__path")
        .values_list("user_id", "unit__timezone")
    )
    for user_id, zone in rows:
        zones.setdefault(user_id, zone or settings.TIME_ZONE)
    return {user_id: zones.get(user_id, settings.TIME_ZONE) for user_id in ids}
