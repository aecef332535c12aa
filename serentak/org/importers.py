"""`units import`: build or update an institution's unit tree from a CSV or XLSX file.

The file has a header row naming the columns ``code, parent_code, name, kind, timezone`` (any
order, any case, extra columns ignored) and one unit per row; exactly one row, the root, has
an empty ``parent_code``. ``units_import_file`` reads the whole file into ``UnitRow``s, checks
them with ``validate_rows`` and, only when there is no problem at all, creates the institution
if needed and lets ``units_sync`` converge the tree to the file — all in one transaction, so a
failure (or a dry run) leaves the database exactly as it was. Problems carry the file's line
(the spreadsheet's row number; the header is line 1) and the column name, and they are all
reported at once so a person can fix the file in one go.

Why this is hand-written rather than handed to pandas, tablib or django-import-export: the
hard part is not parsing but the spreadsheets people really send, and each quirk needs a
decision a generic library would make silently or hide behind its own error messages:

* Delimiter. Excel in an Indonesian locale writes ``;``, elsewhere ``,``; "Unicode text"
  exports use tabs. ``csv.Sniffer`` restricted to those three decides; when it cannot (one
  column, one line) or picks a character absent from the header, we count them in the header
  line. An Excel ``sep=;`` first line is honoured.
* Encoding. Strict UTF-8 (a BOM is stripped) is the rule, UTF-16/32 with a BOM (Excel
  "Unicode text") is decoded. Bytes that are not UTF-8 are decoded as Windows-1252 only when
  charset-normalizer's best guess reads them exactly as Windows-1252 does — a Western
  "CSV (comma delimited)" export with an é or a curly apostrophe. (On a small file it often
  names cp1250 for such bytes: the same letters, so the same text, which is what we check.)
  Windows-1252 is used rather than Latin-1 because it is the same for printable Latin-1 and
  Latin-1's own 0x80 to 0x9F are control characters, never sensible text. Anything else is
  refused with "save it as CSV UTF-8" and the line of the first bad byte: guessing a Cyrillic
  or Japanese code page would quietly store mojibake as unit names.
* Codes Excel turned into numbers. An XLSX number cell becomes text (``11`` or ``11.0`` →
  "11"); Excel shows the Kemendagri code "74.10" as the number 74.1, so a code of digits, a
  dot and one digit gets its second segment padded back ("74.1" → "74.10"), except ".0",
  which only a number format or a float column produces for a whole number ("74.0" → "74").
  Text keeps its leading zeros. A code Excel turned into a date or a time is reported, since
  the original cannot be recovered. A code that lost a leading zero ("00" → "0") cannot be
  told apart from a real one: importing it into an existing institution fails because the
  root differs, and a new institution simply gets the code as written.
* Format by content. A zip is a workbook and anything else text, whatever the name says, so
  a CSV saved as ``.xlsx`` (or the reverse) gets a "rename it" message rather than a parser
  stack trace; an old ``.xls`` (or a password-protected workbook: both are OLE2 files), a
  damaged workbook, a binary file or an empty one are reported, never a crash.

Cells are stripped of whitespace, non-breaking and zero-width spaces; ``kind`` takes the
English kinds or the Indonesian words (pusat, provinsi, kabupaten, kota); ``timezone`` takes
an IANA name in any case or WIB/WITA/WIT. The name is also the unit's official region name.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
import zipfile
import zoneinfo
from collections.abc import Sequence
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from serentak.accounts.models import User
from serentak.org.models import Institution, Unit
from serentak.org.rows import Problem, RowsInvalid, UnitRow, validate_rows
from serentak.org.services import SyncReport, institution_upsert, units_sync

COLUMNS = ("code", "parent_code", "name", "kind", "timezone")

KIND_WORDS = {
    "centre": "centre",
    "center": "centre",
    "pusat": "centre",
    "province": "province",
    "provinsi": "province",
    "regency": "regency",
    "kabupaten": "regency",
    "city": "city",
    "kota": "city",
}

ZONE_ALIASES = {"wib": "Asia/Jakarta", "wita": "Asia/Makassar", "wit": "Asia/Jayapura"}

TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a zip, or an empty one
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected .xlsx
DELIMITERS = ";,\t"

# Whitespace str.strip() removes (non-breaking spaces included), plus zero-width characters.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_EXCEL_DECIMAL_CODE = re.compile(r"\d+\.\d")

Cell = object  # str from a CSV; str, int, float, bool, date/time or None from a workbook


class ImportFailed(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def units_import_file(
    *,
    path: Path,
    slug: str,
    name: str = "",
    short_name: str = "",
    dry_run: bool = False,
    actor: User | None = None,
) -> tuple[Institution, SyncReport]:
    """Make the units of institution ``slug`` equal to the file's; all or nothing.

    A new institution is created (named ``name``/``short_name``, by default the slug in
    capitals, in the root unit's time zone) in the same transaction as its units; an existing
    one keeps its name. With ``dry_run`` everything runs and is rolled back: the report says
    what would change (and a new institution comes back unsaved). Raises ``ImportFailed``
    with every problem found, having written nothing.
    """
    slug = _clean(slug)
    name = _clean(name) or slug.upper()
    short_name = _clean(short_name) or slug.upper()
    problems = _institution_problems(slug=slug, name=name, short_name=short_name)
    try:
        rows = read_units_file(path)
    except ImportFailed as exc:
        raise ImportFailed(problems + exc.problems) from exc
    if problems:
        raise ImportFailed(problems)

    root = next(row for row in rows if row.parent_code is None)
    try:
        with transaction.atomic():
            institution = Institution.objects.filter(slug=slug).first()
            created = institution is None
            if institution is None:
                institution = institution_upsert(
                    slug=slug, name=name, short_name=short_name, default_timezone=root.timezone
                )
            report = units_sync(
                institution=institution, rows=rows, actor=actor, source="units import"
            )
            if dry_run:
                transaction.set_rollback(True)
    except RowsInvalid as exc:  # e.g. the root differs from the institution's root unit
        raise ImportFailed(_sorted(exc.problems)) from exc
    if dry_run and created:
        institution.pk = None
        institution._state.adding = True
    return institution, report


def read_units_file(path: Path) -> list[UnitRow]:
    """The rows of a CSV or XLSX file, valid as a tree; ``ImportFailed`` otherwise."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ImportFailed(
            [Problem(0, "", _("cannot read the file: %(error)s") % {"error": exc.strerror})]
        ) from exc
    return read_units(data, filename=Path(path).name)


