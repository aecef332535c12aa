"""Reads on packages and adaptations: a unit's inbox, approvals waiting, a package's progress.

Every list goes through ``for_user`` (or, for approvals, through the approval route), so a
regency sees only its own adaptations. Each selector costs a constant number of queries.

Approval routes (``Institution.defaults["approval"]``, default ``"unit"``):

* ``"unit"``: anyone with APPROVE on the adaptation's unit — its approvers and unit
  admins, or those of a unit above it (the province, the centre);
* ``"province"``: APPROVE granted on a unit *above* the adaptation's unit only, so a
  regency cannot approve its own posts;
* ``"auto"``: submitting approves at once.

Units listed in ``Institution.defaults["trusted_units"]`` (codes) are approved at once
whatever the route. An adaptation left submitted when the route became "auto" (or its unit
trusted) is approved as under "unit".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from serentak.content.models import (
    PRIORITY_RANK,
    Adaptation,
    AdaptationStatus,
    AdaptationTransition,
    Package,
)
from serentak.org.models import Institution, Unit
from serentak.org.scoping import Action, grants_for

ROUTE_UNIT = "unit"
ROUTE_PROVINCE = "province"
ROUTE_AUTO = "auto"
ROUTES = (ROUTE_UNIT, ROUTE_PROVINCE, ROUTE_AUTO)

# What the unit still has to act on, or is waiting for: the inbox by default.
OPEN_STATUSES = (
    AdaptationStatus.DRAFT,
    AdaptationStatus.CHANGES_REQUESTED,
    AdaptationStatus.SUBMITTED,
)


# --- Approval routes --------------------------------------------------------------------------


def approval_route(institution: Institution) -> str:
    route = (institution.defaults or {}).get("approval", ROUTE_UNIT)
    return route if route in ROUTES else ROUTE_UNIT


def approval_is_automatic(*, institution: Institution, unit: Unit) -> bool:
    trusted = (institution.defaults or {}).get("trusted_units") or []
    return approval_route(institution) == ROUTE_AUTO or unit.code in trusted


def user_may_review(user: Any, *, institution: Institution, unit: Unit) -> bool:
    """Whether ``user`` may approve (or send back) an adaptation of ``unit``."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    above_only = approval_route(institution) == ROUTE_PROVINCE
    return any(
        grant.covers(unit, Action.APPROVE) and not (above_only and grant.path == unit.path)
        for grant in grants_for(user)
    )


