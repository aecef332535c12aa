"""The catalogues hold every UI string of the code, translated (Indonesian is the default)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polib

from conftest import skip_or_fail
from serentak.core import i18n_check

ROOT = Path(__file__).resolve().parents[1]


def _ids(path: Path) -> set[tuple[str | None, str]]:
    return {(e.msgctxt, e.msgid) for e in polib.pofile(str(path)) if not e.obsolete and e.msgid}


def test_every_string_in_the_code_is_in_the_catalogues(tmp_path):
    if not shutil.which("xgettext"):
        skip_or_fail("GNU gettext (xgettext) is not installed")
    copy = tmp_path / "serentak"
    shutil.copytree(
        ROOT / "serentak",
        copy,
        ignore=shutil.ignore_patterns("__pycache__", "tests", "migrations", "static", "data"),
    )
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "makemessages",
            "-l",
            "id",
            "--no-obsolete",
            "--no-location",
            "-i",
            "tests/*",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    extracted = _ids(copy / "locale/id/LC_MESSAGES/django.po")
    for language in ("id", "en"):
        committed = _ids(ROOT / f"serentak/locale/{language}/LC_MESSAGES/django.po")
        missing = sorted(msgid for _ctx, msgid in extracted - committed)
        assert not missing, f"{language}: run `make messages` and translate: {missing[:20]}"


def test_every_entry_is_translated_and_compiled():
    assert i18n_check.problems() == []
