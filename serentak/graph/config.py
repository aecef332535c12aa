"""Where the Graph API is and with which credentials: settings, or a sandbox state file."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REAL_GRAPH_URL = "https://graph.facebook.com"
DEFAULT_VERSION = "v25.0"


@dataclass(frozen=True)
class GraphConfig:
    url: str = REAL_GRAPH_URL
    version: str = DEFAULT_VERSION
    app_id: str = ""
    app_secret: str = field(default="", repr=False)
    system_user_token: str = field(default="", repr=False)
    # The Business portfolio whose owned and client Pages are listed too (optional).
    business_id: str = ""
    # Page tokens known from a sandbox state file (id -> token); empty with the real API.
    page_tokens: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def base(self) -> str:
        return f"{self.url.rstrip('/')}/{self.version}"

    @property
    def app_token(self) -> str:
        """The app access token ``{app-id}|{app-secret}`` (for /debug_token)."""
        return f"{self.app_id}|{self.app_secret}" if self.app_id and self.app_secret else ""

    def proof(self, token: str) -> str | None:
        """``appsecret_proof`` for ``token``: hex HMAC-SHA256 keyed with the app secret."""
        if not self.app_secret or not token:
            return None
        return hmac.new(self.app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()

    @classmethod
    def from_settings(cls) -> GraphConfig:
        from django.conf import settings

        return cls(
            url=settings.GRAPH_API_URL,
            version=settings.GRAPH_API_VERSION,
            app_id=settings.GRAPH_APP_ID,
            app_secret=settings.GRAPH_APP_SECRET,
            system_user_token=settings.GRAPH_SYSTEM_USER_TOKEN,
            business_id=settings.GRAPH_BUSINESS_ID,
        )

    @classmethod
    def from_state_file(cls, path: str | Path) -> GraphConfig:
        """Read the sandbox's ``--state-file`` JSON (url, version, app and system-user tokens)."""
        try:
            state = json.loads(Path(path).read_text(encoding="utf-8"))
            return cls(
                url=state["url"],
                version=state.get("version", DEFAULT_VERSION),
                app_id=str(state.get("app_id", "")),
                app_secret=str(state.get("app_secret", "")),
                system_user_token=str(state.get("system_user_token", "")),
                business_id=str(state.get("business_id", "")),
                page_tokens={str(p["id"]): str(p["access_token"]) for p in state.get("pages", [])},
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}: not a Graph sandbox state file ({exc})") from exc


def add_graph_arguments(parser: Any) -> None:
    """``--graph-state FILE`` for every command that talks to Facebook."""
    parser.add_argument(
        "--graph-state",
        metavar="FILE",
        default=None,
        help="use the Graph API described by a sandbox state file instead of GRAPH_* settings",
    )


def graph_config(graph_state: str | None) -> GraphConfig:
    return GraphConfig.from_state_file(graph_state) if graph_state else GraphConfig.from_settings()
