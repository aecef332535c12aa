"""Where each unit is on Facebook, what the audit found there, and the blue-check campaign.

A ``Presence`` is one place on Facebook tied (or proposed to be tied) to a unit: a Page
connected through the Graph API, or something known only by its URL — a personal profile
used as the institution, a group, an unofficial Page. Each unit has at most one official
presence. Page tokens live apart, encrypted (``PageToken``, see ``crypto``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from serentak.org.models import Unit
from serentak.org.scoping import ScopedQuerySetMixin


class PresenceKind(models.TextChoices):
    PAGE = "page", _("Page")
    PROFILE = "profile", _("personal profile")
    GROUP = "group", _("group")
    UNKNOWN = "unknown-needs-lookup", _("unknown (needs a lookup)")
    NOT_FACEBOOK = "not-facebook", _("not Facebook")


class PresenceSource(models.TextChoices):
    CONNECT = "connect", _("connected through the Graph API")
    IMPORT = "import", _("imported from a file")
    MANUAL = "manual", _("entered by hand")


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")  # discovery suggested a unit; an admin has to confirm
    CONFIRMED = "confirmed", _("confirmed")
    UNMATCHED = "unmatched", _("no unit found")
    IGNORED = "ignored", _("ignored")


class PresenceQuerySet(ScopedQuerySetMixin, models.QuerySet["Presence"]):
    unit_lookup = "unit"

    def pages(self) -> PresenceQuerySet:
        return self.filter(kind=PresenceKind.PAGE)

    def confirmed(self) -> PresenceQuerySet:
        return self.filter(match_status=MatchStatus.CONFIRMED)


class Presence(models.Model):
    institution = models.ForeignKey(
        "org.Institution", on_delete=models.CASCADE, related_name="presences"
    )
    # The unit it belongs to once confirmed (or as imported); discovery proposes one first.
    unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="presences"
    )
    proposed_unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    match_score = models.FloatField(null=True, blank=True)  # 0-100, from the fuzzy matcher
    match_status = models.CharField(
        max_length=16, choices=MatchStatus.choices, default=MatchStatus.CONFIRMED
    )
    kind = models.CharField(_("kind"), max_length=24, choices=PresenceKind.choices)
    source = models.CharField(max_length=16, choices=PresenceSource.choices)
    is_official = models.BooleanField(_("official"), default=False)
    url = models.CharField(_("URL as given"), max_length=1000, blank=True)
    canonical_url = models.CharField(_("canonical URL"), max_length=500, blank=True)

    # What the Graph API says of a Page (empty for presences known only by URL).
    page_id = models.CharField(max_length=32, blank=True)
    name = models.CharField(_("name"), max_length=300, blank=True)
    username = models.CharField(max_length=100, blank=True)
    category = models.CharField(max_length=200, blank=True)
    link = models.CharField(max_length=500, blank=True)
    fan_count = models.PositiveIntegerField(null=True, blank=True)
    followers_count = models.PositiveIntegerField(null=True, blank=True)
    verification_status = models.CharField(max_length=32, blank=True)
    website = models.CharField(max_length=500, blank=True)
    about = models.TextField(blank=True)
    picture_url = models.CharField(max_length=1000, blank=True)
    picture_is_silhouette = models.BooleanField(null=True, blank=True)
    has_cover = models.BooleanField(null=True, blank=True)
    is_published = models.BooleanField(null=True, blank=True)
    new_pages_experience = models.BooleanField(null=True, blank=True)
    last_post_at = models.DateTimeField(null=True, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PresenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("Facebook presence")
        verbose_name_plural = _("Facebook presences")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "page_id"],
                condition=~Q(page_id=""),
                name="presence_page_id_unique",
            ),
            models.UniqueConstraint(
                fields=["unit"], condition=Q(is_official=True), name="presence_one_official"
            ),
        ]
        indexes = [models.Index(fields=["institution", "canonical_url"])]

    def __str__(self) -> str:
        return self.name or self.canonical_url or self.url


class PageToken(models.Model):
    """The Page token Serentak posts with: encrypted, never shown, never logged."""

    presence = models.OneToOneField(Presence, on_delete=models.CASCADE, related_name="token")
    encrypted = models.TextField(editable=False)
    tasks = models.JSONField(default=list, blank=True)  # CREATE_CONTENT, ANALYZE, ...
    scopes = models.JSONField(default=list, blank=True)
    is_valid = models.BooleanField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)  # null: never (or not known)
    data_access_expires_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Page token")
        verbose_name_plural = _("Page tokens")

    def __str__(self) -> str:
        return f"token of {self.presence}"  # never the token itself

    def __repr__(self) -> str:
        return f"<PageToken presence={self.presence_id}>"


class Severity(models.TextChoices):
    BLOCKER = "blocker", _("blocker")
    WARNING = "warning", _("warning")
    INFO = "info", _("info")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class AuditRun(models.Model):
    """One run of the audit (scheduled or on demand): the row the UI shows."""

    institution = models.ForeignKey("org.Institution", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(  # null: every unit of the institution
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    trigger = models.CharField(max_length=16)  # "scheduled", "manual", "cli"
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    findings_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"audit {self.pk} ({self.status})"


class FindingQuerySet(ScopedQuerySetMixin, models.QuerySet["Finding"]):
    unit_lookup = "unit"

    def open(self) -> FindingQuerySet:
        return self.filter(resolved_at__isnull=True)


class Finding(models.Model):
    """Something the audit found wrong with a unit's presence, and how to fix it."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="findings")
    presence = models.ForeignKey(
        Presence, on_delete=models.CASCADE, null=True, blank=True, related_name="findings"
    )
    code = models.CharField(max_length=48)  # the check: "personal_profile", "token_expiring"...
    severity = models.CharField(max_length=16, choices=Severity.choices)
    params = models.JSONField(default=dict, blank=True)  # for the message text
    run = models.ForeignKey(AuditRun, on_delete=models.SET_NULL, null=True, related_name="findings")
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "presence", "code"],
                condition=Q(resolved_at__isnull=True),
                name="finding_open_unique",
            ),
        ]
        indexes = [models.Index(fields=["unit", "resolved_at"])]

    def __str__(self) -> str:
        return f"{self.unit} · {self.code}"


