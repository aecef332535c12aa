"""`serentak content send --package-file FILE.json`: create and send, or say exactly why not."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from serentak.content.models import Adaptation, AdaptationStatus, Package

pytestmark = pytest.mark.django_db

GOOD: dict[str, Any] = {
    "title": "Ajakan cek DPT",
    "body": '{{ satker }} mengajak warga mengecek DPT sebelum {{ tanggal("batas") }}.',
    "targets": "all",
    "mode": "adapt",
    "priority": "high",
    "deadline": "2099-12-01T17:00:00+07:00",
    "moments": {"batas": "2099-12-10T00:00:00+07:00"},
}


def run(tmp_path: Path, content: Any, *args: str) -> tuple[str, str]:
    file = tmp_path / "package.json"
    file.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    out, err = StringIO(), StringIO()
    call_command("content", "send", "--package-file", str(file), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def fails(tmp_path: Path, content: Any, *args: str) -> str:
    file = tmp_path / "package.json"
    file.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("content", "send", "--package-file", str(file), *args, stdout=out, stderr=err)
    assert not Package.objects.exists()
    return err.getvalue()


def test_it_sends_a_package_to_every_unit_and_prints_json(tmp_path):
    out, _err = run(tmp_path, GOOD, "--json")
    result = json.loads(out)
    package = Package.objects.get()
    assert result == {"package": package.pk, "adaptations": 552}
    assert package.author is None
    assert package.author_unit.code == "00"
    assert package.priority == "high"
    bombana = Adaptation.objects.get(package=package, unit__code="74.06")
    assert bombana.status == AdaptationStatus.DRAFT
    assert bombana.rendered.startswith("KPU Kabupaten Bombana mengajak warga")


def test_a_province_admin_sends_to_its_regencies_as_themselves(tmp_path):
    spec = {**GOOD, "author_unit": "74", "targets": {"units": ["74.06", "74.02"]}}
    out, _err = run(tmp_path, spec, "--as", "sultra", "--institution", "kpu")
    assert "sent to 2 units" in out
    author = Package.objects.get().author
    assert author is not None
    assert author.username == "sultra"


def test_bad_json_is_reported_with_its_line_and_column(tmp_path):
    err = fails(tmp_path, '{\n  "title": "x",\n  "body": "y"\n  "targets": "all"\n}')
    assert "not valid JSON: line 4, column 3" in err


def test_bad_json_is_reported_in_json_too(tmp_path):
    file = tmp_path / "package.json"
    file.write_text("[1, 2", "utf-8")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "content", "send", "--package-file", str(file), "--json", stdout=out, stderr=StringIO()
        )
    assert "line 1" in json.loads(out.getvalue())["errors"][0]


def test_missing_and_unknown_fields_are_named(tmp_path):
    spec = {key: value for key, value in GOOD.items() if key != "body"}
    spec["deadlien"] = "2099-01-01T00:00:00+07:00"
    err = fails(tmp_path, spec)
    assert "missing field “body”" in err
    assert "unknown field “deadlien”" in err


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"mode": "shout"}, "mode"),
        ({"priority": 1}, "“priority” must be text"),
        ({"deadline": "2099-12-01T17:00:00"}, "has no offset"),
        ({"deadline": "besok"}, "not an ISO-8601"),
        ({"targets": {"units": ["99.99"]}}, "99.99"),
        ({"targets": {"everyone": True}}, "Targets must be"),
        ({"author_unit": "77"}, "no active unit '77'"),
    ],
)
def test_bad_values_are_explained(tmp_path, changes, message):
    assert message in fails(tmp_path, {**GOOD, **changes})


def test_a_template_error_is_reported_with_its_position(tmp_path):
    err = fails(tmp_path, {**GOOD, "body": "Halo\n{{ satker | replace('KPU', 'X') }}"})
    assert "line 2, column 13" in err


def test_the_persons_rights_apply_with_as(tmp_path):
    err = fails(tmp_path, {**GOOD, "author_unit": "74"}, "--as", "konawe")
    assert "cannot send content" in err
    assert "no active person 'nobody'" in fails(tmp_path, GOOD, "--as", "nobody")


def test_a_missing_file_is_an_error(tmp_path):
    with pytest.raises(CommandError):
        call_command(
            "content",
            "send",
            "--package-file",
            str(tmp_path / "absent.json"),
            stdout=StringIO(),
            stderr=StringIO(),
        )
