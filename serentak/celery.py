"""The Celery app. Tasks take ids, are queued on commit, and each declares its retry policy."""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "serentak.settings")

app = Celery("serentak")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "notifications-send-digests": {
        "task": "serentak.notifications.tasks.send_due_digests",
        "schedule": crontab(minute="*/15"),
    },
    "pages-audit-daily": {
        "task": "serentak.pages.tasks.audit_scheduled",
        "schedule": crontab(hour=19, minute=0),  # 02:00 WIB (the schedule runs in UTC)
    },
}


@worker_init.connect
def refuse_unsafe_production(**kwargs: object) -> None:
    """A production worker, like the web process, refuses to start next to demo accounts."""
    from serentak.core.safety import assert_safe_to_serve

    assert_safe_to_serve()