def read_units(data: bytes, *, filename: str) -> list[UnitRow]:
    """The rows of a CSV or XLSX file's content (``filename`` only for its extension)."""
    header_line, header, records, problems = _read_table(data, suffix=Path(filename).suffix)
    if problems:
        raise ImportFailed(problems)
    rows, problems = _unit_rows(header_line, header, records)
    if not rows:
        raise ImportFailed(problems)
    # Cell problems come first; the tree checks add the rest, without saying twice that a
    # cell is wrong (an unknown kind, a code Excel made a date...).
    seen = {(p.line, p.field) for p in problems}
    problems += [p for p in validate_rows(rows) if (p.line, p.field) not in seen]
    if problems:
        raise ImportFailed(_sorted(problems))
    return rows


# --- From bytes to a table ------------------------------------------------------------------

Record = tuple[int, Sequence[Cell]]  # (line or row number, cells)


def _read_table(
    data: bytes, *, suffix: str
) -> tuple[int, Sequence[Cell], list[Record], list[Problem]]:
    """(header line, header cells, data records, problems): blank rows left out."""
    suffix = suffix.lower()
    if not data.strip(b" \t\r\n\x00"):
        return 0, [], [], [Problem(0, "", _("the file is empty"))]
    if data.startswith(ZIP_MAGIC):
        if suffix in TEXT_SUFFIXES:
            return 0, [], [], [_problem_renamed(suffix, ".xlsx")]
        return _table_or_problems(_workbook_records(data))
    if data.startswith(OLE2_MAGIC):
        message = _(
            "this is an old Excel (.xls) or a password-protected workbook: save it as "
            "Excel Workbook (.xlsx) or CSV UTF-8"
        )
        return 0, [], [], [Problem(0, "", message)]
    if suffix in WORKBOOK_SUFFIXES:
        return 0, [], [], [_problem_renamed(suffix, ".csv")]
    text, problems = _decode(data)
    if text is None:
        return 0, [], [], problems
    return _table_or_problems(_csv_records(text))


