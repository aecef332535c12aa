"""Celery tasks of notifications: thin wrappers around the services, each with its policy."""

from __future__ import annotations

from celery import shared_task

from serentak.notifications.services import (
    EMAIL_MAX_ATTEMPTS,
    EMAIL_RETRYABLE_ERRORS,
    digests_send_due,
    email_deliveries_requeue_stale,
    email_send,
)


# Retries: SMTP and network errors only (anything else is a bug, not bad luck), with
# exponential backoff from 30 s up to 10 min, jittered so a mail server coming back is
# not hit by every worker at once; the EmailDelivery row counts the attempts.
@shared_task(
    acks_late=True,
    autoretry_for=EMAIL_RETRYABLE_ERRORS,
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=EMAIL_MAX_ATTEMPTS - 1,
    soft_time_limit=90,
    time_limit=120,
)
def send_email(delivery_id: int) -> None:
    email_send(delivery_id=delivery_id)


# No retries: beat runs it every 15 minutes and a missed run is caught up by the next one.
@shared_task(soft_time_limit=540, time_limit=600)
def send_due_digests() -> int:
    queued = digests_send_due()
    email_deliveries_requeue_stale()
    return len(queued)
