"""Subcommands of `serentak pages` (see the management command)."""

from __future__ import annotations

from types import ModuleType

from serentak.pages.cli import connect, keys

SUBCOMMANDS: list[ModuleType] = [connect, keys]