def _problem_renamed(suffix: str, wanted: str) -> Problem:
    what = _("an Excel workbook") if wanted == ".xlsx" else _("a text (CSV) file")
    return Problem(
        0,
        "",
        _("the file is named %(suffix)s but is %(what)s: rename it to %(wanted)s")
        % {"suffix": suffix, "what": what, "wanted": wanted},
    )


def _table_or_problems(
    result: list[Record] | Problem,
) -> tuple[int, Sequence[Cell], list[Record], list[Problem]]:
    if isinstance(result, Problem):
        return 0, [], [], [result]
    records = [(line, cells) for line, cells in result if any(_text(c) for c in cells)]
    if not records:
        return 0, [], [], [Problem(0, "", _("the file is empty"))]
    (header_line, header), *rest = records
    return header_line, header, rest, []


def _decode(data: bytes) -> tuple[str | None, list[Problem]]:
    for bom, encoding in (
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding), []
            except UnicodeDecodeError:
                return None, [Problem(0, "", _("the file is damaged (bad UTF-16 text)"))]
    if _looks_binary(data):
        message = _("this is not a text (CSV) file or an Excel workbook (.xlsx)")
        return None, [Problem(0, "", message)]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        # A UTF-8 BOM says the file means to be UTF-8: then a bad byte is damage, not cp1252.
        text = None if data.startswith(b"\xef\xbb\xbf") else _western_text(data)
        if text is not None:
            return text, []
        line = _line_at(data, exc.start)
        return None, [Problem(line, "", _("the file is not UTF-8 (save it as 'CSV UTF-8')"))]


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    controls = sum(1 for byte in sample if byte < 32 and byte not in b"\t\n\r\f\x1a")
    return b"\x00" in sample or controls > len(sample) // 50


def _western_text(data: bytes) -> str | None:
    """``data`` as Windows-1252 when charset-normalizer reads it the same way; else None."""
    from charset_normalizer import from_bytes

    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D: not Windows-1252
        return None
    best = from_bytes(data).best()
    if best is None or str(best) != text:
        return None
    return text


def _line_at(data: bytes, offset: int) -> int:
    before = data[:offset]
    return before.count(b"\n") + 1 if b"\n" in data else before.count(b"\r") + 1


def _csv_records(text: str) -> list[Record] | Problem:
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    skip_first = False
    sep = re.fullmatch(r"\s*sep=(.)\s*", first)
    if sep and sep.group(1) in DELIMITERS:  # Excel's own hint
        delimiter, skip_first = sep.group(1), True
    else:
        delimiter = _delimiter(lines, first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[Record] = []
    line = 1
    try:
        for cells in reader:
            if skip_first and any(cells):
                skip_first = False
            else:
                records.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as exc:
        return Problem(
            reader.line_num, "", _("not a readable CSV line: %(error)s") % {"error": exc}
        )
    return records


def _delimiter(lines: list[str], header: str) -> str:
    sample = "\n".join(line for line in lines[:50] if line.strip())
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = ""
    if delimiter and delimiter in header:
        return delimiter
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _workbook_records(data: bytes) -> list[Record] | Problem:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        message = _("the workbook cannot be read: it is damaged or not an .xlsx file")
        return Problem(0, "", message)
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None or not hasattr(sheet, "iter_rows"):
            return Problem(0, "", _("the workbook's first sheet is not a worksheet"))
        sheet.reset_dimensions()  # the stored dimensions may be wrong; read every row
        return [
            (number, cells)
            for number, cells in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)
        ]
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        message = _("the workbook cannot be read: it is damaged or not an .xlsx file")
        return Problem(0, "", message)
    finally:
        book.close()


# --- From a table to unit rows ---------------------------------------------------------------


