"""``GraphClient``: the operations later capabilities need, on top of the transport.

    async with GraphClient(GraphConfig.from_settings()) as graph:
        pages = await graph.pages_list()
        result = await graph.post_publish(page_id=..., token=..., message="...")
        if result.outcome is Outcome.UNKNOWN: reconcile with graph.posts_recent(...)

Sync code (views, Celery tasks, commands) wraps a coroutine in ``run_sync``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from serentak.graph.client import BatchOp, GraphTransport
from serentak.graph.errors import GraphResult

T = TypeVar("T")

PAGE_FIELDS = (
    "id,name,username,link,category,fan_count,followers_count,verification_status,"
    "website,about,is_published,picture"
)
ACCOUNT_FIELDS = "id,name,access_token,tasks,category,username,link"
# Business edges list Page nodes, which have no `tasks` field.
BUSINESS_PAGE_FIELDS = "id,name,access_token,category,username,link"
POST_FIELDS = "id,created_time,message,permalink_url,is_published,scheduled_publish_time"

# Metrics valid in 2026 (graph-api.md §6); the deprecated ones fail the whole request.
PAGE_METRICS = (
    "page_media_view",
    "page_total_media_view_unique",
    "page_post_engagements",
    "page_follows",
    "page_daily_follows_unique",
    "page_daily_unfollows_unique",
    "page_views_total",
)
POST_METRICS = (
    "post_media_view",
    "post_total_media_view_unique",
    "post_clicks",
    "post_reactions_by_type_total",
)


def run_sync(coroutine: Awaitable[T]) -> T:
    """Run a Graph coroutine from synchronous code (a view, a task, a command)."""

    async def runner() -> T:
        return await coroutine

    return asyncio.run(runner())


def unix(moment: dt.datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("scheduled times must be timezone-aware")
    return int(moment.timestamp())


@dataclass(frozen=True)
class PostRequest:
    """One post for one Page, as ``posts_publish_many`` sends it."""

    page_id: str
    token: str
    message: str
    link: str | None = None
    scheduled_at: dt.datetime | None = None
    media_ids: tuple[str, ...] = ()
    after_unknown: bool = False

    def body(self) -> dict[str, Any]:
        return _post_body(self.message, self.link, self.scheduled_at, self.media_ids)


def _post_body(
    message: str, link: str | None, scheduled_at: dt.datetime | None, media_ids: Sequence[str]
) -> dict[str, Any]:
    body: dict[str, Any] = {"message": message}
    if link:
        body["link"] = link
    if scheduled_at is not None:
        body["published"] = False
        body["scheduled_publish_time"] = unix(scheduled_at)
    if media_ids:
        body["attached_media"] = [{"media_fbid": media_id} for media_id in media_ids]
    return body


class GraphClient(GraphTransport):
    """The Graph operations of Serentak. Every method returns a ``GraphResult``."""

    def _system_token(self, token: str | None) -> str:
        chosen = token or self.config.system_user_token
        if not chosen:
            raise ValueError("no token: set GRAPH_SYSTEM_USER_TOKEN or pass one")
        return chosen

    # --- Pages and tokens -----------------------------------------------------------------

    async def pages_list(
        self, *, token: str | None = None, business_ids: Sequence[str] = ()
    ) -> GraphResult:
        """Every Page the token reaches: /me/accounts and the businesses' owned/client Pages."""
        token = self._system_token(token)
        if not business_ids and self.config.business_id:
            business_ids = (self.config.business_id,)
        params = {"fields": ACCOUNT_FIELDS, "limit": 100}
        found = await self.collect("me/accounts", token=token, params=params)
        if not found.ok:
            return found
        pages = {page["id"]: page for page in found.data}
        for business_id in business_ids:
            for edge in ("owned_pages", "client_pages"):
                extra = await self.collect(
                    f"{business_id}/{edge}",
                    token=token,
                    params={"fields": BUSINESS_PAGE_FIELDS, "limit": 100},
                )
                if not extra.ok:
                    return extra
                for page in extra.data:
                    pages.setdefault(page["id"], {**page, "business_edge": edge})
        return GraphResult.success(list(pages.values()))

    async def token_debug(self, *, input_token: str) -> GraphResult:
        """What Meta knows of a token (validity, expiry, scopes), asked with the app token."""
        app_token = self.config.app_token or self._system_token(None)
        return await self.call(
            "GET", "debug_token", token=app_token, params={"input_token": input_token}
        )

    async def page_get(self, *, page_id: str, token: str, fields: str = PAGE_FIELDS) -> GraphResult:
        return await self.call(
            "GET", page_id, token=token, params={"fields": fields}, page_id=page_id
        )

    # --- Publishing --------------------------------------------------------------------------

    async def post_publish(
        self,
        *,
        page_id: str,
        token: str,
        message: str,
        link: str | None = None,
        scheduled_at: dt.datetime | None = None,
        media_ids: Sequence[str] = (),
        after_unknown: bool = False,
    ) -> GraphResult:
        """A text/link post (photos: upload unpublished first, pass their ``media_ids``)."""
        return await self.call(
            "POST",
            f"{page_id}/feed",
            token=token,
            page_id=page_id,
            after_unknown=after_unknown,
            data=_post_body(message, link, scheduled_at, media_ids),
        )

    async def photo_upload(
        self,
        *,
        page_id: str,
        token: str,
        url: str | None = None,
        source: tuple[str, bytes, str] | None = None,
        caption: str | None = None,
        published: bool = False,
        temporary: bool = False,
    ) -> GraphResult:
        """Upload a photo by ``url`` or as ``source=(filename, bytes, content type)``.

        Unpublished (the default) gives a media id for ``post_publish(media_ids=...)``.
        """
        if (url is None) == (source is None):
            raise ValueError("give exactly one of url or source")
        data: dict[str, Any] = {"published": published, "caption": caption, "url": url}
        if temporary:
            data["temporary"] = True
        files = {"source": source} if source is not None else None
        return await self.call(
            "POST", f"{page_id}/photos", token=token, page_id=page_id, data=data, files=files
        )

    async def post_edit(
        self,
        *,
        post_id: str,
        token: str,
        message: str | None = None,
        publish_now: bool = False,
        scheduled_at: dt.datetime | None = None,
    ) -> GraphResult:
        data: dict[str, Any] = {"message": message}
        if publish_now:
            data["is_published"] = True
        if scheduled_at is not None:
            data["scheduled_publish_time"] = unix(scheduled_at)
        return await self.call(
            "POST", post_id, token=token, data=data, page_id=post_id.split("_", 1)[0]
        )

    async def post_delete(self, *, post_id: str, token: str) -> GraphResult:
        return await self.call("DELETE", post_id, token=token, page_id=post_id.split("_", 1)[0])

    async def posts_publish_many(
        self, posts: Sequence[PostRequest], *, token: str | None = None
    ) -> list[GraphResult]:
        """Publish many posts (any Pages) through batches of 50; results in order."""
        ops = [
            BatchOp(
                "POST",
                f"{post.page_id}/feed",
                body=post.body(),
                page_id=post.page_id,
                token=post.token,
                after_unknown=post.after_unknown,
            )
            for post in posts
        ]
        return await self.batch(ops, token=self._system_token(token))

    # --- Reading back ------------------------------------------------------------------------

    async def posts_recent(
        self,
        *,
        page_id: str,
        token: str,
        edge: str = "published_posts",
        since: dt.datetime | None = None,
        max_items: int = 100,
        fields: str = POST_FIELDS,
    ) -> GraphResult:
        """Recent posts of a Page (``published_posts``, ``scheduled_posts`` or ``feed``)."""
        if edge not in {"published_posts", "scheduled_posts", "feed", "posts"}:
            raise ValueError(f"unknown edge {edge!r}")
        params: dict[str, Any] = {"fields": fields, "limit": min(100, max_items)}
        if since is not None and edge != "scheduled_posts":
            params["since"] = unix(since)
        return await self.collect(
            f"{page_id}/{edge}", token=token, params=params, page_id=page_id, max_items=max_items
        )

    async def insights_page(
        self,
        *,
        page_id: str,
        token: str,
        metrics: Sequence[str] = PAGE_METRICS,
        period: str = "day",
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> GraphResult:
        params: dict[str, Any] = {"metric": ",".join(metrics), "period": period}
        if since is not None:
            params["since"] = unix(since)
        if until is not None:
            params["until"] = unix(until)
        return await self.call(
            "GET", f"{page_id}/insights", token=token, params=params, page_id=page_id
        )

    async def insights_post(
        self, *, post_id: str, token: str, metrics: Sequence[str] = POST_METRICS
    ) -> GraphResult:
        return await self.call(
            "GET",
            f"{post_id}/insights",
            token=token,
            params={"metric": ",".join(metrics)},
            page_id=post_id.split("_", 1)[0],
        )
