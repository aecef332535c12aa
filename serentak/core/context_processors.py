from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from serentak.core.timefmt import zone_label


def serentak(request: HttpRequest) -> dict[str, Any]:
    zone = getattr(request, "viewer_timezone", settings.TIME_ZONE)
    user = getattr(request, "user", None)
    unread = 0
    manages_people = False
    if user is not None and user.is_authenticated:
        from serentak.notifications.selectors import notifications_unread_count
        from serentak.org.scoping import Action, top_grants

        unread = notifications_unread_count(user=user)
        manages_people = user.is_superuser or bool(top_grants(user, Action.MANAGE_PEOPLE))
    return {
        "DEMO_MODE": settings.DEMO_MODE,
        "viewer_timezone": zone,
        "viewer_zone_label": zone_label(zone),
        "unread_notifications": unread,
        "can_manage_people": manages_people,
    }
