"""Fixtures shared by every test: the KPU tree and the five personas of the demo.

Personas: ``pusat`` (central admin, KPU RI), ``sultra`` (unit admin, KPU Provinsi Sulawesi
Tenggara), ``bombana`` and ``konawe`` (editors of two regencies of that province) and
``tamu`` (signed in, no unit).
"""

from __future__ import annotations

import os

import pytest
from django.test import Client

from serentak.accounts.models import User
from serentak.org.models import Institution, Unit

# In CI every test must run: a skip there is a failure (see .ci/run and `no_skip`).
NO_SKIP = os.environ.get("SERENTAK_NO_SKIP") == "1"


def skip_or_fail(reason: str) -> None:
    """Skip locally when a tool is missing; fail in CI, where everything must be installed."""
    if NO_SKIP:
        pytest.fail(f"required in CI but unavailable: {reason}")
    pytest.skip(reason)


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # Hashing passwords at full strength would dominate the suite's run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the 553 KPU units and the demo people once per test database."""
    from serentak.core.demo import demo_people_seed
    from serentak.org.services import units_load_preset

    with django_db_blocker.unblock():
        institution, _ = units_load_preset(preset="kpu")
        demo_people_seed(institution=institution)


@pytest.fixture
def kpu(db: None) -> Institution:
    return Institution.objects.get(slug="kpu")


def _unit(code: str) -> Unit:
    return Unit.objects.get(institution__slug="kpu", code=code)


@pytest.fixture
def unit(db: None):
    """``unit("74.06")``: a KPU unit by code."""
    return _unit


@pytest.fixture
def persona(db: None):
    """``persona("bombana")``: a demo user, fresh from the database."""

    def get(username: str) -> User:
        return User.objects.get(username=username)

    return get


@pytest.fixture
def client_as(db: None):
    """``client_as("bombana")``: a test client signed in as that persona (None: anonymous)."""

    def make(username: str | None) -> Client:
        client = Client()
        if username:
            client.force_login(User.objects.get(username=username))
        return client

    return make
