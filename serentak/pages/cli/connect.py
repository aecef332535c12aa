"""`serentak pages connect`: discover the Pages the system user reaches and propose units."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from serentak.graph.config import add_graph_arguments, graph_config
from serentak.org.models import Institution
from serentak.pages.models import Presence
from serentak.pages.services.registry import DiscoveryFailed, pages_discover


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "connect", help="list the Pages the token reaches (GRAPH_API_URL) and propose units"
    )
    parser.add_argument("--institution", default="kpu")
    parser.add_argument("--json", action="store_true")
    add_graph_arguments(parser)
    parser.set_defaults(handler=handle)


def handle(command: BaseCommand, options: dict[str, Any]) -> None:
    institution = Institution.objects.filter(slug=options["institution"]).first()
    if institution is None:
        raise CommandError(f"No institution {options['institution']!r}.")
    try:
        config = graph_config(options["graph_state"])
        report = pages_discover(institution=institution, config=config)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    except DiscoveryFailed as exc:
        raise CommandError(f"The Graph API refused the listing: {exc}") from exc
    presences = (
        Presence.objects.filter(pk__in=report.presence_ids)
        .select_related("proposed_unit", "unit")
        .order_by("name")
    )
    rows = [
        {
            "page_id": p.page_id,
            "name": p.name,
            "username": p.username,
            "status": p.match_status,
            "unit": p.unit.code if p.unit else None,
            "proposed_unit": p.proposed_unit.code if p.proposed_unit else None,
            "score": p.match_score,
        }
        for p in presences
    ]
    if options["json"]:
        command.stdout.write(json.dumps({**report.as_dict(), "pages": rows}, ensure_ascii=False))
        return
    for row in rows:
        unit = row["unit"] or row["proposed_unit"] or "-"
        command.stdout.write(f"{row['status']:<10} {unit:<8} {row['score'] or 0:>5} {row['name']}")
    command.stdout.write(
        f"{report.reached} Pages reached: {report.new} new ({report.proposed} with a proposed "
        f"unit, {report.unmatched} without), {report.updated} updated. Confirm the matches on "
        "the web (Facebook → Connect Pages)."
    )
