"""Reads for the checker's callers: a unit's context, looked up once, outside `check`."""

from __future__ import annotations

from serentak.compliance.checker import UnitContext
from serentak.org.models import Unit


def unit_context_get(*, code: str) -> UnitContext:
    """The `UnitContext` of the active unit with ``code``; `Unit.DoesNotExist` if none.

    A code is unique per institution; when several institutions share it the first by tree
    path is taken (the CLI caller names the unit by code only).
    """
    unit = Unit.objects.select_related("institution").filter(code=code).first()
    if unit is None:
        raise Unit.DoesNotExist(code)
    return UnitContext(
        code=unit.code,
        institution=unit.institution.slug,
        kind=unit.kind,
        timezone=unit.timezone,
        phones=tuple(str(p) for p in unit.phones or ()),
    )
