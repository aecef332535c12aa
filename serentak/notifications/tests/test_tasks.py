from __future__ import annotations

import smtplib
from unittest import mock

import pytest

from serentak.notifications import tasks
from serentak.notifications.services import EMAIL_MAX_ATTEMPTS


def test_it_declares_an_explicit_retry_policy_for_emails():
    task = tasks.send_email
    assert smtplib.SMTPException in task.autoretry_for
    assert OSError in task.autoretry_for
    assert task.max_retries == EMAIL_MAX_ATTEMPTS - 1
    assert task.retry_backoff == 30
    assert task.retry_jitter is True
    assert task.time_limit == 120
    assert task.soft_time_limit < task.time_limit


def test_it_is_the_task_that_beat_schedules():
    from serentak.celery import app

    names = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert tasks.send_due_digests.name in names


def test_it_hands_the_id_to_the_service():
    with mock.patch.object(tasks, "email_send") as service:
        tasks.send_email.run(42)
    service.assert_called_once_with(delivery_id=42)


@pytest.mark.django_db
def test_it_sends_due_digests_and_requeues_lost_emails():
    with (
        mock.patch.object(tasks, "digests_send_due", return_value=[1, 2]) as due,
        mock.patch.object(tasks, "email_deliveries_requeue_stale") as requeue,
    ):
        assert tasks.send_due_digests.run() == 2
    due.assert_called_once_with()
    requeue.assert_called_once_with()
