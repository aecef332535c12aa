"""Back-off driven by Meta's usage headers and throttle errors, per Page and app-wide.

Meta reports usage as percentages in ``X-App-Usage`` (app-wide) and
``X-Business-Use-Case-Usage`` (per Page, with ``estimated_time_to_regain_access`` in
minutes). We slow down near the limit and stop at it; once a Page (or the app) is blocked,
calls for it wait until the block lifts, or are answered "retry later" at once when the wait
is longer than the caller accepts to sleep.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

SLOW_DOWN_AT = 80  # percent: start spacing calls
STOP_AT = 100  # percent: blocked until the estimate says otherwise
SLOW_DOWN_SPACING = 1.0  # seconds between calls on a Page above SLOW_DOWN_AT


def _usage_max(entry: Mapping[str, Any]) -> float:
    values = [entry.get(k) for k in ("call_count", "total_cputime", "total_time")]
    return max((float(v) for v in values if isinstance(v, int | float)), default=0.0)


def parse_app_usage(headers: Mapping[str, str]) -> float | None:
    raw = headers.get("x-app-usage")
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return _usage_max(data) if isinstance(data, dict) else None


@dataclass(frozen=True)
class PageUsage:
    object_id: str
    percent: float
    regain_seconds: float


def parse_buc_usage(headers: Mapping[str, str]) -> list[PageUsage]:
    raw = headers.get("x-business-use-case-usage")
    if not raw:
        return []
    try:
        data = json.loads(raw)
    except ValueError:
        return []
    found = []
    if isinstance(data, dict):
        for object_id, entries in data.items():
            for entry in entries if isinstance(entries, list) else []:
                if not isinstance(entry, dict):
                    continue
                regain = entry.get("estimated_time_to_regain_access", 0)
                minutes = float(regain) if isinstance(regain, int | float) else 0.0
                found.append(PageUsage(str(object_id), _usage_max(entry), minutes * 60.0))
    return found


@dataclass
class Throttle:
    """Blocks per Page and for the whole app; ``clock`` is injectable for tests."""

    clock: Callable[[], float] = time.monotonic
    app_blocked_until: float = 0.0
    page_blocked_until: dict[str, float] = field(default_factory=dict)
    page_next_call: dict[str, float] = field(default_factory=dict)

    def wait_for(self, page_id: str | None) -> float:
        """Seconds to wait before the next call (for this Page, or app-wide)."""
        now = self.clock()
        until = self.app_blocked_until
        if page_id:
            until = max(
                until,
                self.page_blocked_until.get(page_id, 0.0),
                self.page_next_call.get(page_id, 0.0),
            )
        return max(0.0, until - now)

    def observe(self, headers: Mapping[str, str]) -> None:
        now = self.clock()
        app = parse_app_usage(headers)
        if app is not None and app >= STOP_AT:
            self.app_blocked_until = max(self.app_blocked_until, now + 60.0)
        for usage in parse_buc_usage(headers):
            if usage.regain_seconds > 0 or usage.percent >= STOP_AT:
                wait = usage.regain_seconds or 60.0
                self.block_page(usage.object_id, wait)
            elif usage.percent >= SLOW_DOWN_AT:
                self.page_next_call[usage.object_id] = now + SLOW_DOWN_SPACING

    def block_page(self, page_id: str, seconds: float) -> None:
        until = self.clock() + seconds * random.uniform(1.0, 1.1)  # noqa: S311 -- jitter
        self.page_blocked_until[page_id] = max(self.page_blocked_until.get(page_id, 0.0), until)

    def block_app(self, seconds: float) -> None:
        until = self.clock() + seconds * random.uniform(1.0, 1.1)  # noqa: S311 -- jitter
        self.app_blocked_until = max(self.app_blocked_until, until)
