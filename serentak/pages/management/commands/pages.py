"""`serentak pages ...`: the Facebook presences of the units from the command line.

Each subcommand lives in ``serentak/pages/cli/<name>.py`` with a ``register(subparsers)``
that adds its parser and sets ``handler`` (called with the command and the options).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from serentak.pages.cli import SUBCOMMANDS


class Command(BaseCommand):
    help = "Register, connect, audit and verify the Facebook Pages of the units."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for module in SUBCOMMANDS:
            module.register(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        options["handler"](self, options)
