"""Dates and times the Indonesian way: "Rabu, 10 November 2021 pukul 14.00 WITA".

Day and month names come from Django's translated date formats; the zone label is the
Indonesian one (WIB/WITA/WIT) for the national zones and the tz abbreviation elsewhere.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

ZONE_LABELS = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


def is_valid_zone(name: str) -> bool:
    if not name or name != name.strip():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone_label(name: str, at: dt.datetime | None = None) -> str:
    if name in ZONE_LABELS:
        return ZONE_LABELS[name]
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return name
    moment = (at or timezone.now()).astimezone(zone)
    return moment.tzname() or name


def format_local(value: dt.datetime, zone_name: str, *, with_weekday: bool = True) -> str:
    """ "Rabu, 10 November 2021 pukul 14.00 WITA" (or the English form when English is on)."""
    zone = ZoneInfo(zone_name)
    local = value.astimezone(zone)
    date_part = dateformat.format(local, "l, j F Y" if with_weekday else "j F Y")
    time_part = dateformat.format(local, pgettext("time format", "H:i"))
    return _("%(date)s at %(time)s %(zone)s") % {
        "date": date_part,
        "time": time_part,
        "zone": zone_label(zone_name, local),
    }
