"""The one place that decides what a person may see or change.

A person's memberships give *grants*: a unit, and for each action whether it reaches just
that unit or the unit and its whole subtree. Every list in the product is filtered with
``Model.objects.for_user(user, action)`` (a queryset method built on ``unit_q``), and
single-object checks use ``user_can``, which reads the same grants — so a regency operator
can never see another regency's data through any view, API endpoint or export.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Self

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from serentak.org.models import Unit


class Action(StrEnum):
    VIEW = "view"
    CHANGE = "change"  # edit a unit's details (contacts)
    MANAGE_PEOPLE = "manage_people"  # invite, change roles, deactivate
    APPROVE = "approve"  # approve content for the unit(s)
    WRITE = "write"  # write and adapt content for the unit


_ALL = frozenset(Action)

# role -> (actions it grants, whether they reach the subtree below the unit)
ROLE_GRANTS: dict[str, tuple[frozenset[Action], bool]] = {
    "central_admin": (_ALL, True),
    "unit_admin": (_ALL, True),
    "approver": (frozenset({Action.VIEW, Action.APPROVE}), True),
    "editor": (frozenset({Action.VIEW, Action.WRITE}), False),
    "viewer": (frozenset({Action.VIEW}), True),
}

# Roles a person holding a role may hand out when inviting (never more than they have).
ASSIGNABLE_ROLES: dict[str, tuple[str, ...]] = {
    "central_admin": ("central_admin", "unit_admin", "approver", "editor", "viewer"),
    "unit_admin": ("unit_admin", "approver", "editor", "viewer"),
}


@dataclass(frozen=True)
class Grant:
    unit_id: int
    path: str
    role: str
    subtree: bool
    actions: frozenset[Action]

    def covers(self, unit: Unit, action: Action) -> bool:
        if action not in self.actions:
            return False
        if self.subtree:
            return unit.path.startswith(self.path)
        return unit.pk == self.unit_id


_CACHE_ATTR = "_serentak_grants"


def grants_for(user: Any) -> list[Grant]:
    """The user's grants, read once per user object (one query, cached on the instance)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached: list[Grant] | None = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    from serentak.org.models import Membership

    grants = []
    memberships = Membership.objects.filter(user=user, unit__is_active=True).select_related("unit")
    for membership in memberships.order_by("unit__path"):
        actions, subtree = ROLE_GRANTS[membership.role]
        grants.append(
            Grant(
                unit_id=membership.unit_id,
                path=membership.unit.path,
                role=membership.role,
                subtree=subtree,
                actions=actions,
            )
        )
    setattr(user, _CACHE_ATTR, grants)
    return grants


def forget_grants(user: Any) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def unit_q(user: Any, action: Action, lookup: str = "") -> Q:
    """A filter on units (through ``lookup``) that keeps exactly what ``user`` may ``action``."""
    if getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser:
        return Q()
    prefix = f"{lookup}__" if lookup else ""
    query = Q(pk__in=[]) if not lookup else Q(**{f"{prefix}pk__in": []})
    for grant in grants_for(user):
        if action not in grant.actions:
            continue
        if grant.subtree:
            query |= Q(**{f"{prefix}path__startswith": grant.path})
        else:
            query |= Q(**{f"{prefix}pk": grant.unit_id})
    return query


def user_can(user: Any, action: Action, unit: Unit) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(grant.covers(unit, action) for grant in grants_for(user))


def top_grants(user: Any, action: Action = Action.VIEW) -> list[Grant]:
    """Grants for ``action`` that are not inside another such grant: the user's "home" units."""
    tops: list[Grant] = []
    for grant in sorted((g for g in grants_for(user) if action in g.actions), key=lambda g: g.path):
        if any(t.path == grant.path or (t.subtree and grant.path.startswith(t.path)) for t in tops):
            continue
        tops.append(grant)
    return tops


class ScopedQuerySetMixin:
    """Adds ``for_user(user, action)``; ``unit_lookup`` names the path to the unit."""

    unit_lookup: str = "unit"

    def for_user(self, user: Any, action: Action = Action.VIEW) -> Self:
        assert isinstance(self, models.QuerySet)
        return self.filter(unit_q(user, action, self.unit_lookup))


def user_is_central(user: Any, institution: Any) -> bool:
    """Whether ``user`` may change the institution's root unit: the centre's own decisions."""
    from serentak.org.models import Unit

    root = Unit.objects.filter(institution=institution, depth=1).first()
    return root is not None and user_can(user, Action.CHANGE, root)
