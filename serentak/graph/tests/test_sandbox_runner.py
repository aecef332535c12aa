"""Starting the sandbox: the seeded world, the state file, the latency model, the command."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from serentak.graph.sandbox import start_sandbox
from serentak.graph.sandbox.world import PROBLEMS, kpu_units, world_seed

FIXTURES = Path(__file__).parent / "fixtures" / "graph"
NOW = 1_795_575_000.0


def test_it_seeds_the_same_world_for_the_same_seed():
    first, again = world_seed(pages=40, seed=4, now=NOW), world_seed(pages=40, seed=4, now=NOW)
    other = world_seed(pages=40, seed=5, now=NOW)
    assert first.summary() == again.summary()
    assert [p.id for p in first.pages] != [p.id for p in other.pages]


def test_it_names_the_553_pages_after_the_kpu_units():
    world = world_seed(pages=553, seed=1, now=NOW)
    assert len(world.pages) == 553 == len(kpu_units())
    official = {page.official_name for page in world.pages}
    assert {
        "KPU RI",
        "KIP Aceh",
        "KPU Provinsi Sulawesi Tenggara",
        "KPU Kabupaten Bombana",
    } <= official
    assert "KIP Kabupaten Aceh Selatan" in official
    assert "KPU Kota Kendari" in official
    assert all(page.id.isdigit() and len(page.id) == 15 for page in world.pages)
    assert len({page.id for page in world.pages}) == 553
    bombana = next(page for page in world.pages if page.unit_code == "74.06")
    assert bombana.name == "KPU Kabupaten Bombana"
    assert not bombana.problems
    for problem in PROBLEMS:
        assert sum(problem in page.problems for page in world.pages) >= 5, problem
    assert world.profiles
    assert not {p["id"] for p in world.profiles} & set(world.pages_by_id)


def test_it_writes_the_state_file_once_listening(tmp_path):
    path = tmp_path / "graph" / "state.json"
    with start_sandbox(pages=12, seed=9, state_file=path) as handle:
        data = json.loads(path.read_text())
        expected = json.loads((FIXTURES / "state_file.json").read_text())
        assert list(data)[: len(expected)] == list(expected)
        assert data["url"] == handle.url
        assert data["version"] == "v25.0"
        assert len(data["pages"]) == 12
        assert set(data["pages"][0]) == {"id", "name", "access_token"}
        page = data["pages"][1]
        response = httpx.get(
            f"{data['url']}/v25.0/{page['id']}", params={"access_token": page["access_token"]}
        )
        assert response.json()["name"] == page["name"]
        debug = httpx.get(
            f"{data['url']}/v25.0/debug_token",
            params={
                "input_token": data["system_user_token"],
                "access_token": f"{data['app_id']}|{data['app_secret']}",
            },
        )
        assert debug.json()["data"]["is_valid"] is True


def test_it_makes_a_batch_of_50_cost_at_least_latency_plus_50_operations():
    with start_sandbox(pages=5, latency_ms=40, op_ms=5) as handle, handle.client() as sandbox:
        page = sandbox.world()["pages"][0]
        started = time.perf_counter()
        sandbox.get(page["id"], page["access_token"])
        assert time.perf_counter() - started >= 0.040
        operations = [{"method": "GET", "relative_url": page["id"]}] * 50
        started = time.perf_counter()
        response = sandbox.batch(operations, page["access_token"])
        elapsed = time.perf_counter() - started
        assert response.status_code == 200
        assert len(response.json()) == 50
        assert elapsed >= 0.040 + 50 * 0.005  # a lower bound only: machines are noisy


def test_it_runs_as_the_serentak_sandbox_command(tmp_path):
    path = tmp_path / "state.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "serentak.cli",
            "sandbox",
            "--port",
            "0",
            "--pages",
            "5",
            "--seed",
            "3",
            "--state-file",
            str(path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "serentak.settings"},
    )
    try:
        deadline = time.monotonic() + 30
        while not path.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the sandbox did not start: {process.communicate()}")
            time.sleep(0.05)
        data = json.loads(path.read_text())
        assert len(data["pages"]) == 5
        assert httpx.get(f"{data['url']}/__sandbox/health").json()["ok"] is True
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
    assert b"Graph API sandbox v25.0" in out


def test_the_demo_world_has_a_few_weeks_of_posts():
    with start_sandbox(pages=40, seed=2, history=True) as handle:
        counts = handle.ledger()["counts"]
        assert counts["published"] >= 40
        posts = handle.ledger()["posts"]
        assert {post["via"] for post in posts} == {"history"}
    with start_sandbox(pages=5, seed=2) as handle:
        assert handle.ledger()["counts"]["total"] == 0
