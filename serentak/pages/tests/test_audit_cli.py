"""`serentak pages audit`: runs the audit and prints every unit's score and findings."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from serentak.graph.sandbox.runner import start_sandbox
from serentak.org.models import Unit
from serentak.pages.models import AuditRun, Presence
from serentak.pages.services.tokens import token_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def state_file(tmp_path, kpu):
    """A sandbox of 12 Pages, each connected to its unit; yields the state file."""
    path = tmp_path / "graph.json"
    with start_sandbox(pages=12, seed=3, op_ms=0, state_file=path) as handle:
        for page in handle.client().world()["pages"]:
            unit = Unit.objects.get(institution=kpu, code=page["unit_code"])
            presence = Presence.objects.create(
                institution=kpu,
                unit=unit,
                kind="page",
                source="connect",
                is_official=True,
                page_id=page["id"],
                name=page["name"],
            )
            token_store(presence=presence, token=page["access_token"])
        yield path


def test_it_prints_json_by_unit_in_the_documented_shape(state_file, capsys):
    call_command("pages", "audit", "--json", "--graph-state", str(state_file))
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {"units"}
    units = report["units"]
    assert len(units) == Unit.objects.filter(is_active=True).count()
    assert units[0]["code"] == "00"
    for unit in units:
        assert set(unit) == {"code", "score", "findings"}
        assert 0 <= unit["score"] <= 100
        for finding in unit["findings"]:
            assert set(finding) == {"check", "severity", "message"}
            assert finding["severity"] in {"blocker", "warning", "info"}
            assert finding["message"]
    bombana = next(u for u in units if u["code"] == "74.06")
    assert bombana == {
        "code": "74.06",
        "score": 0,
        "findings": [
            {
                "check": "no_official_page",
                "severity": "blocker",
                "message": bombana["findings"][0]["message"],
            }
        ],
    }
    centre = units[0]
    assert [f["check"] for f in centre["findings"]] == ["no_recent_post"]
    assert AuditRun.objects.get().trigger == "cli"


def test_it_audits_one_unit_and_prints_text(state_file, capsys):
    call_command("pages", "audit", "--unit", "11", "--graph-state", str(state_file))
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("11  KIP Aceh  score ")
    assert all(not line.startswith("12 ") for line in lines)
    run = AuditRun.objects.select_related("unit").get()
    assert run.unit is not None
    assert run.unit.code == "11"


def test_it_checks_stored_data_without_facebook(kpu, capsys):
    call_command("pages", "audit", "--json", "--no-fetch", "--unit", "74.06")
    units = json.loads(capsys.readouterr().out)["units"]
    assert [(u["code"], u["score"]) for u in units] == [("74.06", 0)]


def test_it_refuses_an_unknown_unit(kpu):
    with pytest.raises(CommandError, match="No unit"):
        call_command("pages", "audit", "--unit", "99.99", "--no-fetch")
