"""`pages import`: register the units' known Facebook addresses from a CSV or XLSX file.

The file has a header row naming the columns ``unit_code`` and ``url`` (any case, any order,
extra columns ignored) and one address per row. It is read with the units importer's
reader (``serentak.org.importers``), so it takes the same spreadsheets: ``;``/``,``/tab
delimiters, a BOM, UTF-16, Windows-1252, XLSX, and unit codes Excel turned into numbers
(74.1 → 74.10).

Every row is checked before anything is written: the unit code (known, active, and — when
an actor imports — one the actor may change), the address (``normalize_facebook_url``:
not-facebook and unusable addresses are errors), and duplicates (the same account twice in
the file, usernames compared without dots and case, as Facebook does; or an account
already registered for another unit). If any row is invalid nothing is written, unless
``skip_invalid``: then the valid rows are written and the others reported.

Writing is an upsert, in one transaction, with a change-log entry (source "pages import")
for each presence created or changed:

* the same account already registered for the same unit is updated (or left alone when
  nothing changed, so importing a file twice changes nothing the second time);
* an account already known without a unit — a Page connected through the Graph API, or
  one discovery proposed — is linked to the row's unit and confirmed, not duplicated (and,
  as on the connect screen, a connected Page becomes the official presence of a unit that
  has none);
* anything else becomes a new presence: source "import", confirmed, with the kind the
  address proves (never "profile": only a person confirms a personal profile, see
  ``presence_set_kind``). A kind already settled (by the Graph API or a person) is never
  changed by an import; an unknown one becomes "page" or "group" when the address proves it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from serentak.accounts.models import User
from serentak.core.services import changelog_record
from serentak.org.importers import ImportFailed, _code, _read_table, _text
from serentak.org.models import Institution, Unit
from serentak.org.rows import Problem
from serentak.org.scoping import Action, user_can
from serentak.pages.facebook_urls import (
    GROUP,
    PAGE,
    UNKNOWN,
    NormalizedUrl,
    normalize_facebook_url,
    username_key,
)
from serentak.pages.models import MatchStatus, Presence, PresenceKind, PresenceSource

COLUMNS = ("unit_code", "url")
SOURCE = "pages import"
# The kinds a person may give a presence by hand (settling an unknown-needs-lookup).
SETTABLE_KINDS = (PresenceKind.PAGE, PresenceKind.PROFILE, PresenceKind.GROUP)

__all__ = [
    "SETTABLE_KINDS",
    "ImportFailed",
    "ImportReport",
    "ImportRow",
    "RowsFile",
    "presence_set_kind",
    "presences_import",
]


@dataclass(frozen=True)
class RowsFile:
    """An uploaded file's content; ``filename`` only tells its extension."""

    data: bytes
    filename: str


@dataclass
class ImportRow:
    line: int
    unit_code: str
    url: str
    normalized: NormalizedUrl | None = None
    unit: Unit | None = None
    errors: list[str] = field(default_factory=list)
    action: str = ""  # "create", "update", "link", "unchanged"; "" while invalid
    presence: Presence | None = None
    changes: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def error(self) -> str | None:
        return "; ".join(self.errors) if self.errors else None

    @property
    def canonical_url(self) -> str | None:
        return (self.normalized.canonical_url if self.normalized else "") or None

    @property
    def kind(self) -> str | None:
        return self.normalized.kind if self.normalized else None

    @property
    def kind_label(self) -> str:
        return str(PresenceKind(self.kind).label) if self.kind else ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "url": self.url,
            "canonical_url": self.canonical_url,
            "kind": self.kind,
            "unit": self.unit_code or None,
            "error": self.error,
        }


@dataclass
class ImportReport:
    rows: list[ImportRow]
    dry_run: bool = False
    skip_invalid: bool = False
    written: bool = False  # whether the valid rows were written (never in a dry run)

    @property
    def invalid(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]

    @property
    def valid(self) -> list[ImportRow]:
        return [row for row in self.rows if not row.errors]

    @property
    def is_valid(self) -> bool:
        return not self.invalid

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if not row.errors and row.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "created": self.count("create"),
            "updated": self.count("update"),
            "linked": self.count("link"),
            "unchanged": self.count("unchanged"),
            "invalid": len(self.invalid),
        }

    def as_dict(self) -> dict[str, Any]:
        return {"rows": [row.as_dict() for row in self.rows]}


def presences_import(
    *,
    institution: Institution,
    rows_source: Path | RowsFile,
    actor: User | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
) -> ImportReport:
    """Register the file's addresses for the institution's units; all or nothing.

    Raises ``ImportFailed`` when the file itself cannot be used (unreadable, no
    ``unit_code``/``url`` columns, no rows). Otherwise returns the report of every row:
    with an invalid row nothing is written (``written`` is False) unless ``skip_invalid``.
    A dry run checks and plans everything and writes nothing. With an ``actor``, rows for
    units the actor may not change are invalid.
    """
    rows = _rows(rows_source)
    report = ImportReport(rows=rows, dry_run=dry_run, skip_invalid=skip_invalid)
    with transaction.atomic():
        _check_units(rows, institution=institution, actor=actor)
        _check_addresses(rows)
        _plan(rows, institution=institution, actor=actor, lock=not dry_run)
        if dry_run or (report.invalid and not skip_invalid):
            return report
        for row in rows:
            if not row.errors:
                _apply(row, institution=institution, actor=actor)
        report.written = True
    return report


