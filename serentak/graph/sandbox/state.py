"""The sandbox's whole state: the seeded world plus what clients did to it.

Pure Python in memory, no Django. The server runs in one event loop and every operation
runs synchronously under ``lock``; the lock is there for readers in other threads (a test
reading ``handle.state`` or the ledger while the server runs).
"""

from __future__ import annotations

import copy
import random
import threading
from collections import Counter, defaultdict
from typing import Any

from .clock import Clock
from .config import GRAPH_VERSION, SandboxConfig, fault_profile
from .faults import Faults
from .records import Photo, Post
from .usage import Usage
from .world import Page, World, world_seed


class SandboxState:
    def __init__(self, config: SandboxConfig) -> None:
        self.lock = threading.RLock()
        self.initial = copy.deepcopy(config)
        self.config = config
        self.clock = Clock()
        self.reset(config)

    def reset(self, config: SandboxConfig | None = None) -> None:
        """Back to a freshly seeded world: the one the sandbox started with, or ``config``.

        Everything clients did is forgotten, and the clock is back to real time.
        """
        with self.lock:
            self.config = copy.deepcopy(config if config is not None else self.initial)
            self.clock = Clock()
            self.world: World = world_seed(
                pages=self.config.pages, seed=self.config.seed, now=self.clock.now()
            )
            self.usage = Usage(self.config.limits)
            self.faults = Faults(fault_profile(self.config.faults), self.config.seed)
            self.posts: dict[str, Post] = {}
            self.page_posts: dict[str, list[Post]] = defaultdict(list)
            self.photos: dict[str, Photo] = {}
            self.stats: Counter[str] = Counter()
            self._ids = random.Random(self.config.seed * 104_729 + 1)  # noqa: S311 - seeded
            self._next_id = self._ids.randrange(10**15, 2 * 10**15)
            self._seq = 0
            if self.config.history:
                self._seed_history()

    def _seed_history(self) -> None:
        """A few weeks of past posts on most Pages (the demo's world; tests start empty).

        About one Page in eight stays quiet for longer than 30 days, as real ones do.
        """
        rng = random.Random(self.config.seed * 7_919 + 3)  # noqa: S311 - seeded, not secret
        now = self.clock.now()
        day = 86_400.0
        for page in self.world.pages:
            quiet = rng.random() < 0.125
            for _ in range(rng.randint(1, 3)):
                age = rng.uniform(35, 90) if quiet else rng.uniform(0.5, 25)
                created = now - age * day
                self.add_post(
                    Post(
                        id=f"{page.id}_{self.new_object_id()}",
                        page_id=page.id,
                        seq=self.next_seq(),
                        message=f"Informasi tahapan pemilu dari {page.name}.",
                        link="",
                        created=created,
                        updated=created,
                        published_time=created,
                        scheduled_at=None,
                        lag=0.0,
                        media_ids=[],
                        status_type="mobile_status_update",
                        via="history",
                        token_kind="page",  # noqa: S106 -- a kind of token, not one
                        in_batch=False,
                    )
                )

    def set_limits(self, changes: dict[str, Any]) -> None:
        with self.lock:
            self.config.limits = self.config.limits.updated(changes)
            self.usage.limits = self.config.limits

    def now(self) -> float:
        return self.clock.now()

    def new_object_id(self) -> str:
        """A fresh 16-digit object id (posts and photos), increasing like Meta's."""
        self._next_id += self._ids.randrange(1, 50_000)
        return str(self._next_id)

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    # --- Lookups -----------------------------------------------------------------------

    def page(self, page_id: str) -> Page | None:
        return self.world.pages_by_id.get(page_id)

    def page_of_path(self, segments: list[str]) -> str | None:
        """The Page an operation aims at, from its path alone (for fault targeting)."""
        if not segments:
            return None
        node = segments[0]
        if node in self.world.pages_by_id:
            return node
        if "_" in node and node.split("_", 1)[0] in self.world.pages_by_id:
            return node.split("_", 1)[0]
        photo = self.photos.get(node)
        return photo.page_id if photo else None

    def last_post(self, page_id: str) -> Post | None:
        for post in reversed(self.page_posts.get(page_id, [])):
            if post.deleted_at is None:
                return post
        return None

    def add_post(self, post: Post) -> None:
        self.posts[post.id] = post
        self.page_posts[post.page_id].append(post)

    def mark_lost(self, post_ids: list[str]) -> None:
        with self.lock:
            for post_id in post_ids:
                if post_id in self.posts:
                    self.posts[post_id].response_lost = True

    # --- Views for tests and the demo -------------------------------------------------------

    def ledger(self, *, page_id: str | None = None) -> dict[str, Any]:
        """Every post that was ever created, with its status now, and the counts."""
        with self.lock:
            now = self.now()
            posts = [p for p in self.posts.values() if page_id is None or p.page_id == page_id]
            rows = [post.ledger_row(now) for post in sorted(posts, key=lambda p: p.seq)]
            statuses = Counter(row["status"] for row in rows)
            groups = Counter(
                (p.page_id, p.message, p.link)
                for p in posts
                if p.deleted_at is None and (p.message or p.link)
            )
            return {
                "posts": rows,
                "counts": {
                    "total": len(rows),
                    "existing": len(rows) - statuses["deleted"],
                    "published": statuses["published"],
                    "scheduled": statuses["scheduled"],
                    "unpublished": statuses["unpublished"],
                    "deleted": statuses["deleted"],
                    "response_lost": sum(1 for p in posts if p.response_lost),
                    "duplicates": sum(n - 1 for n in groups.values()),
                },
            }

    def state_file_data(self, url: str) -> dict[str, Any]:
        """The ``--state-file`` document (plus a few extra keys after the documented ones)."""
        with self.lock:
            world = self.world
            system_id = world.system_user.id
            return {
                "url": url,
                "version": GRAPH_VERSION,
                "app_id": world.app_id,
                "app_secret": world.app_secret,
                "system_user_token": world.system_user_token,
                "pages": [
                    {
                        "id": page.id,
                        "name": page.name,
                        "access_token": world.page_tokens[(system_id, page.id)],
                    }
                    for page in world.pages
                ],
                "business_id": world.business_id,
                "user_token": world.person_token,
                "faults": self.config.faults,
                "seed": self.config.seed,
                "minute_seconds": self.config.limits.minute_seconds,
                "require_appsecret_proof": self.config.require_appsecret_proof,
            }

    def stats_data(self) -> dict[str, Any]:
        with self.lock:
            return {
                "stats": dict(self.stats),
                "faults": dict(self.faults.counts),
                "now": self.now(),
                "clock_offset": self.clock.offset,
            }
