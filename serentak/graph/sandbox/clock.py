"""Sandbox time: the real clock plus an offset that tests may advance, and Graph's formats."""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

# Graph reads a time without a zone the way PHP's strtotime does on Meta's servers: in
# Pacific time (UNCONFIRMED; the strict choice, so a client must always send a zone).
PACIFIC = ZoneInfo("America/Los_Angeles")

_UNIX = re.compile(r"^\d{9,11}(\.\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Clock:
    """``now()`` is real time shifted by ``offset`` seconds (moved by /__sandbox/clock)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> float:
        self.offset += seconds
        return self.now()


def fb_time(ts: float) -> str:
    """Graph's timestamp format: ``2026-11-25T02:49:00+0000``."""
    return datetime.fromtimestamp(int(ts), tz=UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def parse_time(value: str) -> float | None:
    """Unix seconds, an ISO-8601 date or date-time, else None.

    PHP ``strtotime`` phrases ("+1 day", "tomorrow") are refused: the strict choice.
    """
    text = value.strip()
    if not text:
        return None
    if _UNIX.match(text):
        return float(text)
    try:
        if _DATE.match(text):
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=PACIFIC).timestamp()
        parsed = datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=PACIFIC)
    return parsed.timestamp()


def pacific_midnight_after(ts: float) -> float:
    """The first Pacific midnight strictly after ``ts`` (insights' end_time boundaries)."""
    local = datetime.fromtimestamp(ts, tz=PACIFIC)
    midnight = datetime(local.year, local.month, local.day, tzinfo=PACIFIC)
    stamp = midnight.timestamp()
    while stamp <= ts:
        day = datetime.fromtimestamp(stamp + 26 * 3600, tz=PACIFIC)
        stamp = datetime(day.year, day.month, day.day, tzinfo=PACIFIC).timestamp()
    return stamp