def _reviewable_q(user: Any) -> Q:
    """``user_may_review`` as a filter on adaptations (one query for the grants' routes)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    grants = [grant for grant in grants_for(user) if Action.APPROVE in grant.actions]
    defaults = dict(
        Unit.objects.filter(pk__in=[grant.unit_id for grant in grants]).values_list(
            "pk", "institution__defaults"
        )
    )
    query = Q(pk__in=[])
    for grant in grants:
        reach = Q(unit__path__startswith=grant.path) if grant.subtree else Q(unit_id=grant.unit_id)
        if (defaults.get(grant.unit_id) or {}).get("approval") == ROUTE_PROVINCE:
            reach &= ~Q(unit_id=grant.unit_id)
        query |= reach
    return query


# --- Lists ------------------------------------------------------------------------------------


def _priority_rank() -> Case:
    return Case(
        *(
            When(package__priority=priority, then=Value(rank))
            for priority, rank in PRIORITY_RANK.items()
        ),
        default=Value(len(PRIORITY_RANK)),
        output_field=IntegerField(),
    )


def _work_order(queryset: QuerySet[Adaptation]) -> QuerySet[Adaptation]:
    """Urgent first, then the earliest deadline (none: last), then the oldest."""
    return queryset.annotate(priority_rank=_priority_rank()).order_by(
        "priority_rank", F("package__deadline").asc(nulls_last=True), "created_at", "pk"
    )


def _statuses(status: str | Iterable[str] | None) -> tuple[str, ...]:
    if status is None:
        return OPEN_STATUSES
    if isinstance(status, str):
        return (status,)
    return tuple(status)


def inbox(
    *, user: Any, unit: Unit | None = None, status: str | Iterable[str] | None = None
) -> QuerySet[Adaptation]:
    """The adaptations ``user`` may see, in the order a unit should work on them.

    ``unit`` narrows to one unit (an admin of a province looking at one regency);
    ``status`` is one status or several, by default the open ones (to adapt, changes
    requested, submitted). Package and unit come with each row (one query in all).
    """
    queryset = Adaptation.objects.for_user(user, Action.VIEW).filter(status__in=_statuses(status))
    if unit is not None:
        queryset = queryset.filter(unit=unit)
    return _work_order(queryset.select_related("package", "unit"))


def inbox_counts(
    *, user: Any, unit: Unit | None = None, now: dt.datetime | None = None
) -> dict[str, int]:
    """How much is waiting: a count per status, ``open`` (the inbox's default statuses) and
    ``overdue`` (still with the unit — to adapt or changes requested — past the package's
    deadline). One query."""
    now = now or timezone.now()
    queryset = Adaptation.objects.for_user(user, Action.VIEW)
    if unit is not None:
        queryset = queryset.filter(unit=unit)
    counts: dict[str, int] = queryset.aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in AdaptationStatus.values},
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count(
            "pk",
            filter=Q(
                status__in=(AdaptationStatus.DRAFT, AdaptationStatus.CHANGES_REQUESTED),
                package__deadline__lt=now,
            ),
        ),
    )
    return counts


def submitter_subquery() -> Subquery:
    """The person who last submitted the adaptation (``OuterRef("pk")``)."""
    return Subquery(
        AdaptationTransition.objects.filter(
            adaptation=OuterRef("pk"), to_status=AdaptationStatus.SUBMITTED
        )
        .order_by("-at", "-pk")
        .values("actor_id")[:1]
    )


def approvals_waiting(*, user: Any) -> QuerySet[Adaptation]:
    """Submitted adaptations ``user`` may approve, in work order, without their own submissions
    (nobody reviews their own work). Each row has ``submitted_by_id``. Two queries."""
    queryset = (
        Adaptation.objects.filter(_reviewable_q(user), status=AdaptationStatus.SUBMITTED)
        .annotate(submitted_by_id=submitter_subquery())
        .filter(Q(submitted_by_id__isnull=True) | ~Q(submitted_by_id=getattr(user, "pk", 0)))
        .select_related("package", "unit")
    )
    return _work_order(queryset)


def package_progress(*, package: Package, user: Any = None) -> dict[str, int]:
    """How far the units are with ``package``: a count per status and ``total``.

    With ``user``, only the adaptations that person may see are counted (a province looks
    at its own regencies' progress on a central package). One query.
    """
    queryset = Adaptation.objects.filter(package=package)
    if user is not None:
        queryset = queryset.for_user(user, Action.VIEW)
    rows = queryset.order_by().values("status").annotate(count=Count("pk"))
    progress = dict.fromkeys(AdaptationStatus.values, 0)
    for row in rows:
        progress[row["status"]] = row["count"]
    progress["total"] = sum(progress.values())
    return progress


# --- One adaptation ---------------------------------------------------------------------------


def adaptation_for_user(*, user: Any, pk: int, action: Action = Action.VIEW) -> Adaptation:
    """The adaptation ``pk`` if ``user`` may ``action`` its unit (``Adaptation.DoesNotExist``
    otherwise, so a view answers 404 for what the person cannot see). One query."""
    return (
        Adaptation.objects.for_user(user, action)
        .select_related("package__institution", "unit")
        .get(pk=pk)
    )


def adaptation_history(*, adaptation: Adaptation) -> list[AdaptationTransition]:
    """The adaptation's transitions, oldest first, with who made each. One query."""
    return list(
        AdaptationTransition.objects.filter(adaptation=adaptation)
        .select_related("actor")
        .order_by("at", "pk")
    )


# --- Packages, the author's side --------------------------------------------------------------


def package_author_units(*, user: Any) -> QuerySet[Unit]:
    """The units ``user`` may write packages for: WRITE and APPROVE on them and units below
    them to send to (the rule of ``services.package_create``). One query."""
    from serentak.org.scoping import unit_q

    return Unit.objects.filter(
        unit_q(user, Action.WRITE),
        unit_q(user, Action.APPROVE),
        is_active=True,
        numchild__gt=0,
    ).select_related("institution")


def package_target_provinces(*, user: Any) -> QuerySet[Unit]:
    """The provinces ``user`` may name in a package's targets (inside a unit they author
    for; a province admin sees their own province). One query."""
    from serentak.org.models import UnitKind
    from serentak.org.scoping import unit_q

    return Unit.objects.filter(
        unit_q(user, Action.WRITE),
        unit_q(user, Action.APPROVE),
        is_active=True,
        kind=UnitKind.PROVINCE,
    )


def packages_visible(*, user: Any) -> QuerySet[Package]:
    """The packages ``user`` wrote, or whose author unit they may see: the author's side.

    Units receiving a package see their adaptation of it (``inbox``), not the package.
    """
    from serentak.org.scoping import unit_q

    if not getattr(user, "is_authenticated", False):
        return Package.objects.none()
    return Package.objects.filter(
        Q(author_id=user.pk) | unit_q(user, Action.VIEW, "author_unit")
    ).select_related("author_unit", "author")


def packages_with_progress(*, user: Any) -> QuerySet[Package]:
    """``packages_visible``, newest first, each with ``progress_<status>`` (one per adaptation
    status) and ``progress_total`` counted in the same query."""
    counts = {
        f"progress_{status}": Count("adaptations", filter=Q(adaptations__status=status))
        for status in AdaptationStatus.values
    }
    return (
        packages_visible(user=user)
        .annotate(progress_total=Count("adaptations"), **counts)
        .order_by("-created_at", "-pk")
    )


# What the centre reads in a unit's version once the unit has handed it in.
HANDED_IN = (
    AdaptationStatus.SUBMITTED,
    AdaptationStatus.APPROVED,
    AdaptationStatus.SCHEDULED,
    AdaptationStatus.PUBLISHED,
)


class OriginalityTally:
    """Bands, average score and what is still with the units, for a province or a package."""

    def __init__(self, key: str, name: str) -> None:
        self.key, self.name = key, name
        self.copied = self.light = self.localised = self.waiting = 0
        self.score_sum = 0.0

    @property
    def handed_in(self) -> int:
        return self.copied + self.light + self.localised

    @property
    def total(self) -> int:
        return self.handed_in + self.waiting

    @property
    def average(self) -> float | None:
        return self.score_sum / self.handed_in if self.handed_in else None

    def add(self, *, band: str | None, score: float) -> None:
        if band is None:
            self.waiting += 1
            return
        setattr(self, band, getattr(self, band) + 1)
        self.score_sum += score


class UnitOriginality:
    """One unit's adaptation in the originality view; ``score`` and ``band`` are None until
    the unit hands its version in."""

    def __init__(
        self,
        *,
        adaptation_id: int,
        code: str,
        name: str,
        province: str,
        status: str,
        score: float | None,
        band: str | None,
        blocks: list[str],
    ) -> None:
        self.adaptation_id, self.code, self.name = adaptation_id, code, name
        self.province, self.status = province, status
        self.score, self.band, self.blocks = score, band, blocks

    @property
    def status_label(self) -> str:
        return str(AdaptationStatus(self.status).label)


class OriginalityReport:
    def __init__(
        self,
        *,
        total: OriginalityTally,
        provinces: list[OriginalityTally],
        units: list[UnitOriginality],
        blocks: list[tuple[str, str, int]],
    ) -> None:
        self.total, self.provinces, self.units, self.blocks = total, provinces, units, blocks


ORIGINALITY_SORTS = ("unit", "score", "-score")


def package_originality(*, package: Package, sort: str = "unit") -> OriginalityReport:
    """How original the units' versions of ``package`` are, for its author.

    Counts the handed-in versions (submitted, approved, scheduled, published) per band of
    ``originality_band`` — copied as is, lightly edited, truly localised — with their average
    score, for the whole package and per province; the versions still with the units (to
    adapt, changes requested) are counted as waiting. ``blocks`` says, for each text block of
    the template (name, hint), how many handed-in versions filled it. ``units`` lists every
    adaptation, sorted by ``sort``: "unit" (tree order), "score" (the most copied first) or
    "-score"; versions not handed in come last. Two queries, whatever the number of units.
    """
    from serentak.content.originality import originality_band
    from serentak.content.templating import template_blocks

    rows = list(
        Adaptation.objects.filter(package=package)
        .order_by("unit__path")
        .values(
            "pk", "status", "originality", "blocks", "unit__code", "unit__name", "unit__path",
            "unit__depth",
        )
    )  # fmt: skip
    province_depth, steplen = 2, Unit.steplen
    province_paths = {
        row["unit__path"][: province_depth * steplen]
        for row in rows
        if row["unit__depth"] >= province_depth
    }
    names = dict(Unit.objects.filter(path__in=province_paths).values_list("path", "name"))
    text_blocks = [block for block in template_blocks(package.body) if block.kind == "text"]
    filled = dict.fromkeys((block.name for block in text_blocks), 0)

    total = OriginalityTally("", package.title)
    provinces: dict[str, OriginalityTally] = {}
    units = []
    for row in rows:
        path = row["unit__path"]
        key = path[: province_depth * steplen] if row["unit__depth"] >= province_depth else path
        if key not in provinces:
            provinces[key] = OriginalityTally(key, names.get(key, row["unit__name"]))
        handed_in = row["status"] in HANDED_IN
        score = float(row["originality"])
        band = originality_band(score) if handed_in else None
        total.add(band=band, score=score)
        provinces[key].add(band=band, score=score)
        own_blocks = [
            name
            for name, text in (row["blocks"] or {}).items()
            if isinstance(text, str) and text.strip()
        ]
        if handed_in:
            for name in own_blocks:
                if name in filled:
                    filled[name] += 1
        units.append(
            UnitOriginality(
                adaptation_id=row["pk"],
                code=row["unit__code"],
                name=row["unit__name"],
                province=provinces[key].name,
                status=row["status"],
                score=score if handed_in else None,
                band=band,
                blocks=own_blocks,
            )
        )
    if sort in ("score", "-score"):
        scored = [unit for unit in units if unit.score is not None]
        scored.sort(key=lambda unit: unit.score or 0.0, reverse=sort == "-score")
        units = scored + [unit for unit in units if unit.score is None]
    return OriginalityReport(
        total=total,
        provinces=[provinces[key] for key in sorted(provinces)],
        units=units,
        blocks=[(block.name, block.hint, filled[block.name]) for block in text_blocks],
    )
