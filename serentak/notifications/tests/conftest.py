"""Fixtures of the notifications tests: no task ever reaches a broker from here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from unittest import mock

import pytest

from serentak.notifications import tasks

UTC = dt.UTC


@pytest.fixture(autouse=True)
def send_email_delay() -> Iterator[mock.MagicMock]:
    """``send_email.delay``, replaced: tests assert on what was queued, never run it eagerly."""
    with mock.patch.object(tasks.send_email, "delay") as delay:
        yield delay


@pytest.fixture(autouse=True)
def _site_url(settings) -> None:
    settings.SITE_URL = "https://serentak.example.org"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)
