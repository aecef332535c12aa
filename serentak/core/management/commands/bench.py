"""`serentak bench <area>`: the product's performance benchmarks, one area per capability.

An area is a module ``serentak/<app>/cli/bench.py`` with a ``register(subparsers)`` that adds
the area's parser (``bench content``, ...) and sets ``handler``, called with this command and
the options. Areas are found in the installed ``serentak.*`` apps, so a capability adds its
benchmark by writing that one module. Benchmarks print JSON with their timings; they are not
tests and never fail on a slow machine.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser


def bench_areas() -> list[ModuleType]:
    """The ``<app>.cli.bench`` modules of the installed serentak apps, in app order."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("serentak."):
            continue
        name = f"{config.name}.cli.bench"
        try:
            spec = importlib.util.find_spec(name)
        except ModuleNotFoundError:  # the app has no `cli` package
            continue
        if spec is not None:
            found.append(importlib.import_module(name))
    return found


class Command(BaseCommand):
    help = "Measure the product's hot paths and print the timings as JSON (e.g. `bench content`)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="area", required=True, metavar="AREA")
        for module in bench_areas():
            module.register(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        options["handler"](self, options)
