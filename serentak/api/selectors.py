"""Reads behind the API, every one of them scoped with ``for_user`` (see ``org.scoping``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Left, Length
from rest_framework.authtoken.models import Token

from serentak.accounts.models import User
from serentak.org.models import Membership, Unit
from serentak.org.scoping import Action, Grant, grants_for


def _visible(user: Any) -> QuerySet[Unit]:
    return Unit.objects.for_user(user, Action.VIEW)


def units_for_api(
    *,
    user: Any,
    kind: str = "",
    parent: str = "",
    query: str = "",
    institution: str = "",
) -> QuerySet[Unit]:
    """The units ``user`` may see, filtered, each annotated with ``parent_code``.

    ``parent_code`` is the parent's code when the user may see the parent too, otherwise
    ``None`` (for a root, and for a parent outside the user's scope), so every reference the
    API hands out resolves to a unit the caller can open. It comes from the path prefix in a
    correlated subquery on the unique ``path`` index: no query per unit, and the page costs
    the same whatever its size. ``parent`` filters on that same value.
    """
    parent_path = Left(OuterRef("path"), Length(OuterRef("path")) - Unit.steplen)
    units = (
        _visible(user)
        .select_related("institution")
        .annotate(
            parent_code=Subquery(
                _visible(user).filter(path=parent_path).order_by().values("code")[:1]
            )
        )
    )
    if institution:
        units = units.filter(institution__slug=institution)
    if kind:
        units = units.filter(kind=kind)
    if parent:
        units = units.filter(parent_code=parent)
    for word in query.split():
        units = units.filter(
            Q(name__icontains=word) | Q(region_name__icontains=word) | Q(code__startswith=word)
        )
    return units.order_by("path")


def unit_get_for_api(*, user: Any, institution: str, code: str) -> Unit:
    """One unit the user may see; ``Unit.DoesNotExist`` otherwise (a 404, never a 403)."""
    return units_for_api(user=user, institution=institution).get(code=code)


def unit_children_codes(*, user: Any, unit: Unit) -> list[str]:
    """Codes of the unit's children that the user may see, in tree order (one query)."""
    return list(
        _visible(user)
        .filter(path__startswith=unit.path, depth=unit.depth + 1)
        .order_by("path")
        .values_list("code", flat=True)
    )


# --- The current user ------------------------------------------------------------------------


@dataclass(frozen=True)
class MembershipRow:
    institution: str
    unit_code: str
    unit_name: str
    role: str


@dataclass(frozen=True)
class PermissionRow:
    institution: str
    unit_code: str
    unit_name: str
    role: str
    reach: str  # "unit" or "subtree"
    actions: list[str]


@dataclass(frozen=True)
class Me:
    username: str
    full_name: str
    email: str
    language: str
    is_superuser: bool
    memberships: list[MembershipRow]
    permissions: list[PermissionRow]


def _covered_elsewhere(grant: Grant, grants: list[Grant]) -> bool:
    """Whether every action of ``grant`` already reaches its unit through a subtree grant."""
    return all(
        any(
            other is not grant
            and other.subtree
            and action in other.actions
            and grant.path.startswith(other.path)
            for other in grants
        )
        for action in grant.actions
    )


def me_get(*, user: User) -> Me:
    """Who the caller is, where they belong and what they may do there (two queries).

    ``permissions`` has one row per membership that adds something: a grant whose every
    action is already given over the same unit by a grant higher up is left out, so the rows
    are the caller's effective top units.
    """
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("unit__institution")
        .order_by("unit__path")
    )
    units = {membership.unit_id: membership.unit for membership in memberships}
    grants = grants_for(user)
    permissions = []
    for grant in grants:
        unit = units.get(grant.unit_id)
        if unit is None or _covered_elsewhere(grant, grants):
            continue
        permissions.append(
            PermissionRow(
                institution=unit.institution.slug,
                unit_code=unit.code,
                unit_name=unit.name,
                role=grant.role,
                reach="subtree" if grant.subtree else "unit",
                actions=[action.value for action in Action if action in grant.actions],
            )
        )
    return Me(
        username=user.username,
        full_name=user.full_name,
        email=user.email,
        language=user.language,
        is_superuser=user.is_superuser,
        memberships=[
            MembershipRow(
                institution=membership.unit.institution.slug,
                unit_code=membership.unit.code,
                unit_name=membership.unit.name,
                role=membership.role,
            )
            for membership in memberships
        ],
        permissions=permissions,
    )


# --- Tokens ------------------------------------------------------------------------------------


def api_token_created(*, user: User) -> dt.datetime | None:
    """When the user's API token was made, or ``None`` when they have none."""
    return Token.objects.filter(user=user).values_list("created", flat=True).first()
