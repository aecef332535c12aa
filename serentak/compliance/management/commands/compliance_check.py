"""`serentak check [FILE|-] [--at ISO] [--unit CODE] [--json] [--rules DIR]`: check one post.

Exit status 0 whatever the verdict; non-zero only for a usage error (bad date, unknown
unit, unreadable file, invalid rulebook). An ``--at`` without offset is read in the unit's
time zone (WIB without ``--unit``); the default is now.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from serentak.compliance.checker import UnitContext, check, verdict
from serentak.compliance.rulebook import RULES_DIR, RulebookError, load_rulebook
from serentak.compliance.selectors import unit_context_get
from serentak.org.models import Unit


def line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


class Command(BaseCommand):
    help = "Check a post against the compliance rulebook (verdict ok, warn or block)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", default="-", help="the post (default: stdin)")
        parser.add_argument("--at", help="when it is posted, ISO 8601 (default: now)")
        parser.add_argument("--unit", help="the posting unit's code")
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument("--rules", default=str(RULES_DIR), help="rulebook directory")

    def handle(self, *args: Any, **options: Any) -> None:
        text = self._read(options["file"])
        unit: UnitContext | None = None
        if options["unit"]:
            try:
                unit = unit_context_get(code=options["unit"])
            except Unit.DoesNotExist:
                raise CommandError(f"No unit with code {options['unit']!r}.") from None
        at = self._moment(options["at"], unit.timezone if unit else "Asia/Jakarta")
        try:
            rulebook = load_rulebook(options["rules"])
        except RulebookError as exc:
            raise CommandError(f"Invalid rulebook:\n{exc}") from None
        findings = check(text, at=at, unit=unit, rulebook=rulebook)
        result = verdict(findings)
        if options["json"]:
            payload = {"verdict": result, "findings": [f.as_json() for f in findings]}
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        self.stdout.write(result)
        for f in findings:
            line, column = line_column(text, f.span[0])
            self.stdout.write(
                f"{line}:{column} {f.severity} {f.rule} ({f.category}): "
                f"{f.excerpt!r} - {f.explanation}"
            )

    def _read(self, name: str) -> str:
        if name == "-":
            return sys.stdin.read()
        try:
            with open(name, encoding="utf-8") as handle:
                return handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {name}: {exc}") from None

    def _moment(self, value: str | None, zone: str) -> dt.datetime:
        if not value:
            return timezone.now()
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            raise CommandError(f"--at must be an ISO 8601 date-time, not {value!r}.") from None
        return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(zone))
