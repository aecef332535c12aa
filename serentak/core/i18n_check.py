"""Keeps the translation catalogues complete and compiled, with no GNU gettext needed.

`python -m serentak.core.i18n_check` fails when a catalogue (Indonesian or English) has an
untranslated or fuzzy entry, or when a committed .mo is older than its .po; `--compile`
writes the .mo files with polib (so a machine without msgfmt can do it), and
`--fill-english` copies each English msgid into its empty msgstr.
"""

from __future__ import annotations

import sys
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ("id", "en")


def _catalogue(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.po"


def problems() -> list[str]:
    import polib

    found = []
    for language in LANGUAGES:
        po_path = _catalogue(language)
        if not po_path.exists():
            found.append(f"{po_path}: missing")
            continue
        catalogue = polib.pofile(str(po_path))
        for entry in catalogue:
            if entry.obsolete:
                continue
            if "fuzzy" in entry.flags:
                found.append(f"{po_path}:{entry.linenum}: fuzzy: {entry.msgid!r}")
            elif entry.msgid_plural:
                if not all(entry.msgstr_plural.values()):
                    found.append(f"{po_path}:{entry.linenum}: untranslated plural: {entry.msgid!r}")
            elif not entry.msgstr:
                found.append(f"{po_path}:{entry.linenum}: untranslated: {entry.msgid!r}")
            elif language == "en" and entry.msgstr != entry.msgid:
                found.append(f"{po_path}:{entry.linenum}: English text differs from its id")
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists():
            found.append(f"{mo_path}: not compiled (run `make messages`)")
        elif _entries(polib.mofile(str(mo_path))) != _entries(catalogue):
            found.append(f"{mo_path}: out of date with its .po (run `make messages`)")
    return found


def _entries(catalogue: object) -> dict[tuple[str | None, str], object]:
    return {
        (entry.msgctxt, entry.msgid): (entry.msgstr, sorted(entry.msgstr_plural.items()))
        for entry in catalogue.translated_entries()  # type: ignore[attr-defined]
        if entry.msgid
    }


def fill_english() -> None:
    """Message ids are English, so the English catalogue maps each one to itself.

    Every entry is rewritten (not only empty ones): msgmerge's fuzzy guesses would
    otherwise leave another message's text in place.
    """
    import polib

    catalogue = polib.pofile(str(_catalogue("en")))
    catalogue.metadata_is_fuzzy = False
    for entry in catalogue:
        if entry.msgid_plural:
            entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
        else:
            entry.msgstr = entry.msgid
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = None
        entry.previous_msgid_plural = None
        entry.previous_msgctxt = None
    catalogue.save()


def compile_all() -> None:
    import polib

    for language in LANGUAGES:
        po_path = _catalogue(language)
        polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))


def main(argv: list[str]) -> int:
    if "--fill-english" in argv:
        fill_english()
    if "--compile" in argv:
        compile_all()
    if "--fill-english" in argv or "--compile" in argv:
        return 0
    found = problems()
    for line in found:
        sys.stderr.write(line + "\n")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
