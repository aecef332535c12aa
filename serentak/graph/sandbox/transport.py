"""Dropping a connection on purpose: the faults "reset", "timeout" and "lost".

ASGI gives an application no way to reset its connection, so the sandbox serves HTTP with
a small subclass of uvicorn's h11 protocol that remembers each connection's transport by
its (server, client) addresses. ``connection_abort`` then closes it with SO_LINGER 0, which
makes the kernel send a TCP RST: the client sees "connection reset by peer".
"""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import MutableMapping
from contextlib import suppress
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

Address = tuple[Any, ...]
_TRANSPORTS: dict[tuple[Address, Address], asyncio.Transport] = {}


def _key(server: Any, client: Any) -> tuple[Address, Address] | None:
    if not server or not client:
        return None
    return (tuple(server), tuple(client))


class SandboxH11Protocol(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            # uvicorn writes headers and body separately: without this, Nagle plus the
            # client's delayed ACK add 40 ms to every keep-alive response.
            with suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        key = _key(self.server, self.client)
        if key is not None:
            _TRANSPORTS[key] = transport

    def connection_lost(self, exc: Exception | None) -> None:
        key = _key(self.server, self.client)
        if key is not None:
            _TRANSPORTS.pop(key, None)
        super().connection_lost(exc)


def connection_abort(scope: MutableMapping[str, Any]) -> bool | None:
    """Reset the request's connection: True if done, False if it is already gone, None if
    the request did not come over a socket served by the sandbox (in-process ASGI)."""
    key = _key(scope.get("server"), scope.get("client"))
    transport = _TRANSPORTS.get(key) if key is not None else None
    if transport is None:
        return None
    if transport.is_closing():
        return False
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
    return True
