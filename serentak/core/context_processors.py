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
    central = False
    central_slug = None
    has_unit = False
    if user is not None and user.is_authenticated:
        from serentak.notifications.selectors import notifications_unread_count
        from serentak.org.scoping import Action, top_grants

        unread = notifications_unread_count(user=user)
        manages_people = user.is_superuser or bool(top_grants(user, Action.MANAGE_PEOPLE))
        # A grant on a root unit (its path is one step long) is the centre's.
        roots = [g for g in top_grants(user, Action.CHANGE) if len(g.path) == 4]
        central = bool(roots)
        if roots:
            from serentak.org.models import Unit

            central_slug = (
                Unit.objects.filter(pk=roots[0].unit_id)
                .values_list("institution__slug", flat=True)
                .first()
            )
        has_unit = user.is_superuser or bool(top_grants(user))
    return {
        "DEMO_MODE": settings.DEMO_MODE,
        "viewer_timezone": zone,
        "viewer_zone_label": zone_label(zone),
        "unread_notifications": unread,
        "can_manage_people": manages_people,
        "is_central": central,
        "central_institution": central_slug,
        "has_unit": has_unit,
    }
