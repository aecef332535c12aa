"""The `serentak` console command, run as a user runs it: a real process on its own database."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

SERENTAK = shutil.which("serentak") or str(
    Path(__file__).resolve().parents[1] / ".venv/bin/serentak"
)


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    """Run `serentak ...` against a fresh SQLite file (migrated once for the module)."""
    folder = tmp_path_factory.mktemp("cli")
    environment = {
        **{
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
        },
        "DATABASE_URL": f"sqlite:///{folder / 'cli.sqlite3'}",
        "SERENTAK_VAR_DIR": str(folder / "var"),
    }

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [SERENTAK, *args], env=environment, capture_output=True, text=True, check=False
        )
        if check:
            assert result.returncode == 0, result.stderr
        return result

    run("migrate", "--verbosity", "0")
    return run


def test_it_loads_the_kpu_tree_once_and_reports_json(cli):
    first = json.loads(cli("units", "load", "--preset", "kpu", "--json").stdout)
    assert first["created"] == 553
    second = json.loads(cli("units", "load", "--preset", "kpu", "--json").stdout)
    assert second["created"] == 0
    assert second["unchanged"] == 553


def test_units_list_json_has_the_documented_shape(cli):
    cli("units", "load", "--preset", "kpu")
    payload = json.loads(cli("units", "list", "--json").stdout)
    assert payload["counts"] == {"centre": 1, "province": 38, "regency": 416, "city": 98}
    assert set(payload["units"][0]) == {"code", "name", "kind", "parent", "timezone"}


def test_djangos_own_commands_stay_reachable(cli):
    assert "System check identified no issues" in cli("django", "check").stdout
    assert "showmigrations" in cli("help").stdout + cli("django", "help").stdout


def test_the_help_names_the_product_commands(cli):
    out = cli("--help").stdout
    for word in ("run", "units", "demo"):
        assert word in out


def test_demo_seed_prints_the_accounts(cli):
    cli("units", "load", "--preset", "kpu")
    out = cli("demo", "seed").stdout
    for username in ("pusat", "sultra", "bombana", "konawe", "tamu"):
        assert username in out
    assert "serentak-demo" in out


def test_an_unknown_preset_is_a_clear_error(cli):
    result = cli("units", "load", "--preset", "bawaslu", check=False)
    assert result.returncode != 0
    assert "bawaslu" in result.stderr
