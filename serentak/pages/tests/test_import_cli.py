"""`serentak pages import FILE [--dry-run] [--skip-invalid] [--json]`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from serentak.core.models import ChangeLogEntry
from serentak.pages.models import Presence

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "files" / "presences"
ID = "100064123456789"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def good(tmp_path) -> Path:
    path = tmp_path / "pages.csv"
    path.write_text(
        "unit_code,url\n"
        "74.06,https://web.facebook.com/KPU.Bombana/?_rdc=1\n"
        f"74.02,https://www.facebook.com/people/KPU-Konawe/{ID}/\n"
        "74.71,https://www.facebook.com/groups/kpukendari/\n"
        "74.72,https://www.facebook.com/pg/kpubaubau/posts/\n"
    )
    return path


def run(*args: object) -> None:
    call_command("pages", "import", *[str(a) for a in args])


def test_it_prints_each_row_as_json_with_exactly_the_documented_keys(good, capsys):
    run(good, "--json")
    payload = json.loads(capsys.readouterr().out)
    assert list(payload) == ["rows"]
    assert payload["rows"] == [
        {
            "line": 2,
            "url": "https://web.facebook.com/KPU.Bombana/?_rdc=1",
            "canonical_url": "https://www.facebook.com/kpu.bombana",
            "kind": "unknown-needs-lookup",
            "unit": "74.06",
            "error": None,
        },
        {
            "line": 3,
            "url": f"https://www.facebook.com/people/KPU-Konawe/{ID}/",
            "canonical_url": f"https://www.facebook.com/profile.php?id={ID}",
            "kind": "unknown-needs-lookup",
            "unit": "74.02",
            "error": None,
        },
        {
            "line": 4,
            "url": "https://www.facebook.com/groups/kpukendari/",
            "canonical_url": "https://www.facebook.com/groups/kpukendari",
            "kind": "group",
            "unit": "74.71",
            "error": None,
        },
        {
            "line": 5,
            "url": "https://www.facebook.com/pg/kpubaubau/posts/",
            "canonical_url": "https://www.facebook.com/kpubaubau",
            "kind": "page",
            "unit": "74.72",
            "error": None,
        },
    ]
    assert Presence.objects.count() == 4


def test_it_prints_line_unit_kind_and_canonical_url_per_row(good, capsys):
    run(good)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "2",
        "74.06",
        "unknown-needs-lookup",
        "https://www.facebook.com/kpu.bombana",
    ]
    assert lines[3].split() == ["5", "74.72", "page", "https://www.facebook.com/kpubaubau"]
    assert lines[-1] == "4 rows: 4 created, 0 updated, 0 linked, 0 unchanged"


def test_a_dry_run_writes_nothing(good, capsys):
    entries = ChangeLogEntry.objects.count()
    run(good, "--dry-run")
    assert "dry run: nothing written" in capsys.readouterr().out
    assert not Presence.objects.exists()
    assert ChangeLogEntry.objects.count() == entries


def test_invalid_rows_fail_the_command_and_write_nothing_but_the_json_says_why(capsys):
    with pytest.raises(CommandError, match="6 invalid row"):
        run(FILES / "bad_rows.csv", "--json")
    rows = json.loads(capsys.readouterr().out)["rows"]
    by_line = {row["line"]: row for row in rows}
    assert by_line[3]["error"] == "the unit code is empty"
    assert by_line[3]["unit"] is None
    assert by_line[5]["kind"] == "not-facebook"
    assert by_line[7]["error"] == "the same account as line 2"
    assert by_line[2]["error"] is None
    assert not Presence.objects.exists()


def test_invalid_rows_are_printed_with_their_error(capsys):
    with pytest.raises(CommandError):
        run(FILES / "bad_rows.csv")
    lines = capsys.readouterr().out.splitlines()
    assert lines[2] == (
        "    4  99.99     unknown-needs-lookup  https://www.facebook.com/kpuentah"
        "  error: unknown unit code 99.99"
    )
    assert lines[6] == "    8  74.72     -                     -  error: the address is empty"
    assert len(lines) == 8  # no summary: nothing was written


def test_skip_invalid_writes_the_valid_rows_and_succeeds(capsys):
    run(FILES / "bad_rows.csv", "--skip-invalid")
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == (
        "8 rows: 2 created, 0 updated, 0 linked, 0 unchanged; 6 invalid row(s) skipped"
    )
    assert Presence.objects.count() == 2


def test_a_file_that_cannot_be_read_fails_with_json_rows_for_its_problems(tmp_path, capsys):
    path = tmp_path / "pages.csv"
    path.write_text("code,address\n74.06,facebook.com/kpubombana\n")
    with pytest.raises(CommandError, match="nothing was written"):
        run(path, "--json")
    captured = capsys.readouterr()
    rows = json.loads(captured.out)["rows"]
    assert {row["error"] for row in rows} >= {
        "missing column unit_code (the first row names the columns unit_code and url)"
    }
    assert set(rows[0]) == {"line", "url", "canonical_url", "kind", "unit", "error"}
    assert "missing column url" in captured.err


def test_an_unknown_institution_is_refused(good):
    with pytest.raises(CommandError, match="No institution 'bawaslu'"):
        run(good, "--institution", "bawaslu")
    run(good, "--institution", "kpu")
    assert Presence.objects.count() == 4
