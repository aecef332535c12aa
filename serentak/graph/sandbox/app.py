"""The HTTP face of the sandbox: a Starlette app that speaks Graph ``v25.0`` on loopback.

Each request: parse (query string, form, multipart or JSON body, ``Authorization``
header), wait ``latency_ms``, draw the request-level faults, run the operation (or the
batch, ``op_ms`` per operation), then answer with Graph's headers: ``facebook-api-version``,
``x-fb-trace-id``, ``x-app-usage`` always, ``x-business-use-case-usage`` when a Page was
touched. Sandbox-only control endpoints live under ``/__sandbox/`` (see ``control``).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route

from . import batch, control, errors
from .config import GRAPH_VERSION
from .dispatch import execute
from .records import CallContext, GraphRequest, GraphResult, UploadedFile
from .state import SandboxState
from .transport import connection_abort

MAX_PART_BYTES = 16 * 1024 * 1024
_VERSION = re.compile(r"^v\d+\.\d+$")
BAD_GATEWAY = (
    "<!DOCTYPE html><html><head><title>Error</title></head><body>"
    "<h1>Sorry, something went wrong.</h1><p>We're working on it and we'll get it fixed as "
    "soon as we can.</p></body></html>"
)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


async def parse_request(request: Request) -> GraphRequest:
    """Query string, then the body (form, multipart or JSON object) on top, as Graph merges."""
    parts = [part for part in request.url.path.split("/") if part]
    if parts and _VERSION.match(parts[0]):
        version = parts.pop(0)
        if version != GRAPH_VERSION:
            raise errors.GraphError(
                100,
                f"(#100) Unknown API version {version}: the sandbox speaks {GRAPH_VERSION} only",
                type="GraphMethodException",
            )
    params = dict(request.query_params)
    files: dict[str, UploadedFile] = {}
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form(max_part_size=MAX_PART_BYTES)
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                files[key] = UploadedFile(
                    filename=value.filename or key,
                    content_type=value.content_type or "application/octet-stream",
                    data=await value.read(),
                )
            else:
                params[key] = value
    elif content_type.startswith("application/json"):
        try:
            body = await request.json()
        except ValueError as exc:
            raise errors.invalid_param("The request body is not valid JSON") from exc
        if not isinstance(body, dict):
            raise errors.invalid_param("A JSON request body must be an object")
        params.update({key: _text(value) for key, value in body.items()})
    authorization = request.headers.get("authorization", "")
    scheme, _, credential = authorization.partition(" ")
    if scheme.lower() in ("bearer", "oauth") and credential and "access_token" not in params:
        params["access_token"] = credential.strip()
    return GraphRequest(method=request.method, path="/".join(parts), params=params, files=files)


def _render(state: SandboxState, result: GraphResult, ctx: CallContext) -> Response:
    with state.lock:
        now = state.now()
        headers = {
            "facebook-api-version": GRAPH_VERSION,
            "x-fb-trace-id": ctx.trace_id,
            "x-fb-rev": "1029384756",
            "access-control-allow-origin": "*",
            "cache-control": "private, no-cache, no-store, must-revalidate",
            "x-app-usage": state.usage.app_header(now),
        }
        touched = [p for p in (state.page(pid) for pid in ctx.pages) if p is not None]
        buc = state.usage.buc_header(touched, now)
    if buc is not None:
        headers["x-business-use-case-usage"] = buc
    for key, value in result.headers.items():
        headers[key.lower()] = value
    if result.body is None:
        return Response(status_code=result.status, headers=headers)
    payload = json.dumps(result.body, separators=(",", ":"))
    return Response(
        payload,
        status_code=result.status,
        headers=headers,
        media_type="application/json; charset=UTF-8",
    )


async def _drop(request: Request) -> Response:
    """Reset the connection; the returned response is never sent."""
    done = connection_abort(request.scope)
    if done is None and not await request.is_disconnected():
        # In-process ASGI (httpx's ASGITransport): the nearest thing to a reset.
        raise ConnectionResetError("sandbox fault: connection reset by peer")
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    return Response(status_code=204)


async def _pause_until(deadline: float) -> None:
    delay = deadline - time.monotonic()
    if delay > 0:
        await asyncio.sleep(delay)


async def graph_endpoint(request: Request) -> Response:
    state: SandboxState = request.app.state.sandbox
    started = time.monotonic()
    latency = state.config.latency_ms / 1000
    ctx = CallContext(base_url=str(request.base_url).rstrip("/"), trace_id=errors.trace_id())
    with state.lock:
        state.stats["http_requests"] += 1
    try:
        req = await parse_request(request)
        operations = None
        if req.method == "POST" and not req.segments and "batch" in req.params:
            operations = batch.parse_operations(req)
    except errors.GraphError as exc:
        await _pause_until(started + latency)
        failed = GraphResult(
            exc.status, exc.body(ctx.trace_id), {"WWW-Authenticate": exc.www_authenticate()}
        )
        return _render(state, failed, ctx)
    await _pause_until(started + latency)
    with state.lock:
        if operations is not None:
            targets = batch.targets(state, operations)
        else:
            targets = [(state.page_of_path(req.segments), req.method)]
        plan = state.faults.plan_request(
            targets=targets, batch_size=len(operations) if operations is not None else None
        )
    if plan.before in ("reset", "timeout"):
        if plan.before == "timeout":
            await asyncio.sleep(plan.timeout_s)
        return await _drop(request)
    if plan.before == "502":
        return HTMLResponse(BAD_GATEWAY, status_code=502)
    if operations is not None:
        result = await batch.run(state, req, operations, ctx, started=started, plan=plan)
    else:
        result = execute(state, req, ctx)
        await _pause_until(started + latency + state.config.op_ms / 1000)
    if plan.after is not None:
        state.mark_lost(ctx.created_posts)
        if plan.after == "lost_timeout":
            await asyncio.sleep(plan.timeout_s)
        return await _drop(request)
    return _render(state, result, ctx)


def create_app(state: SandboxState) -> Starlette:
    app = Starlette(
        routes=[
            Mount("/__sandbox", routes=control.routes()),
            Route(
                "/{path:path}",
                graph_endpoint,
                methods=["GET", "POST", "DELETE", "PUT", "PATCH"],
            ),
        ]
    )
    app.state.sandbox = state
    return app
