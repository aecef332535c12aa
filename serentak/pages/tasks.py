"""Celery tasks of pages: thin wrappers around the services, each with its policy."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from serentak.pages.services.audit import (
    AUDIT_MAX_ATTEMPTS,
    AuditRetryLater,
    audit_run_claimed,
    audits_schedule,
)


# Retries: only when the Graph API as a whole said "retry later" or the database was
# briefly unavailable (the service has put the row back in the queue); anything else is a
# bug and fails the row. Backoff from 60 s up to 15 min, jittered; the AuditRun row counts
# the attempts and fails the run after the last one. The time limits sit under the
# service's AUDIT_STALE_AFTER, after which another worker may claim the row.
@shared_task(
    acks_late=True,
    autoretry_for=(AuditRetryLater, OperationalError),
    retry_backoff=60,
    retry_backoff_max=900,
    retry_jitter=True,
    max_retries=AUDIT_MAX_ATTEMPTS - 1,
    soft_time_limit=840,
    time_limit=900,
)
def audit_run_task(run_id: int) -> None:
    audit_run_claimed(run_id=run_id)


# No retries: beat runs it daily and it only queues runs (each with its own policy above).
@shared_task(soft_time_limit=60, time_limit=90)
def audit_scheduled() -> int:
    return len(audits_schedule())
