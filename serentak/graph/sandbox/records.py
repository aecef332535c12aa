"""Plain records shared by the sandbox's modules: requests, results, posts and photos."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class UploadedFile:
    filename: str
    content_type: str
    data: bytes


@dataclass
class GraphRequest:
    """One Graph operation: a whole HTTP request, or one operation of a batch."""

    method: str  # GET | POST | DELETE
    path: str  # without the version: "", "me/accounts", "{page-id}/feed"
    params: dict[str, str]
    files: dict[str, UploadedFile] = field(default_factory=dict)
    in_batch: bool = False

    @property
    def segments(self) -> list[str]:
        return [part for part in self.path.split("/") if part]


@dataclass
class GraphResult:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status < 400


@dataclass
class CallContext:
    """What one HTTP request accumulates while its operations run."""

    base_url: str
    trace_id: str
    pages: list[str] = field(default_factory=list)  # Pages touched, for the BUC header
    created_posts: list[str] = field(default_factory=list)
    operations: int = 0

    def touch(self, page_id: str) -> None:
        if page_id not in self.pages:
            self.pages.append(page_id)


@dataclass
class Photo:
    id: str
    page_id: str
    created: float
    caption: str
    image_url: str
    published: bool
    temporary: bool
    alt_text: str = ""
    post_id: str | None = None  # the post it was published in or attached to
    deleted: bool = False


@dataclass
class Post:
    """A Page post. ``status(now)`` derives published/scheduled/unpublished/deleted."""

    id: str
    page_id: str
    seq: int
    message: str
    link: str
    created: float
    updated: float
    published_time: float | None  # when it went live (None: scheduled or unpublished)
    scheduled_at: float | None
    lag: float  # feed lag: listed only this many seconds after going live (or being created)
    media_ids: list[str]
    status_type: str
    via: str  # feed | photos
    token_kind: str
    in_batch: bool
    is_hidden: bool = False
    is_pinned: bool = False
    deleted_at: float | None = None
    response_lost: bool = False

    def status(self, now: float) -> str:
        if self.deleted_at is not None:
            return "deleted"
        if self.published_at(now) is not None:
            return "published"
        return "scheduled" if self.scheduled_at is not None else "unpublished"

    def published_at(self, now: float) -> float | None:
        """When the post went live: at creation, when published by an edit, or on schedule."""
        if self.published_time is not None:
            return self.published_time
        if self.scheduled_at is not None and now >= self.scheduled_at:
            return self.scheduled_at
        return None

    def ledger_row(self, now: float) -> dict[str, Any]:
        return {
            "id": self.id,
            "page_id": self.page_id,
            "status": self.status(now),
            "message": self.message,
            "link": self.link,
            "media_ids": list(self.media_ids),
            "created_time": self.created,
            "published_time": self.published_at(now),
            "scheduled_publish_time": self.scheduled_at,
            "lag_s": self.lag,
            "deleted_time": self.deleted_at,
            "via": self.via,
            "in_batch": self.in_batch,
            "token_kind": self.token_kind,
            "response_lost": self.response_lost,
        }
