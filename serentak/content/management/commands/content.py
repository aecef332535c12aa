"""`serentak content ...`: central packages from the command line.

Each subcommand lives in ``serentak/content/cli/<name>.py`` with a ``register(subparsers)``
that adds its parser and sets ``handler`` (called with the command and the options).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from serentak.content.cli import SUBCOMMANDS


class Command(BaseCommand):
    help = "Send central content packages to the units and look at their adaptations."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for module in SUBCOMMANDS:
            module.register(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        options["handler"](self, options)
