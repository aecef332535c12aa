"""Start a sandbox on a free loopback port, in a background thread: for the pytest
fixtures, ``serentak run`` and ``serentak sandbox``.

    handle = start_sandbox(pages=20, faults="none", latency_ms=0, seed=1)
    handle.url            # "http://127.0.0.1:54321"  (GRAPH_API_URL)
    handle.graph_url      # "http://127.0.0.1:54321/v25.0"
    handle.state          # the SandboxState (read it under handle.state.lock)
    handle.ledger()       # every post created so far, with counts
    handle.stop()

It is also a context manager. The server is uvicorn in its own event loop and thread.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn

from .app import create_app
from .config import GRAPH_VERSION, Limits, SandboxConfig
from .state import SandboxState
from .testing import SandboxClient
from .transport import SandboxH11Protocol

START_TIMEOUT_S = 10.0


@dataclass
class SandboxHandle:
    url: str
    state: SandboxState
    state_file: Path | None
    _server: uvicorn.Server
    _thread: threading.Thread

    @property
    def version(self) -> str:
        return GRAPH_VERSION

    @property
    def graph_url(self) -> str:
        return f"{self.url}/{GRAPH_VERSION}"

    @property
    def app_id(self) -> str:
        return self.state.world.app_id

    @property
    def app_secret(self) -> str:
        return self.state.world.app_secret

    @property
    def system_user_token(self) -> str:
        return self.state.world.system_user_token

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def page_token(self, page_id: str) -> str:
        """The Page token obtained through the system user."""
        world = self.state.world
        return world.page_tokens[(world.system_user.id, page_id)]

    def client(self, *, timeout: float = 10.0) -> SandboxClient:
        """A remote control over HTTP (Graph calls and /__sandbox/ endpoints)."""
        return SandboxClient(self.url, timeout=timeout)

    def ledger(self, page_id: str | None = None) -> dict[str, Any]:
        return self.state.ledger(page_id=page_id)

    def state_data(self) -> dict[str, Any]:
        """What ``--state-file`` holds."""
        return self.state.state_file_data(self.url)

    def stop(self, timeout: float = 5.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(timeout)

    def __enter__(self) -> SandboxHandle:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def write_state_file(path: Path, data: dict[str, Any]) -> None:
    """Atomically, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(partial, path)


def start_sandbox(
    *,
    pages: int = 553,
    faults: str = "none",
    latency_ms: float = 0.0,
    op_ms: float = 5.0,
    seed: int = 1,
    require_appsecret_proof: bool = False,
    host: str = "127.0.0.1",
    port: int = 0,
    state_file: str | Path | None = None,
    limits: Limits | dict[str, Any] | None = None,
    log_level: str = "warning",
    history: bool = False,
) -> SandboxHandle:
    """Serve a fresh sandbox on ``host:port`` (0: a free port) and return once it listens.

    ``limits`` overrides fields of the profile's ``Limits`` (chaos has small ones).
    ``state_file`` is written, atomically, once the server is listening.
    """
    config = SandboxConfig.build(
        pages=pages,
        seed=seed,
        faults=faults,
        latency_ms=latency_ms,
        op_ms=op_ms,
        require_appsecret_proof=require_appsecret_proof,
        limits=limits,
        history=history,
    )
    state = SandboxState(config)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    bound_port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(state),
            http=SandboxH11Protocol,
            ws="none",
            lifespan="off",
            log_level=log_level,
            access_log=False,
            timeout_keep_alive=30,
        )
    )
    thread = threading.Thread(
        target=server.run,
        kwargs={"sockets": [sock]},
        name=f"graph-sandbox-{bound_port}",
        daemon=True,
    )
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError(f"the Graph sandbox did not start on {host}:{bound_port}")
        time.sleep(0.01)
    shown_host = f"[{host}]" if family == socket.AF_INET6 else host
    handle = SandboxHandle(
        url=f"http://{shown_host}:{bound_port}",
        state=state,
        state_file=Path(state_file) if state_file else None,
        _server=server,
        _thread=thread,
    )
    if handle.state_file is not None:
        write_state_file(handle.state_file, handle.state_data())
    return handle
