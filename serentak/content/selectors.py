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
