"""`serentak graph status`: is the configured Graph API reachable with these credentials?"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from serentak.graph.api import GraphClient, run_sync
from serentak.graph.config import add_graph_arguments, graph_config
from serentak.graph.errors import GraphResult


class Command(BaseCommand):
    help = "Check the Graph API configuration: the token, and the Pages it reaches."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        status = sub.add_parser("status", help="debug the system-user token, count the Pages")
        add_graph_arguments(status)
        status.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            config = graph_config(options["graph_state"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if not config.system_user_token:
            raise CommandError("No token: set GRAPH_SYSTEM_USER_TOKEN (or use --graph-state).")

        async def probe() -> tuple[GraphResult, GraphResult]:
            async with GraphClient(config, timeout=15.0) as graph:
                token = await graph.token_debug(input_token=config.system_user_token)
                pages = await graph.pages_list()
                return token, pages

        token, pages = run_sync(probe())
        summary: dict[str, Any] = {
            "url": config.url,
            "version": config.version,
            "appsecret_proof": bool(config.app_secret),
            "token": token.data.get("data", {}) if token.ok else {"error": str(token.error)},
            "pages": len(pages.data) if pages.ok else None,
            "pages_error": None if pages.ok else str(pages.error),
            "pages_without_create_content": (
                sum(1 for p in pages.data if "tasks" in p and "CREATE_CONTENT" not in p["tasks"])
                if pages.ok
                else None
            ),
        }
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
        else:
            self.stdout.write(f"Graph API {config.url} {config.version}")
            info = summary["token"]
            if token.ok:
                self.stdout.write(
                    f"token: valid={info.get('is_valid')} type={info.get('type')} "
                    f"scopes={','.join(info.get('scopes', []))}"
                )
            else:
                self.stdout.write(f"token: {token.outcome} {token.error}")
            if pages.ok:
                self.stdout.write(
                    f"Pages reached: {summary['pages']} "
                    f"({summary['pages_without_create_content']} without CREATE_CONTENT)"
                )
            else:
                self.stdout.write(f"Pages: {pages.outcome} {pages.error}")
        if not (token.ok and pages.ok):
            raise CommandError("The Graph API is not usable with this configuration.")
