"""`serentak pages audit`: audit the units' Facebook presences now and print the findings.

    serentak pages audit [--institution kpu] [--unit CODE] [--json] [--graph-state FILE]
                         [--no-fetch]

Every active unit of the scope is printed (a unit without a presence has the
"no official Page" finding). ``--json`` prints exactly
``{"units": [{"code", "score", "findings": [{"check", "severity", "message"}]}]}``, messages
in Indonesian. ``--no-fetch`` checks the stored data without asking Facebook.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from serentak.graph.config import add_graph_arguments, graph_config
from serentak.org.models import Institution, Unit
from serentak.pages.models import JobStatus
from serentak.pages.selectors_audit import audit_report
from serentak.pages.services.audit import audit_run


def register(sub: Any) -> None:
    parser = sub.add_parser("audit", help="audit the units' Facebook presences and print findings")
    parser.add_argument("--institution", default="kpu", help="institution slug (default: kpu)")
    parser.add_argument("--unit", metavar="CODE", help="only this unit and the units below it")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument(
        "--no-fetch", action="store_true", help="check the stored data, without asking Facebook"
    )
    add_graph_arguments(parser)
    parser.set_defaults(handler=handle_audit)


def handle_audit(command: BaseCommand, options: dict[str, Any]) -> None:
    institution = Institution.objects.filter(slug=options["institution"]).first()
    if institution is None:
        raise CommandError(f"No institution {options['institution']!r}.")
    unit = None
    if options.get("unit"):
        unit = Unit.objects.filter(institution=institution, code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"No unit {options['unit']!r} in {institution.slug}.")
    try:
        config = graph_config(options.get("graph_state"))
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    run = audit_run(
        institution=institution,
        unit=unit,
        trigger="cli",
        config=config,
        fetch=not options["no_fetch"],
    )
    if run.status != JobStatus.DONE:
        raise CommandError(f"The audit failed: {run.last_error}")
    with translation.override("id"):
        reports = audit_report(institution_id=institution.pk, within=unit)
        units: list[dict[str, Any]] = [
            {
                "code": report.unit.code,
                "score": report.score,
                "findings": [
                    {"check": v.finding.code, "severity": v.finding.severity, "message": v.message}
                    for v in report.findings
                ],
            }
            for report in reports
        ]
    if options["json"]:
        command.stdout.write(json.dumps({"units": units}, ensure_ascii=False))
        return
    for report, row in zip(reports, units, strict=True):
        command.stdout.write(f"{report.unit.code}  {report.unit.name}  score {row['score']}")
        for finding in row["findings"]:
            command.stdout.write(f"    [{finding['severity']}] {finding['message']}")
    if run.last_error:
        command.stderr.write(run.last_error)
