"""Rate limits and usage headers.

Accounting (per the reference, section 5):

- Calls aimed at a Page (the Page, its edges, its posts and photos) count against that
  Page's Business Use Case bucket, whatever the token. Over the limit: 80001 with a Page or
  system-user token, 32 with a person's user token.
- Other calls (``/me``, ``/me/accounts``, ``/debug_token``, business edges) count against
  the platform limits: the app's bucket (code 4) and, for user tokens, the user's (17).
- Every token also has a short burst bucket (613/1996, "unusual request volume").
- A refused call still counts, so calling while throttled keeps the block going longer.

``X-App-Usage`` goes out on every response; ``X-Business-Use-Case-Usage`` on every response
that touched a Page, with ``estimated_time_to_regain_access`` in (sandbox) minutes.
``X-Page-Usage`` is legacy and UNCONFIRMED today: the sandbox never sends it, so clients
cannot come to depend on it.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict, deque

from . import errors
from .config import Limits
from .world import Page, Token

IO_MS_PER_CALL = 2.0  # wall time beyond CPU, for total_time
MAX_BUC_OBJECTS = 32  # a header holds at most 32 objects


class Window:
    """A sliding window of calls: their instants and their CPU cost."""

    def __init__(self) -> None:
        self.events: deque[tuple[float, float]] = deque()
        self.cpu_ms = 0.0

    def prune(self, now: float, span: float) -> None:
        while self.events and self.events[0][0] <= now - span:
            _, cpu = self.events.popleft()
            self.cpu_ms -= cpu

    def add(self, now: float, cpu_ms: float) -> int:
        self.events.append((now, cpu_ms))
        self.cpu_ms += cpu_ms
        return len(self.events)

    def regain_seconds(self, now: float, span: float, limit: int) -> float:
        """How long until one more call would be allowed again (0 if it is now)."""
        excess = len(self.events) - limit + 1
        if excess <= 0:
            return 0.0
        return max(0.0, self.events[excess - 1][0] + span - now)

    def usage(self, limit: int, cpu_ms_per_call: float) -> dict[str, int]:
        calls = len(self.events)
        budget = max(1.0, limit * cpu_ms_per_call)
        return {
            "call_count": math.floor(100 * calls / max(1, limit)),
            "total_cputime": math.floor(100 * self.cpu_ms / budget),
            "total_time": math.floor(
                100 * (self.cpu_ms + IO_MS_PER_CALL * calls) / (budget + IO_MS_PER_CALL * limit)
            ),
        }


class Usage:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.app = Window()
        self.users: dict[str, Window] = defaultdict(Window)
        self.pages: dict[str, Window] = defaultdict(Window)
        self.tokens: dict[str, Window] = defaultdict(Window)
        self.recent_posts: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self.blocked_until: dict[tuple[str, str], float] = {}

    def page_limit(self, page: Page) -> int:
        if self.limits.buc_calls is not None:
            return self.limits.buc_calls
        return self.limits.buc_calls_per_engaged_user * page.engaged_users

    def record(self, *, token: Token, page: Page | None, now: float, cpu_ms: float) -> None:
        """Count one call; raise the throttling error if it goes over a limit."""
        limits = self.limits
        burst = self.tokens[token.value]
        burst.prune(now, limits.seconds(limits.burst_window_min))
        over_burst = burst.add(now, cpu_ms) > limits.burst_calls
        if page is not None:
            window = self.pages[page.id]
            window.prune(now, limits.seconds(limits.buc_window_min))
            window.add(now, cpu_ms)
            if len(window.events) > self.page_limit(page):
                raise (
                    errors.page_limit_user_token() if token.kind == "user" else errors.page_limit()
                )
        else:
            self.app.prune(now, limits.seconds(limits.app_window_min))
            self.app.add(now, cpu_ms)
            user_window = None
            if token.kind in ("user", "system_user"):
                user_window = self.users[token.subject_id]
                user_window.prune(now, limits.seconds(limits.app_window_min))
                user_window.add(now, cpu_ms)
            if len(self.app.events) > limits.app_calls:
                raise errors.app_limit()
            if user_window is not None and len(user_window.events) > limits.user_calls:
                raise errors.user_limit()
        if over_burst:
            raise errors.custom_limit()

    def cpu_cost(self, op_ms: float) -> float:
        """CPU charged per call: the op cost, clipped so call_count is always the highest
        figure (throttling then follows the call count, as the headers show it)."""
        return min(max(op_ms, 0.5), self.limits.cpu_ms_per_call)

    # --- Posting too fast (368/1390008) --------------------------------------------------

    def post_allowed(self, *, token: str, page_id: str, now: float) -> None:
        limits = self.limits
        key = (token, page_id)
        if self.blocked_until.get(key, 0.0) > now:
            raise errors.posting_too_fast()
        recent = self.recent_posts[key]
        while recent and recent[0] <= now - limits.seconds(limits.spam_window_min):
            recent.popleft()
        if len(recent) >= limits.spam_posts:
            self.blocked_until[key] = now + limits.seconds(limits.spam_block_min)
            raise errors.posting_too_fast()

    def post_created(self, *, token: str, page_id: str, now: float) -> None:
        self.recent_posts[(token, page_id)].append(now)

    # --- Headers ---------------------------------------------------------------------

    def app_header(self, now: float) -> str:
        self.app.prune(now, self.limits.seconds(self.limits.app_window_min))
        figures = self.app.usage(self.limits.app_calls, self.limits.cpu_ms_per_call)
        ordered = {k: figures[k] for k in ("call_count", "total_time", "total_cputime")}
        return json.dumps(ordered, separators=(",", ":"))

    def buc_entry(self, page: Page, now: float) -> dict[str, float | str]:
        span = self.limits.seconds(self.limits.buc_window_min)
        window = self.pages[page.id]
        window.prune(now, span)
        limit = self.page_limit(page)
        figures = window.usage(limit, self.limits.cpu_ms_per_call)
        seconds = window.regain_seconds(now, span, limit)
        # Always real minutes, the documented unit. Graph sends whole minutes; when sandbox
        # minutes are shorter (chaos) the wait is seconds, so it goes out as a fraction of
        # a minute (0.17 = 10 s): a client must read it as a number, not an integer.
        if self.limits.minute_seconds >= 60:
            regain: float = math.ceil(seconds / 60)
        else:
            regain = math.ceil(seconds / 60 * 100) / 100
        return {
            "type": "pages",
            "call_count": figures["call_count"],
            "total_cputime": figures["total_cputime"],
            "total_time": figures["total_time"],
            "estimated_time_to_regain_access": regain,
        }

    def buc_header(self, pages: list[Page], now: float) -> str | None:
        if not pages:
            return None
        payload = {page.id: [self.buc_entry(page, now)] for page in pages[:MAX_BUC_OBJECTS]}
        return json.dumps(payload, separators=(",", ":"))
