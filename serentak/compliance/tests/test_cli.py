"""`serentak check` (management command `compliance_check`) and `serentak bench rules`."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from serentak.core.management.commands.bench import bench_areas


def run(*args: str, stdin: str = "") -> str:
    out = io.StringIO()
    import sys

    old, sys.stdin = sys.stdin, io.StringIO(stdin)
    try:
        call_command("compliance_check", *args, stdout=out)
    finally:
        sys.stdin = old
    return out.getvalue()


def test_it_prints_json_with_the_verdict_and_findings(tmp_path):
    post = tmp_path / "post.txt"
    post.write_text("Halo!\nJual masker N95 murah", encoding="utf-8")
    payload = json.loads(run(str(post), "--at", "2020-04-01T10:00", "--json"))
    assert payload["verdict"] == "block"
    first = payload["findings"][0]
    assert set(first) == {"rule", "category", "severity", "span", "excerpt", "explanation"}
    assert first["span"] == [6, 17]
    assert json.loads(run(str(post), "--at", "2024-05-01T10:00", "--json")) == {
        "verdict": "ok",
        "findings": [],
    }


def test_text_output_gives_line_and_column():
    out = run("-", "--at", "2025-01-01T10:00+07:00", stdin="Halo\nayo like dan share")
    lines = out.splitlines()
    assert lines[0] == "warn"
    assert lines[1].startswith("2:5 warn umpan-interaksi")


def test_an_at_without_offset_is_read_in_the_units_zone(db):
    # 14:30 in Bombana (WITA) is 13:30 WIB: before 15:00 WIB, quick count still embargoed.
    text = "Hasil hitung cepat: paslon 01 unggul"
    out = run("-", "--at", "2024-02-14T15:30", "--unit", "74.06", "--json", stdin=text)
    assert json.loads(out)["verdict"] == "block"
    out = run("-", "--at", "2024-02-14T15:30", "--json", stdin=text)
    assert json.loads(out)["verdict"] == "ok"


def test_usage_errors_fail():
    with pytest.raises(CommandError, match="ISO 8601"):
        run("-", "--at", "kemarin", stdin="x")
    with pytest.raises(CommandError, match="Cannot read"):
        run("/nonexistent/post.txt")


def test_an_unknown_unit_fails(db):
    with pytest.raises(CommandError, match="No unit"):
        run("-", "--unit", "99.99", stdin="x")


def test_an_invalid_rulebook_fails(tmp_path):
    (tmp_path / "r.yaml").write_text("rules:\n  - id: x\n    severity: fatal\n")
    with pytest.raises(CommandError, match="Invalid rulebook"):
        run("-", "--rules", str(tmp_path), stdin="x")


def test_bench_rules_runs_small_and_prints_its_figures():
    out = io.StringIO()
    call_command("bench", "rules", "--posts", "200", "--rules", "50", stdout=out)
    payload = json.loads(out.getvalue())
    assert {"posts", "rules", "seconds", "naive_seconds", "speedup", "mb_per_s"} <= set(payload)
    assert payload["posts"] == 200


def test_bench_rules_is_found_and_refuses_nonsense():
    assert "serentak.compliance.cli.bench" in [m.__name__ for m in bench_areas()]
    with pytest.raises(CommandError, match="at least 1"):
        call_command("bench", "rules", "--posts", "0", stdout=io.StringIO())
