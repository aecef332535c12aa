"""The checker as the rest of the product calls it: with the current rulebook and a unit."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.utils import timezone

from serentak.compliance.checker import Finding, UnitContext, check
from serentak.compliance.rulebook import Rulebook, load_rulebook
from serentak.org.models import Unit


@lru_cache(maxsize=1)
def rulebook_current() -> Rulebook:
    """The rulebook shipped in ``rules/`` (read and compiled once per process)."""
    return load_rulebook()


def unit_context(unit: Unit) -> UnitContext:
    return UnitContext(
        code=unit.code,
        institution=unit.institution.slug,
        kind=unit.kind,
        timezone=unit.timezone,
        phones=tuple(str(phone) for phone in unit.phones or ()),
    )


def text_check(*, text: str, unit: Unit, at: dt.datetime | None = None) -> list[Finding]:
    """Findings for ``text`` posted by ``unit`` at ``at`` (now by default)."""
    return check(
        text, at=at or timezone.now(), unit=unit_context(unit), rulebook=rulebook_current()
    )
