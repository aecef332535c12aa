"""``POST /`` with ``batch=[...]``: up to 50 operations, answered item by item.

- The top-level ``access_token`` is required even when every operation has its own; it is
  checked (with the top-level ``appsecret_proof``) before anything runs.
- An operation that carries its own token must also carry its own ``appsecret_proof``
  when proofs are required (the reference says "every call"; the strict reading).
- Operations run in order. ``{result=name:$.jsonpath}`` in ``relative_url`` or ``body``
  takes values from an earlier named operation (several values are joined with commas);
  ``depends_on`` orders without passing data. When the operation depended on failed (or
  the path matches nothing), the dependent is not run and fails with code 100: what Graph
  does here is UNCONFIRMED, and failing is the strict choice.
- A named operation's answer is left out (``null``) unless it sets
  ``omit_response_on_success: false`` (UNCONFIRMED in current docs; the strict choice:
  a client that retries every ``null`` will post twice).
- A batch that "times out" (fault ``batch_cut``) answers ``null`` for the operations it
  did not run. The outer status is 200 even when items fail.
- Latency: each operation costs ``op_ms``, on top of the request's ``latency_ms``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from jsonpath_ng import parse as jsonpath_parse

from . import auth, errors
from .config import GRAPH_VERSION
from .dispatch import execute
from .faults import RequestPlan, Target
from .records import CallContext, GraphRequest, GraphResult

if TYPE_CHECKING:
    from .state import SandboxState

MAX_OPERATIONS = 50
REFERENCE = re.compile(r"\{result=([^:}]+):([^}]*)\}")
_VERSION_PREFIX = re.compile(r"^v\d+\.\d+/?")


@dataclass
class Operation:
    index: int
    method: str = "GET"
    relative_url: str = ""
    body: str = ""
    name: str | None = None
    depends_on: str | None = None
    omit_response_on_success: bool = False
    attached_files: list[str] = field(default_factory=list)
    problem: str | None = None  # malformed: answered with code 100, not run

    @property
    def path(self) -> str:
        return _op_path(self.relative_url)


def _op_path(relative_url: str) -> str:
    path = urlsplit(relative_url).path.lstrip("/")
    return _VERSION_PREFIX.sub("", path) if _VERSION_PREFIX.match(path) else path


def _flag(value: Any, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() not in ("false", "0", "")


def parse_operations(req: GraphRequest) -> list[Operation]:
    """The batch's operations; a malformed or oversized batch fails as a whole."""
    try:
        data = json.loads(req.params.get("batch", ""))
    except ValueError as exc:
        raise errors.invalid_param("The parameter batch must be a JSON array") from exc
    if not isinstance(data, list) or not data:
        raise errors.invalid_param("The parameter batch must be a non-empty JSON array")
    if len(data) > MAX_OPERATIONS:
        raise errors.batch_too_large()
    operations = []
    for index, item in enumerate(data):
        op = Operation(index=index)
        operations.append(op)
        if not isinstance(item, dict) or not isinstance(item.get("relative_url"), str):
            op.problem = "Each batch operation needs a relative_url"
            continue
        op.relative_url = item["relative_url"]
        op.method = str(item.get("method", "GET")).upper()
        body = item.get("body", "")
        if not isinstance(body, str):
            op.problem = "The body of a batch operation must be a URL-encoded string"
            continue
        op.body = body
        name = item.get("name")
        op.name = str(name) if name else None
        op.depends_on = str(item["depends_on"]) if item.get("depends_on") else None
        op.omit_response_on_success = _flag(
            item.get("omit_response_on_success"), default=op.name is not None
        )
        files = item.get("attached_files") or ""
        op.attached_files = [f.strip() for f in str(files).split(",") if f.strip()]
    return operations


def targets(state: SandboxState, operations: list[Operation]) -> list[Target]:
    return [(state.page_of_path(op.path.split("/")), op.method) for op in operations]


