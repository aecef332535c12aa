"""Sandbox-only endpoints under ``/__sandbox/`` for tests and the demo (never Graph's).

=========================  =====================================================================
``GET  /health``           ``{"ok": true, "version"}``
``GET  /world``            the seeded world, hidden parts included (problems, tokens, profiles)
``GET  /ledger``           every post ever created (``?page_id=``), with counts and duplicates
``GET  /stats``            requests, operations, errors by code, faults struck, clock
``POST /reset``            back to the seeded world; optional ``pages``, ``seed``, ``faults``,
                           ``latency_ms``, ``op_ms``, ``require_appsecret_proof``, ``limits``
``GET|POST|DELETE
/faults``                  list / inject (``kind``, ``count``, ``page_id``, ``method``,
                           ``seconds``, ``code``, ``subcode``, ``message``, ``after_ops``) /
                           clear the injected faults
``POST /faults/random``    ``{"enabled": false}`` stops the profile's random faults
``POST /tokens/expire``    ``{"token", "subcode": 463, "restore_after_s"?}`` (458-492)
``POST /tokens/restore``   ``{"token"}``
``POST /scopes``           ``{"token", "revoke": [...], "grant": [...]}``
``POST /tasks``            ``{"page_id", "user_id"? (system user), "revoke"|"grant"|"tasks"}``
``GET|POST /limits``       read / change ``Limits`` fields
``POST /config``           change ``latency_ms``, ``op_ms``, ``require_appsecret_proof``
``POST /clock``            ``{"advance_s": n}``: move sandbox time forward
=========================  =====================================================================
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .auth import token_invalidate
from .config import GRAPH_VERSION, SandboxConfig
from .errors import TOKEN_SUBCODE_MESSAGES
from .state import SandboxState
from .world import Token

Handler = Callable[[SandboxState, dict[str, Any], Request], Any]


class ControlError(Exception):
    pass


def _endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        state: SandboxState = request.app.state.sandbox
        body: dict[str, Any] = {}
        if request.method in ("POST", "DELETE"):
            raw = await request.body()
            if raw:
                try:
                    parsed = await request.json()
                except ValueError:
                    return JSONResponse({"error": "the body must be a JSON object"}, 400)
                if not isinstance(parsed, dict):
                    return JSONResponse({"error": "the body must be a JSON object"}, 400)
                body = parsed
        try:
            with state.lock:
                return JSONResponse(handler(state, body, request))
        except (ControlError, ValueError, TypeError, KeyError) as exc:
            return JSONResponse({"error": str(exc)}, 400)

    return endpoint


def _token(state: SandboxState, body: dict[str, Any]) -> Token:
    token = state.world.tokens.get(str(body.get("token", "")))
    if token is None:
        raise ControlError("unknown token")
    return token


def health(state: SandboxState, body: dict[str, Any], request: Request) -> Any:
    return {"ok": True, "version": GRAPH_VERSION, "faults": state.config.faults}


def world(state: SandboxState, body: dict[str, Any], request: Request) -> Any:
    return state.world.summary()


def ledger(state: SandboxState, body: dict[str, Any], request: Request) -> Any:
    return state.ledger(page_id=request.query_params.get("page_id"))


def stats(state: SandboxState, body: dict[str, Any], request: Request) -> Any:
    return state.stats_data()


def reset(state: SandboxState, body: dict[str, Any], request: Request) -> Any:
    """Without a body: the world the sandbox started with. Given keys change that world."""
    if not body:
        state.reset()
        return {"ok": True, "config": state.config.as_dict()}
    initial = state.initial
    faults = str(body.get("faults", initial.faults))
    limits = body.get("limits")
    if limits is None and faults == initial.faults:
        limits = initial.limits
    config = SandboxConfig.build(
        pages=int(body.get("pages", initial.pages)),
        seed=int(body.get("seed", initial.seed)),
        faults=faults,
        latency_ms=float(body.get("latency_ms", initial.latency_ms)),
        op_ms=float(body.get("op_ms", initial.op_ms)),
        require_appsecret_proof=bool(
            body.get("require_appsecret_proof", initial.require_appsecret_proof)
        ),
        limits=limits,
        history=bool(body.get("history", initial.history)),
    )
    state.reset(config)
    return {"ok": True, "config": state.config.as_dict()}


def faults(state: SandboxState, body: dict[str, Any], request: Request) -> Any:
    if request.method == "POST":
        fault = state.faults.inject(
            kind=str(body.get("kind", "")),
            count=int(body.get("count", 1)),
            page_id=body.get("page_id"),
            method=body.get("method"),
            seconds=float(body["seconds"]) if body.get("seconds") is not None else None,
            code=int(body["code"]) if body.get("code") is not None else None,
            subcode=int(body["subcode"]) if body.get("subcode") is not None else None,
            message=body.get("message"),
            after_ops=int(body["after_ops"]) if body.get("after_ops") is not None else None,
        )
        return fault.as_dict()
    if request.method == "DELETE":
        state.faults.clear()
    return {
        "profile": state.faults.profile.as_dict(),
        "random_enabled": state.faults.random_enabled,
        "injected": [fault.as_dict() for fault in state.faults.injected],
        "struck": dict(state.faults.counts),
    }


def faults_random(state: SandboxState, body: dict[str, Any], request: Request) -> Any:
    state.faults.random_enabled = bool(body.get("enabled", True))
    return {"random_enabled": state.faults.random_enabled}


def token_expire(state: SandboxState, body: dict[str, Any], request: Request) -> Any:
    token = _token(state, body)
    subcode = int(body.get("subcode", 463))
    if subcode not in TOKEN_SUBCODE_MESSAGES:
        raise ControlError(f"subcode must be one of {sorted(TOKEN_SUBCODE_MESSAGES)}")
    restore = body.get("restore_after_s")
    token_invalidate(
        state,
        token,
        subcode=subcode,
        restore_after_s=float(restore) if restore is not None else None,
    )
    return {"token": token.value, "subcode": subcode, "restore_at": token.restore_at}


def token_restore(state: SandboxState, body: dict[str, Any], request: Request) -> Any:
    token = _token(state, body)
    token.invalid_subcode = None
    token.restore_at = None
    if token.expires_at and token.expires_at <= state.now():
        token.expires_at = int(state.now()) + 60 * 86_400
    return {"token": token.value, "valid": True}


def scopes(state: SandboxState, body: dict[str, Any], request: Request) -> Any:
    token = _token(state, body)
    revoke = set(body.get("revoke", []))
    token.scopes = [s for s in token.scopes if s not in revoke]
    token.scopes += [s for s in body.get("grant", []) if s not in token.scopes]
    return {"token": token.value, "scopes": token.scopes}


def tasks(state: SandboxState, body: dict[str, Any], request: Request) -> Any:
    page_id = str(body.get("page_id", ""))
    if state.page(page_id) is None:
        raise ControlError("unknown page_id")
    user_id = str(body.get("user_id") or state.world.system_user.id)
    key = (user_id, page_id)
    current = list(state.world.roles.get(key, []))
    if "tasks" in body:
        current = [str(t) for t in body["tasks"]]
    current = [t for t in current if t not in set(body.get("revoke", []))]
    current += [t for t in body.get("grant", []) if t not in current]
    state.world.roles[key] = current
    return {"page_id": page_id, "user_id": user_id, "tasks": current}


def limits(state: SandboxState, body: dict[str, Any], request: Request) -> Any:
    if request.method == "POST" and body:
        state.set_limits(body)
    return state.config.limits.as_dict()


def config(state: SandboxState, body: dict[str, Any], request: Request) -> Any:
    allowed = {"latency_ms", "op_ms", "require_appsecret_proof"}
    unknown = set(body) - allowed
    if unknown:
        raise ControlError(f"cannot change {', '.join(sorted(unknown))} without a reset")
    state.config = dataclasses.replace(state.config, **body)
    return state.config.as_dict()


def clock(state: SandboxState, body: dict[str, Any], request: Request) -> Any:
    advance = float(body.get("advance_s", 0))
    if advance < 0:
        raise ControlError("the sandbox clock only moves forward")
    state.clock.advance(advance)
    return {"now": state.now(), "offset": state.clock.offset}


def routes() -> list[Route]:
    table: list[tuple[str, Handler, list[str]]] = [
        ("/health", health, ["GET"]),
        ("/world", world, ["GET"]),
        ("/ledger", ledger, ["GET"]),
        ("/stats", stats, ["GET"]),
        ("/reset", reset, ["POST"]),
        ("/faults", faults, ["GET", "POST", "DELETE"]),
        ("/faults/random", faults_random, ["POST"]),
        ("/tokens/expire", token_expire, ["POST"]),
        ("/tokens/restore", token_restore, ["POST"]),
        ("/scopes", scopes, ["POST"]),
        ("/tasks", tasks, ["POST"]),
        ("/limits", limits, ["GET", "POST"]),
        ("/config", config, ["POST"]),
        ("/clock", clock, ["POST"]),
    ]
    return [Route(path, _endpoint(handler), methods=methods) for path, handler, methods in table]
