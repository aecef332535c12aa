"""Fixtures of the browser tests: a live server with the KPU data, and headless Chromium.

The live server answers from another thread, so it only sees committed rows: these tests
are transactional, and pytest-django empties the database after each of them. That would
take with it the units and demo people that the root conftest loads once per test database,
so a browser test loads them itself before it runs and puts them back after the flush
(``pytest_runtest_teardown`` below): the tests that run after it on the same xdist worker
find the database as every other test does.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright
from pytest_django import DjangoDbBlocker
from pytest_django.live_server_helper import LiveServer

from conftest import skip_or_fail

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; Playwright cannot fetch its own here
# The network is closed: without these Chromium keeps trying to reach Google's services.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000

# Set on the items that emptied the database, so the teardown hook refills it.
_refill = pytest.StashKey[DjangoDbBlocker]()


def _load_units_and_demo_people() -> None:
    """What the root conftest's ``django_db_setup`` loads; idempotent."""
    from serentak.core.demo import demo_people_seed
    from serentak.org.services import units_load_preset

    institution, _ = units_load_preset(preset="kpu")
    demo_people_seed(institution=institution)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, None, None]:
    yield  # the function fixtures' teardown, pytest-django's flush among them
    blocker = item.stash.get(_refill, None)
    if blocker is not None and nextitem is not None:  # no next item: the database is gone
        with blocker.unblock():
            _load_units_and_demo_people()


@pytest.fixture
def site(
    request: pytest.FixtureRequest,
    live_server: LiveServer,
    transactional_db: None,
    django_db_blocker: DjangoDbBlocker,
) -> str:
    """The live server's base URL, its database holding the KPU units and the demo people."""
    request.node.stash[_refill] = django_db_blocker
    # Another transactional test may have emptied the database before this one.
    _load_units_and_demo_people()
    return live_server.url


@pytest.fixture
def page(site: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Page]:
    """A fresh page in headless Chromium, as an Indonesian browser (Accept-Language: id).

    It needs ``site`` so the data is loaded before Playwright starts its event loop and
    the database is flushed only after Playwright has stopped.
    """
    if not CHROMIUM.exists():
        skip_or_fail("chromium not installed (apt-get install chromium)")
    # The sync API keeps an asyncio loop running on this thread, and Django refuses ORM
    # calls from a thread with a running loop; nothing here is actually concurrent.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(locale="id-ID", timezone_id="Asia/Makassar")
        context.set_default_timeout(TIMEOUT_MS)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()