class MigrationStep(models.TextChoices):
    CREATE_PAGE = "create_page", _("Create a Page, or convert the profile to a Page")
    MOVE_ADMINS = "move_admins", _("Give the Page's admin roles to the PR staff")
    ANNOUNCE = "announce", _("Announce the move on the profile")
    RETIRE_PROFILE = "retire_profile", _("Retire the personal profile")


class MigrationChecklistQuerySet(ScopedQuerySetMixin, models.QuerySet["MigrationChecklist"]):
    unit_lookup = "unit"


class MigrationChecklist(models.Model):
    """Moving a unit off a personal profile, step by step, followed by province and centre."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="migrations")
    profile = models.ForeignKey(Presence, on_delete=models.CASCADE, related_name="migrations")
    steps = models.JSONField(default=dict, blank=True)  # step -> {"at": iso, "by": user id}
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = MigrationChecklistQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["profile"], name="migration_one_per_profile"),
        ]

    def __str__(self) -> str:
        return f"migration of {self.unit}"


class VerificationBatch(models.Model):
    """A batch of Pages the central team submits to Meta for the blue check."""

    institution = models.ForeignKey("org.Institution", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    exported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class VerificationStatus(models.TextChoices):
    REQUESTED = "requested", _("requested")
    VERIFIED = "verified", _("verified")
    REJECTED = "rejected", _("rejected")


class VerificationRequestQuerySet(ScopedQuerySetMixin, models.QuerySet["VerificationRequest"]):
    unit_lookup = "presence__unit"


class VerificationRequest(models.Model):
    batch = models.ForeignKey(VerificationBatch, on_delete=models.CASCADE, related_name="requests")
    presence = models.ForeignKey(
        Presence, on_delete=models.CASCADE, related_name="verification_requests"
    )
    status = models.CharField(
        max_length=16, choices=VerificationStatus.choices, default=VerificationStatus.REQUESTED
    )
    status_changed_at = models.DateTimeField(auto_now_add=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    objects = VerificationRequestQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "presence"], name="verification_once_per_batch"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.presence} · {self.status}"
