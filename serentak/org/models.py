"""The institution, its tree of units, and who works where with which role.

The tree is a materialised path (django-treebeard ``MP_Node``): a unit's subtree is
``path__startswith=unit.path`` and its ancestors are the prefixes of its path, so both are
one SQL query and scoping can be expressed as a ``Q`` object (see ``org.scoping``).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from serentak.core.timefmt import zone_label
from serentak.org.scoping import Action, ScopedQuerySetMixin


class Institution(models.Model):  # type: ignore[django-manager-missing]
    """An organisation that owns one tree of units (KPU, Bawaslu, a ministry...)."""

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40)
    # How unit display names are made, per kind: "{short} Provinsi {region}" and so on.
    # {short} is the institution's (or an override's) short name, {region} the region name.
    naming = models.JSONField(_("naming convention"), default=dict, blank=True)
    default_timezone = models.CharField(
        _("default time zone"), max_length=64, default="Asia/Jakarta"
    )
    # Defaults that later capabilities hang their settings on (quiet hours, caps, ...).
    defaults = models.JSONField(_("defaults"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    units: UnitManager  # reverse of Unit.institution (declared for mypy: MP_Node is untyped)

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")

    def __str__(self) -> str:
        return self.name

    def display_name_for(self, *, kind: str, region_name: str, short_name: str = "") -> str:
        pattern = self.naming.get(kind) or "{short} {region}"
        return " ".join(
            pattern.format(short=short_name or self.short_name, region=region_name).split()
        )


class UnitKind(models.TextChoices):
    CENTRE = "centre", _("centre")
    PROVINCE = "province", _("province")
    REGENCY = "regency", _("regency")
    CITY = "city", _("city")


class UnitQuerySet(ScopedQuerySetMixin, MP_NodeQuerySet):
    unit_lookup = ""

    def active(self) -> UnitQuerySet:
        return self.filter(is_active=True)


class UnitManager(MP_NodeManager):
    def get_queryset(self) -> UnitQuerySet:
        return UnitQuerySet(self.model, using=self._db).order_by("path")

    def for_user(self, user: object, action: Action = Action.VIEW) -> UnitQuerySet:
        return self.get_queryset().for_user(user, action)

    def active(self) -> UnitQuerySet:
        return self.get_queryset().active()


class Unit(MP_Node):
    """A work unit (satker): KPU RI, a KPU Provinsi, a KPU Kabupaten/Kota."""

    # MP_Node is untyped, so the field types are spelled out for mypy.
    institution: models.ForeignKey[Institution, Institution] = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="units", verbose_name=_("institution")
    )
    institution_id: int
    code: models.CharField[str, str] = models.CharField(_("code"), max_length=32)
    kind: models.CharField[str, str] = models.CharField(
        _("kind"), max_length=16, choices=UnitKind.choices
    )
    region_name: models.CharField[str, str] = models.CharField(
        _("official region name"), max_length=200
    )
    name: models.CharField[str, str] = models.CharField(_("display name"), max_length=200)
    # The institution's short name as used by this unit, when it differs ("KIP" in Aceh).
    short_name: models.CharField[str, str] = models.CharField(
        _("short name"), max_length=40, blank=True
    )
    timezone: models.CharField[str, str] = models.CharField(_("time zone"), max_length=64)
    emails = models.JSONField(_("PR desk emails"), default=list, blank=True)
    phones = models.JSONField(_("PR desk phone numbers"), default=list, blank=True)
    is_active: models.BooleanField[bool, bool] = models.BooleanField(_("active"), default=True)
    created_at: models.DateTimeField[object, object] = models.DateTimeField(auto_now_add=True)
    updated_at: models.DateTimeField[object, object] = models.DateTimeField(auto_now=True)
    path: str
    depth: int
    numchild: int
    steplen: int

    objects: ClassVar[UnitManager] = UnitManager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(fields=["institution", "code"], name="unit_code_unique"),
        ]
        indexes = [models.Index(fields=["institution", "kind"])]

    def __str__(self) -> str:
        return self.name

    @property
    def tz_label(self) -> str:
        return zone_label(self.timezone)

    def subtree(self) -> UnitQuerySet:
        """This unit and every unit below it, in one query."""
        return Unit.objects.filter(path__startswith=self.path)

    def ancestor_paths(self) -> list[str]:
        return [self.path[: i * self.steplen] for i in range(1, self.depth)]

    def ancestors(self) -> UnitQuerySet:
        """Every unit above this one, root first, in one query."""
        return Unit.objects.filter(path__in=self.ancestor_paths()).order_by("depth")


class Role(models.TextChoices):
    CENTRAL_ADMIN = "central_admin", _("central admin")
    UNIT_ADMIN = "unit_admin", _("unit admin")
    APPROVER = "approver", _("approver")
    EDITOR = "editor", _("editor")
    VIEWER = "viewer", _("viewer")


class MembershipQuerySet(ScopedQuerySetMixin, models.QuerySet["Membership"]):
    unit_lookup = "unit"


class Membership(models.Model):
    """A person's role in a unit. What the role reaches is decided in ``org.scoping``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="membership_user_unit_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


def _invitation_expiry() -> object:
    return timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)


class InvitationQuerySet(ScopedQuerySetMixin, models.QuerySet["Invitation"]):
    unit_lookup = "unit"

    def pending(self) -> InvitationQuerySet:
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """An emailed link that lets a new person create their account in a unit with a role."""

    email = models.EmailField(_("email"))
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.unit}"

    @property
    def is_usable(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


__all__ = [
    "Action",
    "Institution",
    "Invitation",
    "Membership",
    "Role",
    "Unit",
    "UnitKind",
]
