"""Subcommands of `serentak content` (see the management command)."""

from __future__ import annotations

from types import ModuleType

from serentak.content.cli import originality, send

SUBCOMMANDS: list[ModuleType] = [send, originality]
