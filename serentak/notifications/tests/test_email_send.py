from __future__ import annotations

import datetime as dt
import smtplib
from unittest import mock

import pytest
from django.utils import timezone

from serentak.notifications.models import EmailDelivery, EmailStatus
from serentak.notifications.services import (
    EMAIL_MAX_ATTEMPTS,
    email_deliveries_requeue_stale,
    email_send,
    notify,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def urgent(persona):
    [notice] = notify(
        recipients=[persona("sultra")],
        kind="system.announcement",
        title="Rapat darurat pukul 10.00",
        body="Semua humas hadir.",
        url="/units/kpu/74/",
        priority="high",
    )
    return notice


def _send_fails(error):
    return mock.patch("django.core.mail.EmailMessage.send", side_effect=error)


def test_it_sends_the_urgent_notice_with_an_absolute_link(urgent, mailoutbox):
    delivery = email_send(delivery_id=urgent.email_delivery_id)
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    [message] = mailoutbox
    assert message.to == ["sultra@demo.serentak.test"]
    assert message.subject == "Serentak: Rapat darurat pukul 10.00"
    assert "Semua humas hadir." in message.body
    assert "https://serentak.example.org/units/kpu/74/" in message.body
    assert "https://serentak.example.org/notifications/preferences/" in message.body
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    urgent.refresh_from_db()
    assert urgent.emailed_at == delivery.sent_at
    assert delivery.subject == message.subject


def test_it_sends_once_when_the_task_runs_twice(urgent, mailoutbox):
    email_send(delivery_id=urgent.email_delivery_id)
    again = email_send(delivery_id=urgent.email_delivery_id)
    assert len(mailoutbox) == 1
    assert again.attempts == 1


def test_it_leaves_a_fresh_sending_claim_alone_but_takes_over_a_stale_one(urgent, mailoutbox):
    pk = urgent.email_delivery_id
    EmailDelivery.objects.filter(pk=pk).update(
        status=EmailStatus.SENDING, started_at=timezone.now(), attempts=1
    )
    assert email_send(delivery_id=pk).status == "sending"
    assert mailoutbox == []
    EmailDelivery.objects.filter(pk=pk).update(started_at=timezone.now() - dt.timedelta(minutes=11))
    assert email_send(delivery_id=pk).status == "sent"
    assert len(mailoutbox) == 1


def test_it_puts_the_email_back_in_the_queue_after_an_smtp_error(urgent):
    pk = urgent.email_delivery_id
    with _send_fails(smtplib.SMTPServerDisconnected("gone")), pytest.raises(smtplib.SMTPException):
        email_send(delivery_id=pk)
    delivery = EmailDelivery.objects.get(pk=pk)
    assert (delivery.status, delivery.attempts) == ("queued", 1)
    assert delivery.last_error == "SMTPServerDisconnected: gone"


def test_it_marks_the_email_failed_after_the_last_attempt(urgent):
    pk = urgent.email_delivery_id
    for _ in range(EMAIL_MAX_ATTEMPTS):
        with (
            _send_fails(ConnectionRefusedError("refused")),
            pytest.raises(ConnectionRefusedError, match="refused"),
        ):
            email_send(delivery_id=pk)
    delivery = EmailDelivery.objects.get(pk=pk)
    assert (delivery.status, delivery.attempts) == ("failed", EMAIL_MAX_ATTEMPTS)
    # A late retry of the task finds nothing to do.
    assert email_send(delivery_id=pk).attempts == EMAIL_MAX_ATTEMPTS


def test_it_fails_at_once_on_an_error_that_would_not_pass(urgent):
    pk = urgent.email_delivery_id
    with _send_fails(ValueError("bad header")), pytest.raises(ValueError, match="bad header"):
        email_send(delivery_id=pk)
    assert EmailDelivery.objects.get(pk=pk).status == "failed"


def test_it_does_not_email_a_person_deactivated_since(urgent, mailoutbox):
    urgent.recipient.is_active = False
    urgent.recipient.save()
    delivery = email_send(delivery_id=urgent.email_delivery_id)
    assert delivery.status == "failed"
    assert mailoutbox == []


def test_it_queues_again_emails_whose_task_was_lost(
    urgent, send_email_delay, django_capture_on_commit_callbacks
):
    pk = urgent.email_delivery_id
    now = timezone.now()
    assert email_deliveries_requeue_stale(now=now) == []
    EmailDelivery.objects.filter(pk=pk).update(updated_at=now - dt.timedelta(minutes=30))
    with django_capture_on_commit_callbacks(execute=True):
        assert email_deliveries_requeue_stale(now=now) == [pk]
    send_email_delay.assert_called_once_with(pk)
