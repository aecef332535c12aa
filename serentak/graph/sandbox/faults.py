"""Faults: drawn at random from the profile, or injected by tests through /__sandbox/faults.

Kinds, and where they strike:

- per HTTP request, before anything is applied: ``reset`` (connection reset), ``timeout``
  (no answer for ``seconds``, then a reset), ``502`` (a proxy's HTML page);
- per HTTP request, after the operations were applied: ``lost`` (reset) and
  ``lost_timeout`` (silence, then reset): the posts exist, the client never hears of them;
- per operation: ``5xx`` (code 2, HTTP 500) and ``error`` (any ``code``/``subcode``);
- per new post: ``lag`` (listed in the feed only ``seconds`` later);
- per batch: ``batch_cut`` (the batch "times out" after ``after_ops`` operations; the rest
  comes back as ``null``, unapplied).

An injected fault may be limited to a Page (``page_id``) and an HTTP method of the
operation (``method``), and strikes ``count`` times.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from . import errors
from .config import FaultProfile

REQUEST_BEFORE = frozenset({"reset", "timeout", "502"})
REQUEST_AFTER = frozenset({"lost", "lost_timeout"})
OPERATION = frozenset({"5xx", "error"})
KINDS = REQUEST_BEFORE | REQUEST_AFTER | OPERATION | {"lag", "batch_cut"}

Target = tuple[str | None, str]  # (Page id or None, operation method)


@dataclass
class InjectedFault:
    id: int
    kind: str
    remaining: int
    page_id: str | None = None
    method: str | None = None
    seconds: float | None = None
    code: int | None = None
    subcode: int | None = None
    message: str | None = None
    after_ops: int | None = None

    def matches(self, targets: list[Target]) -> bool:
        return any(
            (self.page_id is None or self.page_id == page)
            and (self.method is None or self.method == method)
            for page, method in targets
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RequestPlan:
    before: str | None = None  # reset | timeout | 502
    after: str | None = None  # lost | lost_timeout
    timeout_s: float = 30.0
    batch_cut_at: int | None = None
    struck: list[str] = field(default_factory=list)


class Faults:
    def __init__(self, profile: FaultProfile, seed: int) -> None:
        self.profile = profile
        self.rng = random.Random(seed * 7919 + 17)  # noqa: S311 - reproducible, not secret
        self.random_enabled = True
        self.injected: list[InjectedFault] = []
        self.next_id = 1
        self.counts: Counter[str] = Counter()

    # --- Injection -----------------------------------------------------------------------

    def inject(
        self,
        *,
        kind: str,
        count: int = 1,
        page_id: str | None = None,
        method: str | None = None,
        seconds: float | None = None,
        code: int | None = None,
        subcode: int | None = None,
        message: str | None = None,
        after_ops: int | None = None,
    ) -> InjectedFault:
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r} (one of {', '.join(sorted(KINDS))})")
        if count < 1:
            raise ValueError("count must be at least 1")
        if kind == "error" and code is None:
            raise ValueError("an injected error needs a code")
        fault = InjectedFault(
            id=self.next_id,
            kind=kind,
            remaining=count,
            page_id=page_id,
            method=method.upper() if method else None,
            seconds=seconds,
            code=code,
            subcode=subcode,
            message=message,
            after_ops=after_ops,
        )
        self.next_id += 1
        self.injected.append(fault)
        return fault

    def clear(self) -> None:
        self.injected.clear()

    def _take(self, kinds: frozenset[str], targets: list[Target]) -> InjectedFault | None:
        for fault in self.injected:
            if fault.kind in kinds and fault.matches(targets):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self.injected.remove(fault)
                return fault
        return None

    def _roll(self, probability: float) -> bool:
        return self.random_enabled and probability > 0 and self.rng.random() < probability

    # --- Decisions -----------------------------------------------------------------------

    def plan_request(self, *, targets: list[Target], batch_size: int | None) -> RequestPlan:
        """Decide the request-level faults of one HTTP request (before it is applied)."""
        profile = self.profile
        plan = RequestPlan(timeout_s=profile.timeout_s)
        is_write = any(method in ("POST", "DELETE") for _, method in targets)
        before = self._take(REQUEST_BEFORE, targets)
        if before is not None:
            plan.before = before.kind
            plan.timeout_s = before.seconds if before.seconds is not None else plan.timeout_s
        elif self._roll(profile.p_reset):
            plan.before = "reset"
        elif self._roll(profile.p_timeout):
            plan.before = "timeout"
        elif self._roll(profile.p_5xx / 3):
            plan.before = "502"
        if plan.before is None:
            after = self._take(REQUEST_AFTER, targets)
            if after is not None:
                plan.after = after.kind
                plan.timeout_s = after.seconds if after.seconds is not None else plan.timeout_s
            elif is_write and self._roll(profile.p_lost):
                plan.after = "lost" if self.rng.random() < 0.5 else "lost_timeout"
        if batch_size:
            cut = self._take(frozenset({"batch_cut"}), targets)
            if cut is not None:
                plan.batch_cut_at = min(batch_size, cut.after_ops or 0)
            elif self._roll(profile.p_batch_cut):
                plan.batch_cut_at = self.rng.randrange(0, batch_size)
        for kind in (plan.before, plan.after):
            if kind:
                plan.struck.append(kind)
                self.counts[kind] += 1
        if plan.batch_cut_at is not None:
            self.counts["batch_cut"] += 1
        return plan

    def operation_error(self, *, page_id: str | None, method: str) -> errors.GraphError | None:
        fault = self._take(OPERATION, [(page_id, method)])
        if fault is not None:
            self.counts[fault.kind] += 1
            if fault.kind == "5xx":
                return errors.service_unavailable()
            return errors.injected(fault.code or 1, fault.subcode, fault.message)
        if self._roll(self.profile.p_5xx * 2 / 3):
            self.counts["5xx"] += 1
            return (
                errors.unknown_error() if self.rng.random() < 0.5 else errors.service_unavailable()
            )
        return None

    def post_lag(self, *, page_id: str) -> float:
        fault = self._take(frozenset({"lag"}), [(page_id, "POST")])
        if fault is not None:
            self.counts["lag"] += 1
            return fault.seconds if fault.seconds is not None else self.profile.lag_s or 2.0
        if self._roll(self.profile.p_lag):
            self.counts["lag"] += 1
            return self.profile.lag_s
        return 0.0

    def token_expires(self) -> bool:
        if self._roll(self.profile.p_token_expiry):
            self.counts["token_expiry"] += 1
            return True
        return False
