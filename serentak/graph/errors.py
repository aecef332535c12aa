"""What a Graph API answer means for the caller: the error model and its classification.

Every call ends in one ``Outcome``. Callers branch on it and never parse messages:

- ``SUCCESS``: done.
- ``RETRY_LATER``: transient or rate-limited; nothing happened, try again after
  ``retry_after`` seconds.
- ``RECONNECT``: the token is expired or no longer valid (190): the Page must be reconnected;
  retry once it is.
- ``REJECTED``: never retry as is (bad parameter, permission, duplicate content, policy).
- ``UNKNOWN``: a write was sent and no answer came back (timeout, reset), or a retry after
  such a loss was refused as a duplicate (506): the post may exist. Reconcile against the
  Page's feed before anything else; never resend blindly.

The codes follow Meta's error-handling guide (see ``shared/reference/graph-api.md`` §4).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Outcome(enum.StrEnum):
    SUCCESS = "success"
    RETRY_LATER = "retry_later"
    RECONNECT = "reconnect"
    REJECTED = "rejected"
    UNKNOWN = "unknown"


# Codes Meta documents (or clients observe) as "try again later".
TRANSIENT_CODES = frozenset({1, 2, 4, 17, 32, 341, 613, 80001})
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, 80001})
TOKEN_CODES = frozenset({102, 190})
DUPLICATE_CODE = 506
POLICY_BLOCK_CODE = 368
POSTING_TOO_FAST_SUBCODE = 1390008

# Waits when Meta gives no estimate: generic transient errors, and rate limits.
DEFAULT_TRANSIENT_WAIT = 5.0
DEFAULT_RATE_LIMIT_WAIT = 60.0
# 368/1390008 means "you post too fast": a long pause, never a quick retry.
POSTING_TOO_FAST_WAIT = 15 * 60.0


@dataclass(frozen=True)
class GraphError:
    """The ``error`` object of a Graph response (or a transport failure, with code 0)."""

    code: int
    message: str
    type: str = ""
    subcode: int | None = None
    http_status: int = 0
    is_transient: bool | None = None
    user_title: str = ""
    user_message: str = ""
    fbtrace_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_body(cls, body: Any, http_status: int) -> GraphError:
        """Build from a decoded response body; tolerant of odd shapes (HTML error pages)."""
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            return cls(
                code=0,
                message=f"HTTP {http_status} without a Graph error object",
                http_status=http_status,
            )
        known = {
            "code",
            "message",
            "type",
            "error_subcode",
            "is_transient",
            "error_user_title",
            "error_user_msg",
            "fbtrace_id",
        }
        return cls(
            code=_int(error.get("code")) or 0,
            message=str(error.get("message", "")),
            type=str(error.get("type", "")),
            subcode=_int(error.get("error_subcode")),
            http_status=http_status,
            is_transient=error.get("is_transient")
            if isinstance(error.get("is_transient"), bool)
            else None,
            user_title=str(error.get("error_user_title", "")),
            user_message=str(error.get("error_user_msg", "")),
            fbtrace_id=str(error.get("fbtrace_id", "")),
            extra={k: v for k, v in error.items() if k not in known},
        )

    def __str__(self) -> str:
        sub = f"/{self.subcode}" if self.subcode else ""
        return f"({self.code}{sub}) {self.message}"


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def classify(error: GraphError, *, after_unknown: bool = False) -> Outcome:
    """The outcome a Graph error stands for.

    ``after_unknown``: this call retried a write whose first attempt had an unknown outcome.
    A duplicate refusal then most likely means the first attempt did land: reconcile.
    """
    code, sub = error.code, error.subcode
    if code == DUPLICATE_CODE or (
        code == POLICY_BLOCK_CODE
        and sub != POSTING_TOO_FAST_SUBCODE
        and "already posted" in error.message.lower()
    ):
        return Outcome.UNKNOWN if after_unknown else Outcome.REJECTED
    if code in TOKEN_CODES:
        return Outcome.RECONNECT
    if code == POLICY_BLOCK_CODE and sub == POSTING_TOO_FAST_SUBCODE:
        return Outcome.RETRY_LATER
    if code in TRANSIENT_CODES:
        return Outcome.RETRY_LATER
    if code == 0 and error.http_status >= 500:
        return Outcome.RETRY_LATER
    if error.is_transient is True and code not in {100, 10} and not 200 <= code <= 299:
        return Outcome.RETRY_LATER
    return Outcome.REJECTED


def default_wait(error: GraphError) -> float:
    """Seconds to wait before retrying when no usage header says better."""
    if error.code == POLICY_BLOCK_CODE and error.subcode == POSTING_TOO_FAST_SUBCODE:
        return POSTING_TOO_FAST_WAIT
    if error.code in RATE_LIMIT_CODES:
        return DEFAULT_RATE_LIMIT_WAIT
    return DEFAULT_TRANSIENT_WAIT


@dataclass(frozen=True)
class GraphResult:
    """The typed result of one Graph call (or one batch item)."""

    outcome: Outcome
    data: Any = None
    error: GraphError | None = None
    retry_after: float | None = None  # seconds, for RETRY_LATER
    http_status: int = 0

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.SUCCESS

    @classmethod
    def success(cls, data: Any, http_status: int = 200) -> GraphResult:
        return cls(Outcome.SUCCESS, data=data, http_status=http_status)

    @classmethod
    def unknown(cls, reason: str) -> GraphResult:
        return cls(Outcome.UNKNOWN, error=GraphError(code=0, message=reason))

    @classmethod
    def retry(cls, reason: str, after: float) -> GraphResult:
        return cls(Outcome.RETRY_LATER, error=GraphError(code=0, message=reason), retry_after=after)
