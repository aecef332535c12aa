"""What a sandbox run is: the seed, the size of the world, the fault profile and the limits.

Every window and block the sandbox imposes is counted in *sandbox minutes*. Normally a
sandbox minute is 60 real seconds; under the ``chaos`` profile it is one second, so that
throttled clients are back after a few seconds and a chaotic run still ends. Headers keep
the documented unit: ``estimated_time_to_regain_access`` is in real minutes, a fraction
under chaos (0.17 = 10 s). The state file says how long a sandbox minute is
(``minute_seconds``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal

GRAPH_VERSION = "v25.0"

FaultProfileName = Literal["none", "flaky", "chaos"]
FAULT_PROFILES: tuple[str, ...] = ("none", "flaky", "chaos")


@dataclass
class Limits:
    """Thresholds of the rate limits and of the anti-spam rules (all configurable).

    Windows are sliding and counted in sandbox minutes (see the module docstring).
    """

    minute_seconds: float = 60.0
    # Platform limits (app and user tokens): 200 calls x daily active users per rolling
    # hour; we assume 100 daily active users. Meta does not disclose the per-user figure.
    app_window_min: float = 60.0
    app_calls: int = 20_000
    user_calls: int = 4_800
    # Pages Business Use Case limit: 4800 x engaged users of the Page. The window is
    # UNCONFIRMED (1 h or 24 h): the sandbox takes the stricter 24 h.
    buc_window_min: float = 1_440.0
    buc_calls_per_engaged_user: int = 4_800
    buc_calls: int | None = None  # when set, the same limit for every Page
    # 613/1996 "unusual request volume": calls by one token within a sandbox minute.
    burst_window_min: float = 1.0
    burst_calls: int = 12_000
    # 368/1390008 "posting too fast": a token may create at most `spam_posts` posts on one
    # Page within `spam_window_min`; the next one is refused and the token stays blocked on
    # that Page for `spam_block_min`. Meta publishes no figure (UNCONFIRMED): ours is low.
    spam_posts: int = 5
    spam_window_min: float = 1.0
    spam_block_min: float = 15.0
    # CPU budget per call behind total_cputime/total_time (percent of the window budget).
    cpu_ms_per_call: float = 10.0
    # Under chaos an invalidated token becomes valid again after this many real seconds.
    token_restore_s: float | None = None

    def seconds(self, minutes: float) -> float:
        return minutes * self.minute_seconds

    def updated(self, changes: dict[str, Any]) -> Limits:
        names = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(changes) - names)
        if unknown:
            raise ValueError(f"unknown limits: {', '.join(unknown)}")
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


CHAOS_LIMITS = Limits(
    minute_seconds=1.0,
    app_window_min=10.0,
    app_calls=2_000,
    user_calls=1_000,
    buc_window_min=10.0,
    buc_calls=40,
    burst_calls=300,
    spam_posts=3,
    spam_window_min=10.0,
    spam_block_min=5.0,
    token_restore_s=3.0,
)


@dataclass
class FaultProfile:
    """Probabilities of the faults drawn at random, per HTTP request or per operation."""

    name: str = "none"
    p_5xx: float = 0.0  # per operation: code 1 or 2 (HTTP 500), or a proxy's HTML 502
    p_reset: float = 0.0  # per request: the connection is reset before anything happens
    p_timeout: float = 0.0  # per request: no answer for `timeout_s`, then a reset
    p_lost: float = 0.0  # per write request: applied, then the response is lost
    p_lag: float = 0.0  # per new post: it shows in the feed only after `lag_s`
    lag_s: float = 0.0
    p_batch_cut: float = 0.0  # per batch: it "times out" midway, the rest comes back null
    p_token_expiry: float = 0.0  # per Page-token operation: the token expires (190/463)
    timeout_s: float = 30.0

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def fault_profile(name: str) -> FaultProfile:
    if name == "none":
        return FaultProfile()
    if name == "flaky":
        return FaultProfile(
            name="flaky",
            p_5xx=0.02,
            p_reset=0.01,
            p_timeout=0.005,
            p_lost=0.01,
            p_lag=0.2,
            lag_s=2.0,
            p_batch_cut=0.02,
            timeout_s=10.0,
        )
    if name == "chaos":
        return FaultProfile(
            name="chaos",
            p_5xx=0.06,
            p_reset=0.03,
            p_timeout=0.02,
            p_lost=0.04,
            p_lag=0.5,
            lag_s=3.0,
            p_batch_cut=0.05,
            p_token_expiry=0.005,
            timeout_s=2.0,
        )
    raise ValueError(f"unknown fault profile {name!r} (choose none, flaky or chaos)")


@dataclass
class SandboxConfig:
    """One sandbox world. The same config always seeds the same world."""

    pages: int = 553
    seed: int = 1
    faults: str = "none"
    latency_ms: float = 0.0
    op_ms: float = 5.0
    require_appsecret_proof: bool = False
    limits: Limits = field(default_factory=Limits)
    history: bool = False  # seed past posts on most Pages (the demo); tests start empty

    def __post_init__(self) -> None:
        fault_profile(self.faults)  # validates the name
        if self.pages < 1:
            raise ValueError("a sandbox needs at least one Page")
        if self.latency_ms < 0 or self.op_ms < 0:
            raise ValueError("latencies cannot be negative")

    @classmethod
    def build(
        cls,
        *,
        pages: int = 553,
        seed: int = 1,
        faults: str = "none",
        latency_ms: float = 0.0,
        op_ms: float = 5.0,
        require_appsecret_proof: bool = False,
        limits: Limits | dict[str, Any] | None = None,
        history: bool = False,
    ) -> SandboxConfig:
        """A config whose limits default to the profile's (small under chaos)."""
        base = CHAOS_LIMITS if faults == "chaos" else Limits()
        chosen = limits if isinstance(limits, Limits) else base.updated(limits or {})
        return cls(
            pages=pages,
            seed=seed,
            faults=faults,
            latency_ms=latency_ms,
            op_ms=op_ms,
            require_appsecret_proof=require_appsecret_proof,
            limits=chosen,
            history=history,
        )

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
