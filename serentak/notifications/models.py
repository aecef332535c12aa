"""Notices, who wants them how, and every email sent for them.

The life of a notice (see ``services.notify``):

* ``route=in_app``: a row in the person's list, nothing more.
* ``route=immediate``: an ``EmailDelivery`` is created with it and a task sends it.
* ``route=digest``: it waits (``email_delivery`` empty) until the person's digest hour;
  ``digests_send_due`` then gathers every waiting unread notice of that person into one
  ``EmailDelivery``.

An ``EmailDelivery`` goes ``queued → sending → sent``, or back to ``queued`` after an
error that may pass (SMTP, network) until ``EMAIL_MAX_ATTEMPTS``, then ``failed``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from serentak.notifications.kinds import Channel, Priority, Route

DEFAULT_DIGEST_HOUR = 7


class EmailKind(models.TextChoices):
    IMMEDIATE = "immediate", _("single notice")
    DIGEST = "digest", _("digest")


class EmailStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class EmailDelivery(models.Model):
    """One email to one person: the row a worker claims, and the UI shows."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_deliveries"
    )
    # The address at the time of sending, so the history stays true after a change.
    to = models.EmailField(_("to"))
    kind = models.CharField(_("kind"), max_length=16, choices=EmailKind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=EmailStatus.choices, default=EmailStatus.QUEUED
    )
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    started_at = models.DateTimeField(_("last attempt started"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "kind", "created_at"]),
            models.Index(fields=["status", "updated_at"]),
        ]
        verbose_name = _("email delivery")
        verbose_name_plural = _("email deliveries")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.to} ({self.get_status_display()})"


class Notification(models.Model):
    """One notice for one person; emails are made from these rows."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    # What the notice is about, for the app that sent it ("content.package:42").
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    route = models.CharField(_("delivered by"), max_length=16, choices=Route.choices)
    email_delivery = models.ForeignKey(
        EmailDelivery,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("email"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            # What the digest run looks for: small, because sent notices leave it.
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(route=Route.DIGEST, email_delivery__isnull=True, read_at__isnull=True),
                name="notification_digest_waiting",
            ),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.title

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class NotificationPreference(models.Model):
    """A person's chosen channel for one group of kinds; no row means the default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    group = models.CharField(_("group"), max_length=64)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "group"], name="notification_pref_unique"),
        ]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user} · {self.group} · {self.get_channel_display()}"


class DigestSchedule(models.Model):
    """When a person's daily digest goes out: an hour of their unit's local time.

    ``last_digest_at`` is also the claim: a run sends a digest only after moving it forward
    with a conditional UPDATE, so two workers never send the same digest twice.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="digest_schedule",
    )
    digest_hour = models.PositiveSmallIntegerField(
        _("digest hour"),
        default=DEFAULT_DIGEST_HOUR,
        validators=[MinValueValidator(0), MaxValueValidator(23)],
    )
    last_digest_at = models.DateTimeField(_("last digest"), null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(digest_hour__gte=0, digest_hour__lte=23),
                name="digest_hour_in_day",
            ),
        ]
        verbose_name = _("digest schedule")
        verbose_name_plural = _("digest schedules")

    def __str__(self) -> str:
        return f"{self.user} · {self.digest_hour:02d}:00"