# --- Reading ----------------------------------------------------------------------------------


def _rows(source: Path | RowsFile) -> list[ImportRow]:
    if isinstance(source, RowsFile):
        data, filename = source.data, source.filename
    else:
        try:
            data, filename = Path(source).read_bytes(), Path(source).name
        except OSError as exc:
            message = _("cannot read the file: %(error)s") % {"error": exc.strerror}
            raise ImportFailed([Problem(0, "", message)]) from exc
    header_line, header, records, problems = _read_table(data, suffix=Path(filename).suffix)
    if problems:
        raise ImportFailed(problems)
    index = _columns(header_line, header)
    if not records:
        raise ImportFailed([Problem(0, "", _("the file has a header but no rows"))])

    rows = []
    for line, cells in records:

        def cell(column: str, cells: Sequence[object] = cells) -> object:
            position = index[column]
            return cells[position] if position < len(cells) else None

        code_problems: list[Problem] = []
        code = _code(cell("unit_code"), line, "unit_code", code_problems)
        row = ImportRow(line=line, unit_code=code, url=_text(cell("url")))
        row.errors.extend(problem.message for problem in code_problems)
        rows.append(row)
    return rows


def _columns(header_line: int, header: Sequence[object]) -> dict[str, int]:
    problems = []
    index: dict[str, int] = {}
    for position, cell in enumerate(header):
        column = re.sub(r"[\s-]+", "_", _text(cell).lower())
        if column in COLUMNS:
            if column in index:
                message = _("the column %(column)s appears twice") % {"column": column}
                problems.append(Problem(header_line, column, message))
            index.setdefault(column, position)
    for column in COLUMNS:
        if column not in index:
            message = _(
                "missing column %(column)s (the first row names the columns unit_code and url)"
            ) % {"column": column}
            problems.append(Problem(header_line, column, message))
    if problems:
        raise ImportFailed(problems)
    return index


# --- Checking ---------------------------------------------------------------------------------


def _check_units(rows: list[ImportRow], *, institution: Institution, actor: User | None) -> None:
    codes = {row.unit_code for row in rows if row.unit_code}
    units = {u.code: u for u in Unit.objects.filter(institution=institution, code__in=codes)}
    for row in rows:
        if row.errors:  # Excel made the code a date: already said
            continue
        if not row.unit_code:
            row.errors.append(_("the unit code is empty"))
            continue
        unit = units.get(row.unit_code)
        if unit is None:
            row.errors.append(_("unknown unit code %(code)s") % {"code": row.unit_code})
        elif not unit.is_active:
            row.errors.append(_("the unit %(code)s is no longer active") % {"code": unit.code})
        elif actor is not None and not user_can(actor, Action.CHANGE, unit):
            row.errors.append(_("you may not change the unit %(code)s") % {"code": unit.code})
        else:
            row.unit = unit


def _check_addresses(rows: list[ImportRow]) -> None:
    first_line: dict[str, int] = {}
    for row in rows:
        row.normalized = normalize_facebook_url(row.url)
        if row.normalized.error:
            row.errors.append(row.normalized.error)
            continue
        key = row.normalized.key
        if key is None:
            continue
        if key in first_line:
            row.errors.append(_("the same account as line %(line)d") % {"line": first_line[key]})
        else:
            first_line[key] = row.line


def _plan(
    rows: list[ImportRow], *, institution: Institution, actor: User | None, lock: bool
) -> None:
    """Match each valid row with what is already registered; decide what to write."""
    presences = Presence.objects.filter(institution=institution).select_related("unit")
    if lock:
        presences = presences.select_for_update(of=("self",))
    index: dict[str, list[Presence]] = {}
    officials: set[int] = set()  # units that have an official presence
    for presence in presences:
        for key in _keys(presence):
            index.setdefault(key, []).append(presence)
        if presence.is_official and presence.unit_id is not None:
            officials.add(presence.unit_id)

    claimed: dict[int, int] = {}  # presence pk -> the line that matched it
    for row in rows:
        if row.errors or row.unit is None or row.normalized is None:
            continue
        row_key = row.normalized.key
        candidates = index.get(row_key, []) if row_key else []
        same_unit = [p for p in candidates if p.unit_id == row.unit.pk]
        matches = same_unit or candidates
        if not matches:
            row.action = "create"
            continue
        presence = matches[0]
        if presence.pk in claimed:
            row.errors.append(
                _("the same account as line %(line)d") % {"line": claimed[presence.pk]}
            )
            continue
        if presence.unit is not None and presence.unit_id != row.unit.pk:
            shown = actor is None or user_can(actor, Action.VIEW, presence.unit)
            row.errors.append(
                _("this account is already registered for the unit %(code)s")
                % {"code": presence.unit.code}
                if shown
                else _("this account is already registered for another unit")
            )
            continue
        claimed[presence.pk] = row.line
        row.presence = presence
        row.changes = _changes(presence, row)
        if presence.unit is None:
            row.action = "link"
            # As when an admin confirms a discovered Page on the connect screen: the first
            # connected Page of a unit without an official presence becomes its official one.
            connected_page = (
                presence.source == PresenceSource.CONNECT and presence.kind == PresenceKind.PAGE
            )
            if connected_page and row.unit.pk not in officials:
                row.changes["is_official"] = [presence.is_official, True]
                officials.add(row.unit.pk)
        else:
            row.action = "update" if row.changes else "unchanged"


