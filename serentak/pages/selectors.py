"""Reads on presences, always through the scoping queryset."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from serentak.org.models import Institution, Unit
from serentak.org.scoping import Action, user_is_central
from serentak.pages.models import MatchStatus, Presence


def presences_of_unit(*, user: Any, unit: Unit) -> QuerySet[Presence]:
    return (
        Presence.objects.for_user(user, Action.VIEW)
        .filter(unit=unit)
        .exclude(match_status=MatchStatus.IGNORED)
        .select_related("token")
        .order_by("-is_official", "kind", "name")
    )


def presence_get(*, user: Any, pk: int, action: Action = Action.VIEW) -> Presence:
    return Presence.objects.for_user(user, action).select_related("unit", "institution").get(pk=pk)


def connect_queue(
    *, institution: Institution, status: str = "", query: str = ""
) -> QuerySet[Presence]:
    """Discovered Pages for the centre's connect screen (unassigned ones first)."""
    presences = (
        Presence.objects.filter(institution=institution, source="connect")
        .select_related("unit", "proposed_unit")
        .order_by("match_status", "-match_score", "name")
    )
    if status:
        presences = presences.filter(match_status=status)
    for word in query.split():
        presences = presences.filter(
            Q(name__icontains=word) | Q(username__icontains=word) | Q(unit__name__icontains=word)
        )
    return presences


def connect_counts(*, institution: Institution) -> dict[str, int]:
    counts = {status.value: 0 for status in MatchStatus}
    rows = (
        Presence.objects.filter(institution=institution, source="connect")
        .order_by()
        .values("match_status")
        .annotate(n=Count("id"))
    )
    for row in rows:
        counts[row["match_status"]] = row["n"]
    counts["units_without_official"] = (
        Unit.objects.filter(institution=institution, is_active=True)
        .exclude(presences__is_official=True)
        .count()
    )
    return counts


def is_central(*, user: Any, institution: Institution) -> bool:
    return user_is_central(user, institution)
