"""Connecting the Pages the system user reaches to units, and confirming the matches.

``pages_discover`` lists every Page the token reaches (``/me/accounts`` and the Business
portfolio's owned and client Pages), stores each Page token encrypted, and proposes a unit
for each new Page (``matching``). Nothing is final until an admin confirms: one by one or in
bulk (``presences_confirm``). Every change is in the change log of the Presence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from serentak.accounts.models import User
from serentak.core.services import changelog_record
from serentak.graph.api import GraphClient, run_sync
from serentak.graph.config import GraphConfig
from serentak.graph.errors import GraphResult
from serentak.org.models import Institution, Unit
from serentak.org.scoping import Action, user_can, user_is_central
from serentak.pages.facebook_urls import normalize_facebook_url, username_key
from serentak.pages.matching import Matcher, UnitName
from serentak.pages.models import MatchStatus, Presence, PresenceKind, PresenceSource
from serentak.pages.services.tokens import token_store


@dataclass
class DiscoveryReport:
    reached: int = 0
    new: int = 0
    proposed: int = 0
    unmatched: int = 0
    updated: int = 0
    error: str = ""
    presence_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "reached": self.reached,
            "new": self.new,
            "proposed": self.proposed,
            "unmatched": self.unmatched,
            "updated": self.updated,
            "error": self.error or None,
        }


class DiscoveryFailed(Exception):
    def __init__(self, result: GraphResult) -> None:
        super().__init__(str(result.error))
        self.result = result


def matcher_for(institution: Institution) -> Matcher:
    units = Unit.objects.filter(institution=institution, is_active=True).only(
        "pk", "name", "region_name", "depth"
    )
    names = []
    for unit in units:
        aliases = (institution.name,) if unit.depth == 1 else ()
        names.append(UnitName(unit.pk, unit.name, unit.region_name, aliases=aliases))
    return Matcher(names)


def pages_fetch(*, config: GraphConfig) -> list[dict[str, Any]]:
    """Every Page the configured token reaches (raises ``DiscoveryFailed`` on a Graph error)."""

    async def listing() -> GraphResult:
        async with GraphClient(config, timeout=30.0) as graph:
            return await graph.pages_list()

    result = run_sync(listing())
    if not result.ok:
        raise DiscoveryFailed(result)
    pages: list[dict[str, Any]] = result.data
    return pages


@transaction.atomic
def pages_discover(
    *,
    institution: Institution,
    actor: User | None = None,
    config: GraphConfig | None = None,
    pages: list[dict[str, Any]] | None = None,
) -> DiscoveryReport:
    """Record every reachable Page and propose a unit for the new ones (idempotent)."""
    if actor is not None and not user_is_central(actor, institution):
        raise PermissionDenied
    if pages is None:
        pages = pages_fetch(config=config or GraphConfig.from_settings())
    report = DiscoveryReport(reached=len(pages))
    matcher = matcher_for(institution)
    existing = {
        p.page_id: p for p in Presence.objects.filter(institution=institution).exclude(page_id="")
    }
    unlinked = _known_by_address(institution)
    now = timezone.now()
    for page in pages:
        page_id = str(page["id"])
        fields: dict[str, Any] = {
            "name": str(page.get("name", ""))[:300],
            "username": str(page.get("username", ""))[:100],
            "link": str(page.get("link", ""))[:500],
            "category": str(page.get("category", ""))[:200],
            "fetched_at": now,
        }
        presence = existing.get(page_id) or _link(unlinked, page_id, fields["username"])
        if presence is not None and not presence.page_id:
            # Known by its address already (imported): this Page is that presence.
            presence.page_id, presence.kind = page_id, PresenceKind.PAGE
            changelog_record(
                obj=presence,
                action="update",
                actor=actor,
                source="pages connect",
                changes={"page_id": ["", page_id]},
            )
        if presence is None:
            match = matcher.match(name=fields["name"], username=fields["username"])
            presence = Presence.objects.create(
                institution=institution,
                kind=PresenceKind.PAGE,
                source=PresenceSource.CONNECT,
                page_id=page_id,
                canonical_url=_canonical(fields),
                match_status=MatchStatus.PROPOSED if match.proposed else MatchStatus.UNMATCHED,
                proposed_unit_id=match.unit_id if match.unit_id else None,
                match_score=match.score,
                **fields,
            )
            report.new += 1
            if match.proposed:
                report.proposed += 1
            else:
                report.unmatched += 1
            changelog_record(
                obj=presence,
                action="create",
                actor=actor,
                source="pages connect",
                changes={"proposed_unit": [None, match.unit_id], "score": [None, match.score]},
            )
        else:
            changes = {
                k: [getattr(presence, k), v]
                for k, v in fields.items()
                if k != "fetched_at" and getattr(presence, k) != v
            }
            for key, value in fields.items():
                setattr(presence, key, value)
            presence.save(update_fields=[*fields, "page_id", "kind", "updated_at"])
            if changes:
                report.updated += 1
                changelog_record(
                    obj=presence,
                    action="update",
                    actor=actor,
                    source="pages connect",
                    changes=changes,
                )
        token = page.get("access_token")
        if token:
            token_store(presence=presence, token=str(token), tasks=list(page.get("tasks") or []))
        report.presence_ids.append(presence.pk)
    return report


def _known_by_address(institution: Institution) -> dict[str, Presence]:
    """Presences known only by their address, by page number and by username."""
    known: dict[str, Presence] = {}
    for presence in Presence.objects.filter(institution=institution, page_id="").exclude(
        kind__in=[PresenceKind.GROUP, PresenceKind.NOT_FACEBOOK]
    ):
        found = normalize_facebook_url(presence.canonical_url or presence.url)
        if found.numeric_id:
            known.setdefault(f"id:{found.numeric_id}", presence)
        username = presence.username or found.username
        if username:
            known.setdefault(f"user:{username_key(username)}", presence)
    return known


def _link(known: dict[str, Presence], page_id: str, username: str) -> Presence | None:
    by_id = known.pop(f"id:{page_id}", None)
    if by_id is not None or not username:
        return by_id
    return known.pop(f"user:{username_key(username)}", None)


def _canonical(fields: dict[str, Any]) -> str:
    username = fields.get("username")
    if username:
        return f"https://www.facebook.com/{str(username).lower()}"
    return str(fields.get("link", ""))


@dataclass(frozen=True)
class Decision:
    presence_id: int
    unit_code: str | None  # None: ignore this Page


@transaction.atomic
def presences_confirm(
    *, actor: User, institution: Institution, decisions: list[Decision]
) -> list[Presence]:
    """Confirm (or correct, or ignore) proposed matches in bulk; all or nothing.

    A Page confirmed for a unit without an official Page becomes its official Page.
    """
    presences = {
        p.pk: p
        for p in Presence.objects.filter(
            institution=institution, pk__in=[d.presence_id for d in decisions]
        )
        .select_for_update(of=("self",))
        .select_related("unit")
    }
    central = user_is_central(actor, institution)
    codes = {d.unit_code for d in decisions if d.unit_code}
    units = {u.code: u for u in Unit.objects.filter(institution=institution, code__in=codes)}
    officials = set(
        Presence.objects.filter(unit__in=units.values(), is_official=True).values_list(
            "unit_id", flat=True
        )
    )
    done = []
    for decision in decisions:
        found = presences.get(decision.presence_id)
        if found is None:
            raise PermissionDenied
        presence = found
        # A Page nobody owns yet is the centre's to place; an owned one, its unit's admins'.
        allowed = (
            central if presence.unit is None else user_can(actor, Action.CHANGE, presence.unit)
        )
        if not allowed:
            raise PermissionDenied
        before = {
            "unit": presence.unit.code if presence.unit else None,
            "match_status": presence.match_status,
        }
        if decision.unit_code is None:
            presence.match_status = MatchStatus.IGNORED
            presence.unit = None
            presence.is_official = False
        else:
            unit = units.get(decision.unit_code)
            if unit is None:
                raise ValidationError(
                    _("Unknown unit code %(code)s.") % {"code": decision.unit_code}
                )
            if not user_can(actor, Action.CHANGE, unit):
                raise PermissionDenied
            if presence.unit_id != unit.pk:
                presence.is_official = False
            presence.unit = unit
            presence.match_status = MatchStatus.CONFIRMED
            if not presence.is_official and unit.pk not in officials:
                presence.is_official = True
                officials.add(unit.pk)
        presence.save(update_fields=["unit", "match_status", "is_official", "updated_at"])
        changelog_record(
            obj=presence,
            action="update",
            actor=actor,
            source="web",
            changes={
                "unit": [before["unit"], presence.unit.code if presence.unit else None],
                "match_status": [before["match_status"], presence.match_status],
            },
        )
        done.append(presence)
    return done


@transaction.atomic
def presence_set_official(*, actor: User, presence: Presence) -> Presence:
    """Make this presence the unit's official one (the previous official one stops being it)."""
    if presence.unit is None or not user_can(actor, Action.CHANGE, presence.unit):
        raise PermissionDenied
    if presence.kind != PresenceKind.PAGE:
        raise ValidationError(_("Only a Page can be a unit's official presence."))
    Presence.objects.filter(unit=presence.unit, is_official=True).exclude(pk=presence.pk).update(
        is_official=False
    )
    if not presence.is_official:
        presence.is_official = True
        presence.save(update_fields=["is_official", "updated_at"])
        changelog_record(
            obj=presence,
            action="update",
            actor=actor,
            source="web",
            changes={"is_official": [False, True]},
        )
    return presence


def presences_confirm_proposed(
    *, actor: User, institution: Institution, min_score: float = 95.0
) -> list[Presence]:
    """Confirm every proposal at or above ``min_score`` in one go (the "few clicks" path)."""
    proposed = Presence.objects.filter(
        institution=institution,
        match_status=MatchStatus.PROPOSED,
        match_score__gte=min_score,
        proposed_unit__isnull=False,
    ).select_related("proposed_unit")
    decisions = [Decision(p.pk, p.proposed_unit.code) for p in proposed if p.proposed_unit]
    return presences_confirm(actor=actor, institution=institution, decisions=decisions)
