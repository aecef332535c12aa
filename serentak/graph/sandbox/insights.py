"""``/{page-id}/insights`` and ``/{post-id}/insights``, with the metrics valid in 2026.

Every deprecation wave (2024-03-14, 2025-11-15, 2026-06-15) is in force, for all versions.
One invalid or deprecated metric fails the whole request with ``(#100) The value must be a
valid insights metric``; no metric at all is 3001/1504028. ``page_video_views`` is
disputed (Postiz: deprecated 2026-06-15; Airbyte: valid on v24): the sandbox treats it as
deprecated, the strict choice. Values are deterministic for a (Page or post, metric, day).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from . import errors
from .auth import require_page_token, require_scope, tasks_on
from .clock import fb_time, pacific_midnight_after, parse_time
from .config import GRAPH_VERSION
from .records import CallContext, GraphRequest, Post
from .world import Page, Token

if TYPE_CHECKING:
    from .state import SandboxState

DAY = 86_400
MAX_RANGE_S = 90 * DAY
HISTORY_S = 2 * 365 * DAY
PERIODS = ("day", "week", "days_28", "month", "lifetime", "total_over_range")
PERIOD_DAYS = {"day": 1, "week": 7, "days_28": 28}
PERIOD_TITLES = {"day": "Daily", "week": "Weekly", "days_28": "28 Days", "lifetime": "Lifetime"}
REACTIONS = ("like", "love", "wow", "haha", "sorry", "anger")
DATE_PRESETS = {
    "today": (0, 0),
    "yesterday": (1, 1),
    "last_3d": (3, 1),
    "last_7d": (7, 1),
    "last_14d": (14, 1),
    "last_28d": (28, 1),
    "last_30d": (30, 1),
    "last_90d": (90, 1),
}


@dataclass(frozen=True)
class Metric:
    name: str
    title: str
    description: str
    periods: tuple[str, ...]
    per_follower: float  # daily value per follower, on average
    breakdown: tuple[str, ...] = ()
    cumulative: bool = False


_RANGE = ("day", "week", "days_28")
PAGE_METRICS = {
    m.name: m
    for m in [
        Metric(
            "page_media_view",
            "Media Views",
            "The number of times your content was played or displayed.",
            _RANGE,
            0.8,
        ),
        Metric(
            "page_total_media_view_unique",
            "Unique Media Views",
            "The number of people who saw your content.",
            _RANGE,
            0.4,
        ),
        Metric(
            "page_post_engagements",
            "Post Engagements",
            "The number of times people engaged with your posts.",
            _RANGE,
            0.05,
        ),
        Metric(
            "page_follows",
            "Follows",
            "The total number of people who follow your Page.",
            ("day",),
            0,
            cumulative=True,
        ),
        Metric(
            "page_daily_follows",
            "Daily Follows",
            "The number of new follows of your Page.",
            ("day",),
            0.002,
        ),
        Metric(
            "page_daily_follows_unique",
            "Daily Unique Follows",
            "The number of people who followed your Page.",
            ("day",),
            0.0018,
        ),
        Metric(
            "page_daily_unfollows_unique",
            "Daily Unique Unfollows",
            "The number of people who unfollowed your Page.",
            ("day",),
            0.0004,
        ),
        Metric(
            "page_views_total",
            "Page Views",
            "The number of times your Page's profile was viewed.",
            _RANGE,
            0.02,
        ),
        Metric(
            "page_total_actions",
            "Total Actions",
            "The number of clicks on your Page's contact info and call-to-action button.",
            _RANGE,
            0.003,
        ),
        Metric(
            "page_follows_country",
            "Follows by Country",
            "Followers by country.",
            ("day",),
            0,
            ("ID", "MY", "SG", "SA"),
            cumulative=True,
        ),
        Metric(
            "page_follows_city",
            "Follows by City",
            "Followers by city.",
            ("day",),
            0,
            ("Jakarta, Indonesia", "Surabaya, Indonesia", "Makassar, Indonesia"),
            cumulative=True,
        ),
        *[
            Metric(
                f"page_actions_post_reactions_{r}_total",
                f"{r.capitalize()} Reactions",
                f"The number of {r} reactions on your posts.",
                _RANGE,
                0.01,
            )
            for r in REACTIONS
        ],
    ]
}
POST_METRICS = {
    m.name: m
    for m in [
        Metric(
            "post_media_view",
            "Media Views",
            "The number of times your post was played or displayed.",
            ("lifetime",),
            0.3,
        ),
        Metric(
            "post_total_media_view_unique",
            "Unique Media Views",
            "The number of people who saw your post.",
            ("lifetime",),
            0.2,
        ),
        Metric(
            "post_clicks",
            "Post Clicks",
            "The number of clicks anywhere in your post.",
            ("lifetime",),
            0.02,
        ),
        Metric(
            "post_clicks_by_type",
            "Post Clicks by Type",
            "Clicks on your post, by type.",
            ("lifetime",),
            0.02,
            ("other clicks", "link clicks", "photo view"),
        ),
        Metric(
            "post_reactions_by_type_total",
            "Reactions by Type",
            "Reactions on your post, by type.",
            ("lifetime",),
            0.03,
            REACTIONS,
        ),
    ]
}
# Documented for readers: these fail exactly like any unknown name.
DEPRECATED_METRICS = frozenset(
    {
        "page_engaged_users", "page_consumptions", "page_fans_gender_age",
        "page_fans", "page_fans_locale", "page_fans_city", "page_fans_country",
        "page_fan_adds", "page_fan_adds_unique", "page_fan_removes", "page_fan_removes_unique",
        "page_impressions", "page_impressions_paid", "page_impressions_viral",
        "page_impressions_nonviral", "post_impressions", "post_impressions_paid",
        "post_impressions_organic", "post_impressions_fan", "post_impressions_viral",
        "post_impressions_nonviral", "page_impressions_unique", "page_impressions_paid_unique",
        "page_impressions_viral_unique", "page_impressions_nonviral_unique",
        "page_posts_impressions", "page_posts_impressions_unique",
        "page_posts_impressions_paid", "page_posts_impressions_organic",
        "page_posts_served_impressions_organic_unique", "post_impressions_unique",
        "post_impressions_paid_unique", "post_impressions_fan_unique",
        "post_impressions_organic_unique", "post_impressions_viral_unique",
        "post_impressions_nonviral_unique", "page_video_views",
    }
)  # fmt: skip


def _noise(*parts: object) -> float:
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _require_analyst(state: SandboxState, token: Token, page: Page) -> None:
    require_page_token(token, page)
    require_scope(token, "read_insights")
    if "ANALYZE" not in tasks_on(state, token, page):
        raise errors.permissions_error("Insights require the ANALYZE task on the Page")


def _metric_names(req: GraphRequest, metric_path: str | None) -> list[str]:
    raw = metric_path or req.params.get("metric", "")
    names = [n.strip() for n in raw.strip("[]").replace('"', "").split(",") if n.strip()]
    if not names:
        raise errors.no_metric()
    return names


def _periods(req: GraphRequest) -> list[str] | None:
    raw = req.params.get("period")
    if not raw:
        return None
    if raw not in PERIODS:
        raise errors.invalid_param(
            f"period must be one of the following values: {', '.join(PERIODS)}"
        )
    return [raw]


def _range(req: GraphRequest, now: float) -> tuple[float, float]:
    params = req.params
    preset = params.get("date_preset")
    if preset:
        if preset not in DATE_PRESETS:
            raise errors.invalid_param(f"date_preset must be one of {', '.join(DATE_PRESETS)}")
        back, end = DATE_PRESETS[preset]
        return now - back * DAY - DAY, now - end * DAY
    until = parse_time(params["until"]) if params.get("until") else now
    since = parse_time(params["since"]) if params.get("since") else (until or now) - 2 * DAY
    if since is None or until is None:
        raise errors.invalid_param("since and until must be Unix times or dates")
    if until - since > MAX_RANGE_S:
        raise errors.invalid_param(
            f"There cannot be more than 90 days ({MAX_RANGE_S} s) between since and until"
        )
    if since < now - HISTORY_S:
        raise errors.invalid_param("Insights are kept for 2 years: since is too far back")
    return since, until


def _entry(
    owner_id: str, metric: Metric, period: str, values: list[dict[str, Any]]
) -> dict[str, Any]:
    prefix = PERIOD_TITLES.get(period, "")
    return {
        "name": metric.name,
        "period": period,
        "values": values,
        "title": f"{prefix} {metric.title}".strip(),
        "description": f"{prefix}: {metric.description}" if prefix else metric.description,
        "id": f"{owner_id}/insights/{metric.name}/{period}",
    }


def _split(total: int, keys: tuple[str, ...], *seed: object) -> dict[str, int]:
    weights = [0.2 + _noise(*seed, key) for key in keys]
    scale = sum(weights)
    return {key: int(total * w / scale) for key, w in zip(keys, weights, strict=True)}


def _page_value(page: Page, metric: Metric, end: float, days: int) -> Any:
    if metric.cumulative:
        total = page.followers_count
    else:
        total = 0
        for back in range(days):
            day = int((end - back * DAY) // DAY)
            total += int(
                page.followers_count
                * metric.per_follower
                * (0.5 + _noise(page.id, metric.name, day))
            )
    return (
        _split(total, metric.breakdown, page.id, metric.name, int(end))
        if metric.breakdown
        else total
    )


def page_insights(
    state: SandboxState,
    *,
    req: GraphRequest,
    token: Token,
    page: Page,
    metric_path: str | None,
    ctx: CallContext,
    now: float,
) -> dict[str, Any]:
    _require_analyst(state, token, page)
    names = _metric_names(req, metric_path)
    if any(name not in PAGE_METRICS for name in names):
        raise errors.invalid_metric()
    periods = _periods(req)
    since, until = _range(req, now)
    ends: list[float] = []
    end = pacific_midnight_after(since)
    while end <= until + DAY and len(ends) < 93:
        ends.append(end)
        end = pacific_midnight_after(end)
    data = []
    for name in names:
        metric = PAGE_METRICS[name]
        for period in periods or list(metric.periods):
            if period not in metric.periods:
                continue  # Graph leaves out a metric that has no such period
            days = PERIOD_DAYS[period]
            values = [
                {"value": _page_value(page, metric, stamp, days), "end_time": fb_time(stamp)}
                for stamp in ends
            ]
            data.append(_entry(page.id, metric, period, values))
    span = until - since
    base = f"{ctx.base_url}/{GRAPH_VERSION}/{req.path}"
    query = {k: v for k, v in req.params.items() if k not in ("since", "until", "date_preset")}
    before = {**query, "since": int(since - span), "until": int(since)}
    after = {**query, "since": int(until), "until": int(until + span)}
    paging = {"previous": f"{base}?{urlencode(before)}", "next": f"{base}?{urlencode(after)}"}
    return {"data": data, "paging": paging}


def post_insights(
    state: SandboxState,
    *,
    req: GraphRequest,
    token: Token,
    post: Post,
    page: Page,
    metric_path: str | None,
    now: float,
) -> dict[str, Any]:
    _require_analyst(state, token, page)
    names = _metric_names(req, metric_path)
    if any(name not in POST_METRICS for name in names):
        raise errors.invalid_metric()
    periods = _periods(req)
    live = post.published_at(now)
    age_days = 0.0 if live is None else max(0.0, now - live) / DAY
    growth = min(1.0, age_days * 2)  # most views come in the first half day
    data = []
    for name in names:
        metric = POST_METRICS[name]
        for period in periods or list(metric.periods):
            if period not in metric.periods:
                continue
            total = int(
                page.followers_count * metric.per_follower * growth * (0.5 + _noise(post.id, name))
            )
            value: Any = (
                _split(total, metric.breakdown, post.id, name) if metric.breakdown else total
            )
            data.append(_entry(post.id, metric, period, [{"value": value}]))
    return {"data": data}
