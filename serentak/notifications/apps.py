from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "serentak.notifications"
    label = "notifications"