def _item(result: GraphResult, *, include_headers: bool, method: str) -> dict[str, Any]:
    body = json.dumps(result.body, separators=(",", ":"))
    item: dict[str, Any] = {"code": result.status}
    if include_headers:
        headers = [
            {"name": "Content-Type", "value": "text/javascript; charset=UTF-8"},
            {"name": "facebook-api-version", "value": GRAPH_VERSION},
            {"name": "Cache-Control", "value": "private, no-cache, no-store, must-revalidate"},
        ]
        if result.ok and method == "GET":
            etag = hashlib.sha1(body.encode(), usedforsecurity=False).hexdigest()
            headers.append({"name": "ETag", "value": f'"{etag}"'})
        headers += [{"name": k, "value": v} for k, v in result.headers.items()]
        item["headers"] = headers
    item["body"] = body
    return item


def _failed(exc: errors.GraphError, ctx: CallContext) -> GraphResult:
    return GraphResult(
        exc.status, exc.body(ctx.trace_id), {"WWW-Authenticate": exc.www_authenticate()}
    )


def _substitute(text: str, outcomes: dict[str, GraphResult]) -> str:
    def replace(match: re.Match[str]) -> str:
        name, path = match.group(1), match.group(2)
        source = outcomes.get(name)
        if source is None or not source.ok:
            raise errors.invalid_param(
                f"This operation depends on operation '{name}', which did not succeed"
            )
        try:
            found = [m.value for m in jsonpath_parse(path).find(source.body)]
        except Exception as exc:  # jsonpath_ng raises several types for bad expressions
            raise errors.invalid_param(f"Invalid JSONPath expression: {path}") from exc
        if not found:
            raise errors.invalid_param(
                f"The JSONPath {path} matched nothing in the answer of operation '{name}'"
            )
        return ",".join(v if isinstance(v, str) else json.dumps(v) for v in found)

    return REFERENCE.sub(replace, text)


def _operation_request(
    state: SandboxState, top: GraphRequest, op: Operation, outcomes: dict[str, GraphResult]
) -> GraphRequest:
    if op.problem:
        raise errors.invalid_param(op.problem)
    if op.depends_on is not None:
        source = outcomes.get(op.depends_on)
        if source is None or not source.ok:
            raise errors.invalid_param(
                f"This operation depends on operation '{op.depends_on}', which did not succeed"
            )
    relative_url = _substitute(op.relative_url, outcomes)
    body = _substitute(op.body, outcomes)
    query = urlsplit(relative_url).query
    params = dict(parse_qsl(query, keep_blank_values=True))
    params.update(parse_qsl(body, keep_blank_values=True))
    if "access_token" in params:
        if state.config.require_appsecret_proof and "appsecret_proof" not in params:
            raise errors.appsecret_proof_missing()
    else:
        params["access_token"] = top.params["access_token"]
        if "appsecret_proof" in top.params:
            params["appsecret_proof"] = top.params["appsecret_proof"]
    files = {}
    for name in op.attached_files:
        if name not in top.files:
            raise errors.invalid_param(f"File {name} has not been attached")
        files[name] = top.files[name]
    if len(files) == 1:
        files["source"] = next(iter(files.values()))
    return GraphRequest(
        method=op.method, path=_op_path(relative_url), params=params, files=files, in_batch=True
    )


async def run(
    state: SandboxState,
    top: GraphRequest,
    operations: list[Operation],
    ctx: CallContext,
    *,
    started: float,
    plan: RequestPlan,
) -> GraphResult:
    """Run the batch; pace it so it takes at least latency + n x op_ms."""
    with state.lock:
        try:
            auth.authenticate(state, top, state.now())
        except errors.GraphError as exc:
            return _failed(exc, ctx)
    include_headers = _flag(top.params.get("include_headers"), default=True)
    latency = state.config.latency_ms / 1000
    op_cost = state.config.op_ms / 1000
    items: list[dict[str, Any] | None] = [None] * len(operations)
    outcomes: dict[str, GraphResult] = {}
    for op in operations:
        if plan.batch_cut_at is not None and op.index >= plan.batch_cut_at:
            break
        try:
            with state.lock:
                sub = _operation_request(state, top, op, outcomes)
            result = execute(state, sub, ctx)
        except errors.GraphError as exc:
            result = _failed(exc, ctx)
        if op.name:
            outcomes[op.name] = result
        if not (result.ok and op.omit_response_on_success):
            items[op.index] = _item(result, include_headers=include_headers, method=op.method)
        delay = started + latency + (op.index + 1) * op_cost - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
    return GraphResult(200, items)
