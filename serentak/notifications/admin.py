from django.contrib import admin

from serentak.notifications.models import (
    DigestSchedule,
    EmailDelivery,
    Notification,
    NotificationPreference,
)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "recipient", "kind", "priority", "route", "created_at", "read_at")
    list_filter = ("route", "priority", "kind")
    search_fields = ("title", "recipient__username", "recipient__email", "reference")
    raw_id_fields = ("recipient", "unit", "email_delivery")
    date_hierarchy = "created_at"


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(admin.ModelAdmin):
    list_display = ("to", "kind", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("to", "subject", "recipient__username")
    raw_id_fields = ("recipient",)
    # The history of what was sent: changed by the workers, never by hand.
    readonly_fields = (
        "recipient",
        "to",
        "kind",
        "status",
        "subject",
        "attempts",
        "last_error",
        "created_at",
        "started_at",
        "sent_at",
        "updated_at",
    )


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "group", "channel", "updated_at")
    list_filter = ("group", "channel")
    raw_id_fields = ("user",)


@admin.register(DigestSchedule)
class DigestScheduleAdmin(admin.ModelAdmin):
    list_display = ("user", "digest_hour", "last_digest_at")
    raw_id_fields = ("user",)
