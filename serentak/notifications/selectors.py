from __future__ import annotations

from typing import Any

from serentak.notifications.models import Notification


def notifications_unread_count(*, user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
