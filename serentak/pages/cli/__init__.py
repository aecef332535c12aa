"""Subcommands of `serentak pages` (see the management command)."""

from __future__ import annotations

from types import ModuleType

from serentak.pages.cli import audit, connect, imports, keys

SUBCOMMANDS: list[ModuleType] = [imports, connect, audit, keys]