def _unit_rows(
    header_line: int, header: Sequence[Cell], records: list[Record]
) -> tuple[list[UnitRow], list[Problem]]:
    problems: list[Problem] = []
    index: dict[str, int] = {}
    for position, cell in enumerate(header):
        column = re.sub(r"[\s-]+", "_", _text(cell).lower())
        if column in COLUMNS:
            if column in index:
                problems.append(
                    Problem(
                        header_line,
                        column,
                        _("the column %(column)s appears twice") % {"column": column},
                    )
                )
            index.setdefault(column, position)
    for column in COLUMNS:
        if column not in index:
            problems.append(
                Problem(header_line, column, _("missing column %(column)s") % {"column": column})
            )
    if problems:
        return [], problems
    if not records:
        return [], [Problem(0, "", _("the file has a header but no units"))]

    code_max = _max_length(Unit, "code")
    name_max = _max_length(Unit, "name")
    rows = []
    for line, cells in records:

        def cell(column: str, cells: Sequence[Cell] = cells) -> Cell:
            position = index[column]
            return cells[position] if position < len(cells) else None

        for column in COLUMNS:
            if any(mark in str(cell(column) or "") for mark in "\r\n"):
                problems.append(
                    Problem(
                        line,
                        column,
                        _("the cell has a line break (in a CSV file: a quote left open?)"),
                    )
                )
        code = _code(cell("code"), line, "code", problems)
        parent_code = _code(cell("parent_code"), line, "parent_code", problems)
        name = " ".join(_text(cell("name")).split())
        kind = _kind(_text(cell("kind")), line, problems)
        timezone = _zone(_text(cell("timezone")), line, problems)
        if len(code) > code_max:
            problems.append(
                Problem(
                    line,
                    "code",
                    _("the code is longer than %(max)d characters") % {"max": code_max},
                )
            )
        if len(name) > name_max:
            problems.append(
                Problem(
                    line,
                    "name",
                    _("the name is longer than %(max)d characters") % {"max": name_max},
                )
            )
        rows.append(
            UnitRow(
                code=code,
                parent_code=parent_code or None,
                kind=kind,
                region_name=name,
                name=name,
                timezone=timezone,
                line=line,
            )
        )
    return rows, problems


def _clean(value: str) -> str:
    return value.strip().strip(_INVISIBLE).strip()


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _clean(str(value))


def _code(value: Cell, line: int, column: str, problems: list[Problem]) -> str:
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        problems.append(
            Problem(
                line,
                column,
                _(
                    "Excel turned this code into a date or a time: format the column as Text "
                    "and type the code again"
                ),
            )
        )
        return ""
    code = _text(value)
    if _EXCEL_DECIMAL_CODE.fullmatch(code):  # "74.1" was 74.10 before Excel made it a number
        code = code[:-2] if code.endswith(".0") else code + "0"
    return code


def _kind(value: str, line: int, problems: list[Problem]) -> str:
    kind = KIND_WORDS.get(value.lower())
    if kind is not None:
        return kind
    if value:
        message = _(
            "unknown kind %(kind)r (use centre/pusat, province/provinsi, regency/kabupaten "
            "or city/kota)"
        ) % {"kind": value}
    else:
        message = _("the kind is empty (use centre, province, regency or city)")
    problems.append(Problem(line, "kind", message))
    return value


def _zone(value: str, line: int, problems: list[Problem]) -> str:
    if not value:
        message = _("the time zone is empty (for example Asia/Jakarta)")
        problems.append(Problem(line, "timezone", message))
        return value
    return ZONE_ALIASES.get(value.lower()) or _zone_names().get(value.lower(), value)


@functools.cache
def _zone_names() -> dict[str, str]:
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def _institution_problems(*, slug: str, name: str, short_name: str) -> list[Problem]:
    problems = []
    try:
        validate_slug(slug)
    except ValidationError:
        problems.append(
            Problem(
                0,
                "institution",
                _("%(slug)r is not a valid institution slug (use letters, digits and hyphens)")
                % {"slug": slug},
            )
        )
    for field_name, value in (("slug", slug), ("name", name), ("short_name", short_name)):
        limit = _max_length(Institution, field_name)
        if len(value) > limit:
            problems.append(
                Problem(
                    0,
                    "institution",
                    _("the institution's %(field)s is longer than %(max)d characters")
                    % {"field": field_name, "max": limit},
                )
            )
    return problems


def _max_length(model: type[Model], field_name: str) -> int:
    return int(getattr(model._meta.get_field(field_name), "max_length", 0) or 0)


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: p.line)
