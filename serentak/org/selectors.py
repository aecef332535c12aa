"""Reads on units and people, always through the scoping queryset methods."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from serentak.accounts.models import User
from serentak.org.models import Invitation, Membership, Unit, UnitKind
from serentak.org.scoping import Action, top_grants, unit_q


def units_visible(*, user: Any, action: Action = Action.VIEW) -> QuerySet[Unit]:
    return Unit.objects.for_user(user, action)


def units_search(
    *, user: Any, query: str = "", kind: str = "", within: Unit | None = None, limit: int = 50
) -> QuerySet[Unit]:
    """Units the user may see whose name, region or code matches ``query``."""
    units = units_visible(user=user).select_related("institution")
    if within is not None:
        units = units.filter(path__startswith=within.path)
    for word in query.split():
        units = units.filter(
            Q(name__icontains=word) | Q(region_name__icontains=word) | Q(code__startswith=word)
        )
    if kind:
        units = units.filter(kind=kind)
    return units.order_by("path")[:limit]


def unit_get(*, user: Any, code: str, institution_id: int | None = None) -> Unit:
    """One unit the user may see; ``Unit.DoesNotExist`` otherwise (a 404, never a 403 leak)."""
    units = units_visible(user=user).select_related("institution")
    if institution_id is not None:
        units = units.filter(institution_id=institution_id)
    return units.get(code=code)


def home_units(*, user: Any) -> list[Unit]:
    """The highest units the user reaches: their starting point on the home page."""
    grants = top_grants(user)
    if not grants:
        return []
    units = Unit.objects.filter(pk__in=[grant.unit_id for grant in grants]).select_related(
        "institution"
    )
    return sorted(units, key=lambda unit: unit.path)


@dataclass(frozen=True)
class ChildSummary:
    unit: Unit
    regencies: int
    cities: int
    people: int


def children_with_counts(*, user: Any, unit: Unit) -> list[ChildSummary]:
    """The unit's children the user may see, with per-child counts — one query in all."""
    children = (
        units_visible(user=user)
        .filter(path__startswith=unit.path, depth=unit.depth + 1)
        .order_by("code")
    )
    # Counts over each child's subtree need a correlated condition on path prefixes, which
    # the ORM cannot join on; one grouped query over the descendants does it instead.
    descendants = Unit.objects.filter(
        path__startswith=unit.path, depth=unit.depth + 2, is_active=True
    ).values_list("path", "kind")
    steplen = Unit.steplen
    prefix_len = (unit.depth + 1) * steplen
    per_child: dict[str, dict[str, int]] = {}
    for path, kind in descendants:
        bucket = per_child.setdefault(path[:prefix_len], {})
        bucket[kind] = bucket.get(kind, 0) + 1
    people = (
        Membership.objects.filter(unit__path__startswith=unit.path, user__is_active=True)
        .order_by()
        .values("unit__path")
        .annotate(n=Count("id"))
    )
    people_per_child: dict[str, int] = {}
    for row in people:
        if len(row["unit__path"]) >= prefix_len:
            key = row["unit__path"][:prefix_len]
            people_per_child[key] = people_per_child.get(key, 0) + row["n"]
    return [
        ChildSummary(
            unit=child,
            regencies=per_child.get(child.path, {}).get(UnitKind.REGENCY, 0),
            cities=per_child.get(child.path, {}).get(UnitKind.CITY, 0),
            people=people_per_child.get(child.path, 0),
        )
        for child in children
    ]


def kind_counts(*, user: Any, within: Unit | None = None) -> dict[str, int]:
    units = units_visible(user=user).filter(is_active=True)
    if within is not None:
        units = units.filter(path__startswith=within.path)
    counts = {kind.value: 0 for kind in UnitKind}
    for row in units.order_by().values("kind").annotate(n=Count("id")):
        counts[row["kind"]] = row["n"]
    return counts


def memberships_visible(
    *, user: Any, action: Action = Action.MANAGE_PEOPLE
) -> QuerySet[Membership]:
    return Membership.objects.for_user(user, action).select_related("user", "unit")


def people_list(*, user: Any, query: str = "", unit: Unit | None = None) -> QuerySet[Membership]:
    memberships = memberships_visible(user=user)
    if unit is not None:
        memberships = memberships.filter(unit=unit)
    for word in query.split():
        memberships = memberships.filter(
            Q(user__username__icontains=word)
            | Q(user__full_name__icontains=word)
            | Q(user__email__icontains=word)
            | Q(unit__name__icontains=word)
        )
    return memberships.order_by("unit__path", "user__username")


def person_get(*, user: Any, pk: int) -> User:
    """A person the user manages (through any of their memberships)."""
    return User.objects.filter(
        pk__in=Membership.objects.filter(unit_q(user, Action.MANAGE_PEOPLE, "unit")).values(
            "user_id"
        )
    ).get(pk=pk)


def invitations_pending(*, user: Any) -> QuerySet[Invitation]:
    return (
        Invitation.objects.for_user(user, Action.MANAGE_PEOPLE)
        .pending()
        .select_related("unit", "invited_by")
    )


def unit_members(*, user: Any, unit: Unit) -> QuerySet[Membership]:
    """People of a unit, for whoever may see the unit."""
    return Membership.objects.for_user(user, Action.VIEW).filter(unit=unit).select_related("user")


def kind_counts_all(*, institution: Any) -> dict[str, int]:
    """Active units per kind in an institution (command line and API, no user scoping)."""
    counts = {kind.value: 0 for kind in UnitKind}
    rows = (
        Unit.objects.filter(institution=institution, is_active=True)
        .order_by()
        .values("kind")
        .annotate(n=Count("id"))
    )
    for row in rows:
        counts[row["kind"]] = row["n"]
    return counts
