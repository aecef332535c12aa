"""The async Graph API transport: one connection pool, batching, back-off, typed results.

Everything Serentak says to Facebook goes through ``GraphClient`` (``serentak.graph.api``),
built on this transport. It never raises for a Graph or network failure: each call returns a
``GraphResult`` whose ``outcome`` says what the caller may do next (see ``errors``).

Writes are treated with suspicion: when a write was sent and no answer came back, or the
server failed with a 5xx after receiving it, the outcome is ``UNKNOWN`` — the post may exist,
and the caller must reconcile against the Page before trying again.

Tokens are sent in the form body or query and never logged.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Self
from urllib.parse import urlencode

import httpx

from serentak.graph.config import GraphConfig
from serentak.graph.errors import GraphError, GraphResult, Outcome, classify, default_wait
from serentak.graph.throttle import Throttle, parse_buc_usage

logger = logging.getLogger(__name__)

MAX_BATCH = 50
RETRY_AFTER_NETWORK = 2.0  # seconds before retrying a request that never left


@dataclass(frozen=True)
class BatchOp:
    """One operation of a batch request."""

    method: str
    relative_url: str
    body: Mapping[str, Any] | None = None
    name: str | None = None
    page_id: str | None = None  # whose rate-limit bucket it spends
    token: str | None = None  # the operation's own token (a Page token), if not the batch's
    depends_on: str | None = None
    after_unknown: bool = False  # retrying a write whose first outcome was unknown

    @property
    def is_write(self) -> bool:
        return self.method.upper() != "GET"

    def encode(self, config: GraphConfig) -> dict[str, Any]:
        op: dict[str, Any] = {"method": self.method.upper(), "relative_url": self.relative_url}
        body = {k: _form_value(v) for k, v in (self.body or {}).items() if v is not None}
        if self.token:
            body["access_token"] = self.token
            proof = config.proof(self.token)
            if proof:
                body["appsecret_proof"] = proof
        if body:
            if self.is_write:
                op["body"] = urlencode(body)
            else:
                sep = "&" if "?" in self.relative_url else "?"
                op["relative_url"] = f"{self.relative_url}{sep}{urlencode(body)}"
        if self.name:
            op["name"] = self.name
            op["omit_response_on_success"] = False
        if self.depends_on:
            op["depends_on"] = self.depends_on
        return op


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _decode(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


@dataclass
class GraphTransport:
    """Low-level access: ``call`` one request, ``batch`` many operations, ``collect`` pages."""

    config: GraphConfig
    max_concurrency: int = 8
    timeout: float = 30.0
    max_inline_wait: float = 5.0  # longer waits are returned as RETRY_LATER instead of slept
    throttle: Throttle = field(default_factory=Throttle)
    transport: httpx.AsyncBaseTransport | None = None  # tests only
    _client: httpx.AsyncClient | None = field(default=None, init=False, repr=False)
    _slots: asyncio.Semaphore | None = field(default=None, init=False, repr=False)

    async def __aenter__(self) -> Self:
        self._client = httpx.AsyncClient(
            base_url=self.config.base + "/",
            timeout=httpx.Timeout(self.timeout, connect=min(10.0, self.timeout)),
            limits=httpx.Limits(
                max_connections=self.max_concurrency, max_keepalive_connections=self.max_concurrency
            ),
            transport=self.transport,
            headers={"User-Agent": "Serentak"},
        )
        self._slots = asyncio.Semaphore(self.max_concurrency)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()
        self._client = None

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            raise RuntimeError("use GraphClient as `async with GraphClient(...) as graph:`")
        return self._client

    def _auth(self, token: str) -> dict[str, str]:
        params = {"access_token": token}
        proof = self.config.proof(token)
        if proof:
            params["appsecret_proof"] = proof
        return params

    async def _wait_turn(self, page_id: str | None) -> GraphResult | None:
        wait = self.throttle.wait_for(page_id)
        if wait > self.max_inline_wait:
            return GraphResult.retry("rate limited: waiting for Meta's estimate", wait)
        if wait > 0:
            await asyncio.sleep(wait)
        return None

    async def call(
        self,
        method: str,
        path: str,
        *,
        token: str,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        page_id: str | None = None,
        after_unknown: bool = False,
    ) -> GraphResult:
        """One Graph request. ``path`` is relative to the versioned base (``"me/accounts"``)."""
        blocked = await self._wait_turn(page_id)
        if blocked is not None:
            return blocked
        method = method.upper()
        is_write = method != "GET"
        query = {k: _form_value(v) for k, v in (params or {}).items() if v is not None}
        form = {k: _form_value(v) for k, v in (data or {}).items() if v is not None}
        # The token travels in a header, never in a URL (URLs end up in logs and proxies).
        proof = self.config.proof(token)
        if proof:
            query["appsecret_proof"] = proof
        assert self._slots is not None
        async with self._slots:
            try:
                response = await self.client.request(
                    method,
                    path.lstrip("/"),
                    params=query or None,
                    data=form or None,
                    files=files or None,
                    headers={"Authorization": f"Bearer {token}"},
                )
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                return GraphResult.retry(f"not sent: {type(exc).__name__}", RETRY_AFTER_NETWORK)
            except httpx.HTTPError as exc:
                # Sent, then lost: a write may have been applied.
                reason = f"no answer: {type(exc).__name__}"
                if is_write:
                    return GraphResult.unknown(reason)
                return GraphResult.retry(reason, RETRY_AFTER_NETWORK)
        return self._result(
            response.status_code,
            dict(response.headers),
            _decode(response.text),
            is_write=is_write,
            page_id=page_id,
            after_unknown=after_unknown,
        )

    def _result(
        self,
        status: int,
        headers: Mapping[str, str],
        body: Any,
        *,
        is_write: bool,
        page_id: str | None,
        after_unknown: bool = False,
    ) -> GraphResult:
        headers = {k.lower(): v for k, v in headers.items()}
        self.throttle.observe(headers)
        if 200 <= status < 300 and not (isinstance(body, dict) and "error" in body):
            return GraphResult.success(body, status)
        error = GraphError.from_body(body, status)
        outcome = classify(error, after_unknown=after_unknown)
        if outcome is Outcome.RETRY_LATER and is_write and status >= 500:
            # The server failed after receiving the write: it may have acted on it.
            outcome = Outcome.UNKNOWN
        retry_after = None
        if outcome is Outcome.RETRY_LATER:
            retry_after = self._retry_after(error, headers, page_id)
        return GraphResult(
            outcome, data=body, error=error, retry_after=retry_after, http_status=status
        )

    def _retry_after(
        self, error: GraphError, headers: Mapping[str, str], page_id: str | None
    ) -> float:
        estimates = [
            u.regain_seconds
            for u in parse_buc_usage(headers)
            if u.regain_seconds > 0 and (page_id is None or u.object_id == page_id)
        ]
        wait = max(estimates) if estimates else default_wait(error)
        if error.code in {4, 17, 613}:
            self.throttle.block_app(wait)
        elif page_id and error.code in {32, 80001, 368}:
            self.throttle.block_page(page_id, wait)
        return wait

    async def batch(self, ops: Sequence[BatchOp], *, token: str) -> list[GraphResult]:
        """Run operations in batches of 50 (concurrently); results in the order of ``ops``."""
        chunks = [list(ops[i : i + MAX_BATCH]) for i in range(0, len(ops), MAX_BATCH)]
        answers = await asyncio.gather(*(self._batch_chunk(chunk, token=token) for chunk in chunks))
        return [result for chunk in answers for result in chunk]

    async def _batch_chunk(self, ops: list[BatchOp], *, token: str) -> list[GraphResult]:
        results: list[GraphResult | None] = [None] * len(ops)
        send: list[int] = []
        for index, op in enumerate(ops):
            wait = self.throttle.wait_for(op.page_id)
            if wait > self.max_inline_wait:
                results[index] = GraphResult.retry(
                    "rate limited: waiting for Meta's estimate", wait
                )
            else:
                send.append(index)
        if send:
            wait = max(self.throttle.wait_for(ops[i].page_id) for i in send)
            if wait > 0:
                await asyncio.sleep(wait)
            answers = await self._batch_send([ops[i] for i in send], token=token)
            for index, result in zip(send, answers, strict=True):
                results[index] = result
        return [r for r in results if r is not None]

    async def _batch_send(self, ops: list[BatchOp], *, token: str) -> list[GraphResult]:
        form = {
            "batch": json.dumps([op.encode(self.config) for op in ops], separators=(",", ":")),
            "include_headers": "true",
            **self._auth(token),
        }
        has_write = any(op.is_write for op in ops)
        assert self._slots is not None
        async with self._slots:
            try:
                response = await self.client.post("", data=form)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                reason = f"not sent: {type(exc).__name__}"
                return [GraphResult.retry(reason, RETRY_AFTER_NETWORK) for _ in ops]
            except httpx.HTTPError as exc:
                reason = f"no answer: {type(exc).__name__}"
                return [
                    GraphResult.unknown(reason)
                    if op.is_write
                    else GraphResult.retry(reason, RETRY_AFTER_NETWORK)
                    for op in ops
                ]
        body = _decode(response.text)
        if not isinstance(body, list) or len(body) != len(ops):
            # The whole batch failed (bad token, too many operations, a 5xx...).
            whole = self._result(
                response.status_code, dict(response.headers), body, is_write=has_write, page_id=None
            )
            if whole.ok:
                whole = GraphResult.unknown("batch answer of the wrong shape")
            return [self._whole_failure(whole, op) for op in ops]
        self.throttle.observe({k.lower(): v for k, v in response.headers.items()})
        return [self._batch_item(item, op) for item, op in zip(body, ops, strict=True)]

    @staticmethod
    def _whole_failure(result: GraphResult, op: BatchOp) -> GraphResult:
        if result.outcome is Outcome.UNKNOWN and not op.is_write:
            return GraphResult(
                Outcome.RETRY_LATER,
                data=result.data,
                error=result.error,
                retry_after=RETRY_AFTER_NETWORK,
                http_status=result.http_status,
            )
        return result

    def _batch_item(self, item: Any, op: BatchOp) -> GraphResult:
        if item is None:
            # Meta: unfinished when the batch timed out, "retry only those". A write left
            # unfinished may still land, so it is reconciled rather than resent.
            if op.is_write:
                return GraphResult.unknown("batch item unfinished (null)")
            return GraphResult.retry("batch item unfinished (null)", RETRY_AFTER_NETWORK)
        if not isinstance(item, dict):
            return (
                GraphResult.unknown("batch item of the wrong shape")
                if op.is_write
                else GraphResult.retry("batch item of the wrong shape", RETRY_AFTER_NETWORK)
            )
        headers = {
            str(h.get("name", "")).lower(): str(h.get("value", ""))
            for h in item.get("headers") or []
            if isinstance(h, dict)
        }
        raw = item.get("body")
        body = _decode(raw) if isinstance(raw, str) else raw
        return self._result(
            int(item.get("code") or 0),
            headers,
            body,
            is_write=op.is_write,
            page_id=op.page_id,
            after_unknown=op.after_unknown,
        )

    async def collect(
        self,
        path: str,
        *,
        token: str,
        params: Mapping[str, Any] | None = None,
        page_id: str | None = None,
        max_items: int | None = None,
    ) -> GraphResult:
        """Follow cursor paging and return every item (``data`` is the list)."""
        items: list[Any] = []
        query = dict(params or {})
        while True:
            result = await self.call("GET", path, token=token, params=query, page_id=page_id)
            if not result.ok:
                return result
            body = result.data if isinstance(result.data, dict) else {}
            items.extend(body.get("data") or [])
            paging = body.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not paging.get("next") or not after or (max_items and len(items) >= max_items):
                break
            query["after"] = after
        return GraphResult.success(items[:max_items] if max_items else items)
