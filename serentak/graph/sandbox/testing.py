"""A remote control for a running sandbox, over HTTP: Graph calls plus the sandbox-only
``/__sandbox/`` endpoints. For pytest fixtures and the demo; works with any sandbox URL
(one from ``start_sandbox`` or a ``serentak sandbox`` process).

    with SandboxClient(handle.url) as sandbox:
        sandbox.inject_fault("lost", page_id=page_id)
        response = sandbox.post(f"{page_id}/feed", token, message="Halo")
        sandbox.ledger(page_id)["counts"]["response_lost"]
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from types import TracebackType
from typing import Any

import httpx

from .config import GRAPH_VERSION

ERROR_FIELDS = frozenset(
    {
        "message",
        "type",
        "code",
        "error_subcode",
        "error_user_title",
        "error_user_msg",
        "is_transient",
        "fbtrace_id",
        "error_data",
    }
)


def graph_error(response: httpx.Response) -> dict[str, Any]:
    """The error object of a Graph error answer, checked against the documented shape."""
    body = response.json()
    if not isinstance(body, dict) or set(body) != {"error"}:
        raise AssertionError(f"not a Graph error answer: {body!r}")
    error = body["error"]
    problems = []
    if set(error) - ERROR_FIELDS:
        problems.append(f"unknown fields {sorted(set(error) - ERROR_FIELDS)}")
    if not isinstance(error.get("message"), str) or not isinstance(error.get("code"), int):
        problems.append("message and code are required")
    if error.get("type") not in ("OAuthException", "GraphMethodException", "GraphBatchException"):
        problems.append(f"unexpected type {error.get('type')!r}")
    if not isinstance(error.get("is_transient"), bool):
        problems.append("is_transient must be a boolean")
    if not isinstance(error.get("fbtrace_id"), str):
        problems.append("fbtrace_id must be a string")
    if "error_subcode" in error and not isinstance(error["error_subcode"], int):
        problems.append("error_subcode must be an integer")
    if response.status_code < 400:
        problems.append(f"HTTP {response.status_code} for an error")
    if problems:
        raise AssertionError(f"malformed Graph error {error!r}: {'; '.join(problems)}")
    return dict(error)


class SandboxClient:
    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.http = httpx.Client(base_url=self.url, timeout=timeout)

    # --- Graph ---------------------------------------------------------------------------

    def _path(self, path: str) -> str:
        return f"/{GRAPH_VERSION}/{path.lstrip('/')}"

    def get(self, path: str, token: str | None = None, **params: Any) -> httpx.Response:
        if token is not None:
            params["access_token"] = token
        return self.http.get(self._path(path), params=params)

    def post(
        self,
        path: str,
        token: str | None = None,
        *,
        files: dict[str, Any] | None = None,
        **data: Any,
    ) -> httpx.Response:
        if token is not None:
            data["access_token"] = token
        fields = {k: v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}
        return self.http.post(self._path(path), data=fields, files=files)

    def delete(self, path: str, token: str | None = None, **params: Any) -> httpx.Response:
        if token is not None:
            params["access_token"] = token
        return self.http.delete(self._path(path), params=params)

    def batch(
        self,
        operations: list[dict[str, Any]],
        token: str | None,
        *,
        files: dict[str, Any] | None = None,
        **extra: Any,
    ) -> httpx.Response:
        return self.post("", token, files=files, batch=json.dumps(operations), **extra)

    # --- Control ---------------------------------------------------------------------------

    def _control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.http.request(method, f"/__sandbox/{path}", json=body)
        if response.status_code != 200:
            raise RuntimeError(f"sandbox control {path}: {response.text}")
        return response.json()

    def reset(self, **changes: Any) -> dict[str, Any]:
        return self._control("POST", "reset", changes)

    def world(self) -> dict[str, Any]:
        return self._control("GET", "world")

    def ledger(self, page_id: str | None = None) -> dict[str, Any]:
        suffix = f"?page_id={page_id}" if page_id else ""
        return self._control("GET", f"ledger{suffix}")

    def stats(self) -> dict[str, Any]:
        return self._control("GET", "stats")

    def inject_fault(self, kind: str, **options: Any) -> dict[str, Any]:
        return self._control("POST", "faults", {"kind": kind, **options})

    def clear_faults(self) -> dict[str, Any]:
        return self._control("DELETE", "faults")

    def random_faults(self, enabled: bool) -> dict[str, Any]:
        return self._control("POST", "faults/random", {"enabled": enabled})

    def expire_token(
        self, token: str, *, subcode: int = 463, restore_after_s: float | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"token": token, "subcode": subcode}
        if restore_after_s is not None:
            body["restore_after_s"] = restore_after_s
        return self._control("POST", "tokens/expire", body)

    def restore_token(self, token: str) -> dict[str, Any]:
        return self._control("POST", "tokens/restore", {"token": token})

    def set_scopes(
        self, token: str, *, revoke: Iterable[str] = (), grant: Iterable[str] = ()
    ) -> dict[str, Any]:
        body = {"token": token, "revoke": list(revoke), "grant": list(grant)}
        return self._control("POST", "scopes", body)

    def set_tasks(
        self,
        page_id: str,
        *,
        revoke: Iterable[str] = (),
        grant: Iterable[str] = (),
        tasks: Iterable[str] | None = None,
        user_id: str | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"page_id": page_id, "revoke": list(revoke), "grant": list(grant)}
        if tasks is not None:
            body["tasks"] = list(tasks)
        if user_id is not None:
            body["user_id"] = user_id
        return self._control("POST", "tasks", body)

    def limits(self) -> dict[str, Any]:
        return self._control("GET", "limits")

    def set_limits(self, **changes: Any) -> dict[str, Any]:
        return self._control("POST", "limits", changes)

    def configure(self, **changes: Any) -> dict[str, Any]:
        return self._control("POST", "config", changes)

    def advance_clock(self, seconds: float) -> float:
        return float(self._control("POST", "clock", {"advance_s": seconds})["now"])

    # --- Lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> SandboxClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
