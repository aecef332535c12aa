"""Shared helpers for the compliance tests: the shipped rulebook and a `findings` shortcut."""

from __future__ import annotations

import datetime as dt
from functools import cache

from serentak.compliance.checker import Finding, UnitContext, check
from serentak.compliance.rulebook import WIB, Rulebook, load_rulebook


@cache
def rulebook() -> Rulebook:
    return load_rulebook()


def wib(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=WIB)


def findings(
    text: str, at: dt.datetime | None = None, unit: UnitContext | None = None
) -> list[Finding]:
    return check(text, at=at or wib(2025, 6, 1, 10), unit=unit, rulebook=rulebook())


def rules(text: str, at: dt.datetime | None = None, unit: UnitContext | None = None) -> set[str]:
    return {f.rule for f in findings(text, at, unit)}
