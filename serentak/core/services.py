from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from serentak.core.models import ChangeLogEntry


def changelog_record(
    *,
    obj: models.Model,
    action: str,
    actor: Any = None,
    source: str = "",
    changes: dict[str, Any] | None = None,
) -> ChangeLogEntry:
    return ChangeLogEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        source=source,
        action=action,
        object_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        changes=changes or {},
    )


def changelog_for(obj: models.Model) -> models.QuerySet[ChangeLogEntry]:
    return ChangeLogEntry.objects.filter(
        object_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).select_related("actor")
