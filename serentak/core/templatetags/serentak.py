from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from serentak.core.timefmt import format_local, zone_label

register = template.Library()


@register.filter
def local_datetime(value: dt.datetime | None, zone: str | None = None) -> str:
    """``{{ when|local_datetime }}`` in the viewer's zone, or in a given one.

    ``{{ when|local_datetime:unit.timezone }}`` shows it in the unit's zone.
    """
    if value is None:
        return ""
    return format_local(value, zone or timezone.get_current_timezone_name())


@register.filter
def tz_label(zone: str) -> str:
    return zone_label(zone)
