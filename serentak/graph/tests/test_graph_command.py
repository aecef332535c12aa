from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from serentak.graph.sandbox.runner import start_sandbox


def test_graph_status_reads_a_sandbox_state_file(tmp_path, capsys):
    state = tmp_path / "state.json"
    with start_sandbox(pages=12, seed=5, state_file=state):
        call_command("graph", "status", "--graph-state", str(state), "--json")
    summary = json.loads(capsys.readouterr().out)
    assert summary["token"]["is_valid"] is True
    assert summary["pages"] == 12
    assert summary["appsecret_proof"] is True


def test_graph_status_fails_clearly_on_a_bad_state_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    with pytest.raises(CommandError, match="state file"):
        call_command("graph", "status", "--graph-state", str(bad))
