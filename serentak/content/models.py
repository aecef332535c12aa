"""Packages the centre (or a province) sends, and each unit's adaptation of them.

A ``Package`` holds a body *template*; sending it creates one ``Adaptation`` per target
unit, pre-rendered for that unit. The adaptation is a small state machine whose every
transition is a row (``AdaptationTransition``):

    draft → submitted → approved | changes_requested → (submitted again) …
    approved → scheduled → published          (the last two belong to publishing)
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from serentak.org.models import Institution, Unit
from serentak.org.scoping import ScopedQuerySetMixin


class Mode(models.TextChoices):
    ADAPT = "adapt", _("adapt before posting")
    BROADCAST = "broadcast", _("broadcast as is (urgent notices)")


class Priority(models.TextChoices):
    URGENT = "urgent", _("urgent")
    HIGH = "high", _("high")
    NORMAL = "normal", _("normal")
    LOW = "low", _("low")


PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}


class OriginalityPolicy(models.TextChoices):
    NONE = "none", _("no minimum")
    WARN = "warn", _("warn below the threshold")
    REQUIRE = "require", _("require the threshold before submitting")


class UnitGroup(models.Model):
    """A saved list of units to send packages to (e.g. "units with a by-election")."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    units: models.ManyToManyField[Unit, models.Model] = models.ManyToManyField(
        Unit, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class PackageStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SENT = "sent", _("sent")


class PackageQuerySet(ScopedQuerySetMixin, models.QuerySet["Package"]):
    unit_lookup = "author_unit"


class Package(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    author_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="packages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body template"))
    link = models.URLField(_("link"), max_length=500, blank=True)
    guidance = models.TextField(_("guidance for the adapting officer"), blank=True)
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices, default=Mode.ADAPT)
    priority = models.CharField(
        _("priority"), max_length=16, choices=Priority.choices, default=Priority.NORMAL
    )
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    # Named instants the template shows in each unit's time zone: {"acara": "2026-12-01T06:00Z"}
    moments = models.JSONField(_("moments"), default=dict, blank=True)
    # {"all": true} | {"provinces": [codes]} | {"units": [codes]} | {"group": id}
    targets = models.JSONField(_("targets"), default=dict)
    originality_policy = models.CharField(
        max_length=16, choices=OriginalityPolicy.choices, default=OriginalityPolicy.WARN
    )
    originality_threshold = models.FloatField(default=0.3)  # 0 (copy) .. 1 (all new)
    status = models.CharField(
        max_length=16, choices=PackageStatus.choices, default=PackageStatus.DRAFT
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PackageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class PackageImage(models.Model):
    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="packages/%Y/%m/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    alt_text = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.image.name


class AdaptationStatus(models.TextChoices):
    DRAFT = "draft", _("to adapt")
    SUBMITTED = "submitted", _("submitted")
    CHANGES_REQUESTED = "changes_requested", _("changes requested")
    APPROVED = "approved", _("approved")
    SCHEDULED = "scheduled", _("scheduled")
    PUBLISHED = "published", _("published")


class AdaptationQuerySet(ScopedQuerySetMixin, models.QuerySet["Adaptation"]):
    unit_lookup = "unit"


class Adaptation(models.Model):
    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="adaptations")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="adaptations")
    status = models.CharField(
        max_length=24, choices=AdaptationStatus.choices, default=AdaptationStatus.DRAFT
    )
    rendered = models.TextField()  # the package rendered for this unit: the source
    text = models.TextField()  # the unit's version
    blocks = models.JSONField(default=dict, blank=True)  # optional local blocks filled in
    originality = models.FloatField(default=0.0)  # 0: copied as is .. 1: nothing in common
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AdaptationQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["package", "unit"], name="adaptation_once_per_unit"),
        ]
        indexes = [models.Index(fields=["unit", "status"])]

    def __str__(self) -> str:
        return f"{self.package} · {self.unit}"


class AdaptationImage(models.Model):
    """A local photo of an adaptation, for one of the package's photo blocks."""

    adaptation = models.ForeignKey(Adaptation, on_delete=models.CASCADE, related_name="images")
    block = models.CharField(max_length=64, blank=True)  # the photo block it fills
    image = models.ImageField(upload_to="adaptations/%Y/%m/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    alt_text = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return self.image.name


class AdaptationTransition(models.Model):
    """One step of an adaptation's life: who moved it, from what, to what, and why."""

    adaptation = models.ForeignKey(Adaptation, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comment = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or '·'} → {self.to_status}"
