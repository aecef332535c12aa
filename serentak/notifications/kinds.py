"""The registry of notification kinds, and the channels a notice can travel by.

Every notice has a *kind* ("content.package_received") that belongs to a *group*
("content"). People choose a channel per group on their preferences page, so a group is
what they recognise ("New content from the centre"), and a kind is what the code sends.

Apps register their kinds once, in their ``AppConfig.ready()``::

    from serentak.notifications.kinds import group_register, kind_register

    group_register("training", _("Training"))
    kind_register("training.invitation", _("Invitation to a training"))

``notify`` refuses a kind nobody registered, so a typo fails in the first test rather
than silently creating notices nobody can switch off.

This module imports no models: it is safe to import from any ``models.py`` or ``ready()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Channel(models.TextChoices):
    """How a person wants one group of notices to reach them."""

    IMMEDIATE = "immediate", _("email at once")
    DIGEST = "digest", _("daily digest email")
    IN_APP = "in_app", _("in the app only")
    OFF = "off", _("off")


class Priority(models.TextChoices):
    NORMAL = "normal", _("normal")
    HIGH = "high", _("high")


class Route(models.TextChoices):
    """The way one notice actually went (an "off" notice is never created)."""

    IMMEDIATE = "immediate", _("email at once")
    DIGEST = "digest", _("daily digest")
    IN_APP = "in_app", _("in the app only")


@dataclass(frozen=True)
class KindGroup:
    code: str
    label: StrOrPromise


@dataclass(frozen=True)
class Kind:
    code: str
    label: StrOrPromise
    group: str
    # The channel when the person chose none and the notice is of normal priority; a
    # high-priority notice goes by email at once unless the person chose otherwise.
    default_channel: Channel = Channel.DIGEST


class UnknownKind(LookupError):
    pass


_GROUPS: dict[str, KindGroup] = {}
_KINDS: dict[str, Kind] = {}


def group_register(code: str, label: StrOrPromise) -> KindGroup:
    """Declare a group people can set a channel for; registering it again is harmless."""
    group = KindGroup(code=code, label=label)
    existing = _GROUPS.get(code)
    if existing is not None and existing != group:
        raise ValueError(f"notification group {code!r} is already registered differently")
    _GROUPS[code] = group
    return group


def kind_register(
    code: str,
    label: StrOrPromise,
    *,
    group: str = "",
    default_channel: Channel = Channel.DIGEST,
) -> Kind:
    """Declare a kind of notice; its group is the part of ``code`` before the dot by default."""
    group = group or code.partition(".")[0]
    if group not in _GROUPS:
        raise ValueError(f"register notification group {group!r} before kind {code!r}")
    if default_channel == Channel.OFF:
        raise ValueError("a kind that is off by default would never reach anyone")
    kind = Kind(code=code, label=label, group=group, default_channel=default_channel)
    existing = _KINDS.get(code)
    if existing is not None and existing != kind:
        raise ValueError(f"notification kind {code!r} is already registered differently")
    _KINDS[code] = kind
    return kind


def kind_get(code: str) -> Kind:
    try:
        return _KINDS[code]
    except KeyError:
        raise UnknownKind(f"notification kind {code!r} is not registered") from None


def group_get(code: str) -> KindGroup:
    return _GROUPS[code]


def groups_all() -> list[KindGroup]:
    """Every group, in the order they were registered (the preferences page's order)."""
    return list(_GROUPS.values())


def kinds_all() -> list[Kind]:
    return list(_KINDS.values())


def channel_resolve(*, kind: Kind, priority: str, chosen: str | None) -> Channel:
    """The channel one notice takes: the person's choice, else urgent ones at once, else the kind's.

    Pure, so the rule can be read and tested without a database.
    """
    if chosen:
        return Channel(chosen)
    if priority == Priority.HIGH:
        return Channel.IMMEDIATE
    return kind.default_channel


# --- The kinds every installation has ---------------------------------------------------------

group_register("system", _("Announcements from Serentak"))
group_register("org", _("People and units"))

kind_register("system.announcement", _("Announcement"))
kind_register(
    "org.invitation_accepted",
    _("Someone accepted your invitation"),
    default_channel=Channel.IN_APP,
)
