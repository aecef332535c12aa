"""Reads on notices, preferences and emails; a person only ever reads their own."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import ExpressionWrapper, Q, QuerySet
from django.db.models.fields import BooleanField

from serentak.notifications.kinds import KindGroup, groups_all
from serentak.notifications.models import (
    DEFAULT_DIGEST_HOUR,
    DigestSchedule,
    EmailDelivery,
    Notification,
    NotificationPreference,
)

if TYPE_CHECKING:
    from serentak.accounts.models import User


def notifications_unread_count(*, user: Any) -> int:
    """The number in the navigation bar (called on every page: one indexed COUNT)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(*, user: User) -> QuerySet[Notification]:
    """The person's own notices, unread first, newest first within each."""
    unread = ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
    return (
        Notification.objects.filter(recipient=user)
        .select_related("unit")
        .order_by(unread.desc(), "-created_at", "-id")
    )


def notification_get(*, user: User, pk: int) -> Notification:
    """One of the person's notices; ``Notification.DoesNotExist`` for anyone else's."""
    return notifications_for(user=user).get(pk=pk)


@dataclass(frozen=True)
class GroupPreference:
    group: KindGroup
    channel: str  # "" when the person keeps the default


@dataclass(frozen=True)
class Preferences:
    groups: list[GroupPreference]
    digest_hour: int


def preferences_for(*, user: User) -> Preferences:
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("group", "channel"))
    hour = DigestSchedule.objects.filter(user=user).values_list("digest_hour", flat=True).first()
    return Preferences(
        groups=[GroupPreference(group=g, channel=chosen.get(g.code, "")) for g in groups_all()],
        digest_hour=DEFAULT_DIGEST_HOUR if hour is None else hour,
    )


def channels_chosen(*, user_ids: Iterable[int], group: str) -> dict[int, str]:
    """``{user_id: channel}`` for the people who chose a channel for ``group``; one query."""
    return dict(
        NotificationPreference.objects.filter(user_id__in=list(user_ids), group=group)
        .exclude(channel="")
        .values_list("user_id", "channel")
    )


def email_deliveries_recent(*, user: User, limit: int = 10) -> QuerySet[EmailDelivery]:
    return EmailDelivery.objects.filter(recipient=user).order_by("-created_at", "-id")[:limit]
