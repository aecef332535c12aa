"""Fixtures of the sandbox tests: one running sandbox per module, reset before each test.

A module chooses its world with ``SANDBOX = {"pages": 30, "seed": 7}`` (these defaults
otherwise).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from serentak.graph.sandbox import start_sandbox
from serentak.graph.sandbox.runner import SandboxHandle
from serentak.graph.sandbox.testing import SandboxClient


@pytest.fixture(scope="module")
def handle(request: pytest.FixtureRequest) -> Iterator[SandboxHandle]:
    options = {"pages": 30, "seed": 7, **getattr(request.module, "SANDBOX", {})}
    with start_sandbox(**options) as running:
        yield running


@pytest.fixture
def sandbox(handle: SandboxHandle) -> Iterator[SandboxClient]:
    with handle.client(timeout=5) as client:
        client.reset()
        yield client


@pytest.fixture
def world(sandbox: SandboxClient) -> dict[str, Any]:
    return sandbox.world()


@pytest.fixture
def page(world: dict[str, Any]) -> dict[str, Any]:
    """A Page without seeded problems, other than the centre's."""
    return next(p for p in world["pages"] if not p["problems"] and p["unit_code"] != "00")
