"""`serentak demo seed|purge|accounts`: the demo people of development mode."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from serentak.accounts.services import DEMO_PASSWORD
from serentak.core.demo import PERSONAS, demo_people_purge, demo_people_seed
from serentak.org.models import Institution


class Command(BaseCommand):
    help = "Demo accounts for development mode."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("seed", help="Create the five demo accounts (idempotent).")
        sub.add_parser("purge", help="Delete every demo account.")
        sub.add_parser("accounts", help="Print the demo accounts.")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "seed":
            institution = Institution.objects.filter(slug="kpu").first()
            if institution is None:
                raise CommandError("Load the units first: serentak units load --preset kpu")
            demo_people_seed(institution=institution)
            self.print_accounts()
        elif action == "purge":
            self.stdout.write(f"{demo_people_purge()} demo rows deleted.")
        else:
            self.print_accounts()

    def print_accounts(self) -> None:
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for persona in PERSONAS:
            self.stdout.write(f"  {persona.username:<8} {persona.description}")
