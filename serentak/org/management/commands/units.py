"""`serentak units load|import|list`: the unit tree from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from serentak.org import selectors, services
from serentak.org.commandline import institution_from_option
from serentak.org.models import Institution, Unit
from serentak.org.rows import RowsInvalid


class Command(BaseCommand):
    help = "Load, import and list the units of an institution."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Build the tree from a preset shipped with Serentak.")
        load.add_argument("--preset", required=True, choices=["kpu"])
        load.add_argument("--json", action="store_true")

        imp = sub.add_parser("import", help="Import units from a CSV or XLSX file.")
        imp.add_argument("file", type=Path)
        imp.add_argument(
            "--institution", required=True, help="slug of the institution, e.g. bawaslu"
        )
        imp.add_argument("--institution-name", default="", help="full name, for a new institution")
        imp.add_argument("--short-name", default="", help="short name, for a new institution")
        imp.add_argument("--dry-run", action="store_true", help="validate only, write nothing")
        imp.add_argument("--json", action="store_true")

        lst = sub.add_parser("list", help="List the units.")
        lst.add_argument("--institution", default="", help="slug (default: the only one)")
        lst.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"handle_{options['action']}")(**options)

    def handle_load(self, *, preset: str, json: bool, **_: Any) -> None:
        institution, report = services.units_load_preset(preset=preset)
        self._report(institution, report, as_json=json)

    def handle_import(
        self,
        *,
        file: Path,
        institution: str,
        institution_name: str,
        short_name: str,
        dry_run: bool,
        json: bool,
        **_: Any,
    ) -> None:
        from serentak.org.importers import ImportFailed, units_import_file

        try:
            inst, report = units_import_file(
                path=file,
                slug=institution,
                name=institution_name,
                short_name=short_name,
                dry_run=dry_run,
            )
        except (ImportFailed, RowsInvalid) as exc:
            problems = getattr(exc, "problems", [])
            for problem in problems:
                self.stderr.write(f"{file}: {problem}")
            raise CommandError(
                f"{file}: {len(problems)} problem(s); nothing was imported."
            ) from exc
        self._report(inst, report, as_json=json, dry_run=dry_run)

    def _report(
        self,
        institution: Institution,
        report: services.SyncReport,
        *,
        as_json: bool,
        dry_run: bool = False,
    ) -> None:
        summary = {"institution": institution.slug, "dry_run": dry_run, **report.as_dict()}
        if as_json:
            self.stdout.write(json_dumps(summary))
            return
        verb = "would be" if dry_run else ""
        self.stdout.write(
            f"{institution.name}: {len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.moved)} moved, {len(report.deactivated)} deactivated, "
            f"{report.unchanged} unchanged {verb}".rstrip()
        )

    def handle_list(self, *, institution: str, json: bool, **_: Any) -> None:
        inst = institution_from_option(institution)
        units = list(
            Unit.objects.filter(institution=inst, is_active=True)
            .order_by("path")
            .values("code", "name", "kind", "timezone", "path", "depth")
        )
        code_by_path = {row["path"]: row["code"] for row in units}
        steplen = Unit.steplen
        payload: dict[str, Any] = {
            "institution": inst.slug,
            "counts": selectors.kind_counts_all(institution=inst),
            "units": [
                {
                    "code": row["code"],
                    "name": row["name"],
                    "kind": row["kind"],
                    "parent": code_by_path.get(row["path"][: (row["depth"] - 1) * steplen]),
                    "timezone": row["timezone"],
                }
                for row in units
            ],
        }
        if json:
            self.stdout.write(json_dumps(payload))
            return
        for unit in payload["units"]:
            self.stdout.write(
                f"{unit['code']:<8} {unit['kind']:<9} {unit['timezone']:<15} {unit['name']}"
            )
        counts = ", ".join(f"{kind}: {n}" for kind, n in payload["counts"].items())
        self.stdout.write(f"{len(units)} units ({counts})")


def json_dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=None)