def _keys(presence: Presence) -> set[str]:
    keys = set()
    for address in (presence.canonical_url, presence.link, presence.url):
        if address:
            key = normalize_facebook_url(address).key
            if key:
                keys.add(key)
    if presence.page_id:
        keys.add(f"id:{presence.page_id}")
    if presence.username and presence.kind != PresenceKind.GROUP:
        keys.add(f"user:{username_key(presence.username)}")
    return keys


def _changes(presence: Presence, row: ImportRow) -> dict[str, list[Any]]:
    """What the row changes on an existing presence: {field: [old, new]}."""
    assert row.normalized is not None
    assert row.unit is not None
    found = row.normalized
    wanted: dict[str, Any] = {"url": row.url}
    if presence.unit_id != row.unit.pk:
        wanted["unit"] = row.unit
    if presence.match_status != MatchStatus.CONFIRMED:
        wanted["match_status"] = MatchStatus.CONFIRMED
    # An import proves at most what the address shows: it settles an unknown kind only.
    if presence.kind == PresenceKind.UNKNOWN and found.kind in (PAGE, GROUP):
        wanted["kind"] = found.kind
    if not presence.canonical_url or presence.source == PresenceSource.IMPORT:
        wanted["canonical_url"] = found.canonical_url
    if not presence.username and found.username and found.kind != GROUP:
        wanted["username"] = found.username
    if not presence.page_id and found.kind == PAGE and found.numeric_id:
        wanted["page_id"] = found.numeric_id
    return {
        name: [getattr(presence, name), value]
        for name, value in wanted.items()
        if getattr(presence, name) != value
    }


# --- Writing ----------------------------------------------------------------------------------


def _apply(row: ImportRow, *, institution: Institution, actor: User | None) -> None:
    assert row.normalized is not None
    assert row.unit is not None
    found = row.normalized
    if row.action == "create":
        kind = found.kind or UNKNOWN
        row.presence = Presence.objects.create(
            institution=institution,
            unit=row.unit,
            kind=kind,
            source=PresenceSource.IMPORT,
            match_status=MatchStatus.CONFIRMED,
            url=row.url,
            canonical_url=found.canonical_url,
            username=(found.username or "") if kind != GROUP else "",
            page_id=(found.numeric_id or "") if kind == PAGE else "",
        )
        changelog_record(
            obj=row.presence,
            action="create",
            actor=actor,
            source=SOURCE,
            changes={
                "unit": [None, row.unit.code],
                "kind": [None, kind],
                "canonical_url": [None, found.canonical_url],
            },
        )
        return
    if not row.changes or row.presence is None:
        return
    presence = row.presence
    for name, (_old, new) in row.changes.items():
        setattr(presence, name, new)
    presence.save(update_fields=[*row.changes, "updated_at"])
    logged = {name: [_loggable(old), _loggable(new)] for name, (old, new) in row.changes.items()}
    changelog_record(obj=presence, action="update", actor=actor, source=SOURCE, changes=logged)


def _loggable(value: Any) -> Any:
    return value.code if isinstance(value, Unit) else value


# --- Settling a kind by hand ------------------------------------------------------------------


@transaction.atomic
def presence_set_kind(
    *, actor: User, presence: Presence, kind: str, source: str = "web"
) -> Presence:
    """A person says what a presence is: a Page, a personal profile or a group.

    This is how an unknown-needs-lookup is settled without the Graph API, and the only way
    a presence becomes a personal profile. Allowed to those who may change its unit. A Page
    connected through the Graph API is a Page: its kind is not changed by hand.
    """
    if presence.unit is None or not user_can(actor, Action.CHANGE, presence.unit):
        raise PermissionDenied
    if kind not in SETTABLE_KINDS:
        raise ValidationError(_("Choose a Page, a personal profile or a group."))
    if presence.source == PresenceSource.CONNECT and kind != PresenceKind.PAGE:
        raise ValidationError(
            _("The Graph API says this is a Page: its kind cannot be changed by hand.")
        )
    if presence.kind == kind:
        return presence
    old = presence.kind
    presence.kind = kind
    presence.save(update_fields=["kind", "updated_at"])
    changelog_record(
        obj=presence, action="update", actor=actor, source=source, changes={"kind": [old, kind]}
    )
    return presence
