"""`serentak pages import FILE`: register the units' known Facebook addresses from a file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from serentak.org.commandline import institution_from_option
from serentak.pages.services.imports import ImportFailed, ImportReport, presences_import


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "import",
        help="Register Facebook addresses from a CSV or XLSX file with the columns unit_code,url.",
    )
    parser.add_argument("file", type=Path)
    parser.add_argument("--institution", default="", help="slug (default: the only one)")
    parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
    parser.add_argument(
        "--skip-invalid",
        action="store_true",
        help="write the valid rows and report the invalid ones (default: write nothing)",
    )
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(handler=handle_import)


def handle_import(command: BaseCommand, options: dict[str, Any]) -> None:
    file: Path = options["file"]
    as_json: bool = options["json"]
    institution = institution_from_option(options["institution"])
    try:
        report = presences_import(
            institution=institution,
            rows_source=file,
            actor=None,
            dry_run=options["dry_run"],
            skip_invalid=options["skip_invalid"],
        )
    except ImportFailed as exc:
        if as_json:
            rows = [_problem_row(p.line, str(p.message)) for p in exc.problems]
            command.stdout.write(json.dumps({"rows": rows}, ensure_ascii=False))
        for problem in exc.problems:
            command.stderr.write(f"{file}: {problem}")
        raise CommandError(f"{file}: the file cannot be imported; nothing was written.") from exc

    if as_json:
        command.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        _print_rows(command, report)
    invalid = len(report.invalid)
    if invalid and not report.skip_invalid:
        raise CommandError(f"{file}: {invalid} invalid row(s); nothing was written.")


def _print_rows(command: BaseCommand, report: ImportReport) -> None:
    for row in report.rows:
        parts = [
            f"{row.line:>5}",
            f"{row.unit_code or '-':<8}",
            f"{row.kind or '-':<20}",
            row.canonical_url or "-",
        ]
        if row.error:
            parts.append(f"error: {row.error}")
        command.stdout.write("  ".join(parts))
    if report.invalid and not report.skip_invalid and not report.dry_run:
        return  # nothing was written: the command fails with the count
    counts = report.counts
    summary = (
        f"{len(report.rows)} rows: {counts['created']} created, {counts['updated']} updated, "
        f"{counts['linked']} linked, {counts['unchanged']} unchanged"
    )
    if report.dry_run:
        summary += " (dry run: nothing written)"
    if report.invalid and report.skip_invalid:
        summary += f"; {counts['invalid']} invalid row(s) skipped"
    command.stdout.write(summary)


def _problem_row(line: int, message: str) -> dict[str, Any]:
    return {
        "line": line,
        "url": "",
        "canonical_url": None,
        "kind": None,
        "unit": None,
        "error": message,
    }
