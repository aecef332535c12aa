"""Subcommands of `serentak pages` (see the management command)."""

from __future__ import annotations

from types import ModuleType

from serentak.pages.cli import connect, imports, keys

SUBCOMMANDS: list[ModuleType] = [imports, connect, keys]
