"""The suite runs on the database ``DATABASE_URL`` names, never on a developer's own file.

`make pytest-postgres` would pass on SQLite too if the URL were lost on the way, so this
is what proves the PostgreSQL run happened on PostgreSQL.
"""

from __future__ import annotations

import os

import pytest
from django.db import connection
from django.db.backends.sqlite3.creation import DatabaseCreation

pytestmark = pytest.mark.django_db


def test_it_runs_on_the_engine_that_database_url_names() -> None:
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected


def test_it_runs_on_a_throwaway_test_database() -> None:
    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite":
        assert DatabaseCreation.is_in_memory_db(name), name
    else:
        assert name.startswith("test_"), name
