from __future__ import annotations

import datetime as dt

import pytest

from serentak.core.selectors import people_timezones, viewer_timezone
from serentak.notifications.models import DigestSchedule, EmailDelivery, Notification
from serentak.notifications.services import (
    _digest_claim,
    digest_due_at,
    digest_hour_set,
    digests_send_due,
    email_send,
    notifications_mark_read,
    notify,
    preference_set,
)
from serentak.notifications.tests.conftest import utc
from serentak.org.models import Membership, Unit

# Tuesday 3 March 2026, 12:00 UTC: 19:00 WIB, 20:00 WITA, 21:00 WIT.
MADE_AT = utc(2026, 3, 3, 12, 0)


def test_it_computes_the_last_digest_moment_in_each_zone():
    # 07:00 is 00:00 UTC in WIB, 23:00 UTC the day before in WITA, 22:00 in WIT.
    now = utc(2026, 3, 3, 23, 30)
    assert digest_due_at(now=now, zone="Asia/Jakarta", hour=7) == utc(2026, 3, 3, 0, 0)
    assert digest_due_at(now=now, zone="Asia/Makassar", hour=7) == utc(2026, 3, 3, 23, 0)
    assert digest_due_at(now=now, zone="Asia/Jayapura", hour=7) == utc(2026, 3, 3, 22, 0)
    assert digest_due_at(now=utc(2026, 3, 3, 23, 0), zone="Asia/Makassar", hour=7) == utc(
        2026, 3, 3, 23, 0
    )


@pytest.fixture
def papua_tamu(db, persona):
    """``tamu`` placed in KPU Provinsi Papua, to have someone in WIT."""
    tamu = persona("tamu")
    Membership.objects.create(user=tamu, unit=Unit.objects.get(code="91"), role="viewer")
    return tamu


def _waiting(user, title, at=MADE_AT):
    [notice] = notify(recipients=[user], kind="system.announcement", title=title)
    Notification.objects.filter(pk=notice.pk).update(created_at=at)
    return notice


def _digest_recipients(delivery_ids):
    return sorted(
        EmailDelivery.objects.filter(pk__in=delivery_ids).values_list(
            "recipient__username", flat=True
        )
    )


def test_it_reads_the_zone_of_each_persons_unit_like_the_web_does(persona, papua_tamu):
    people = [persona(name) for name in ("pusat", "sultra", "bombana", "konawe", "tamu")]
    zones = people_timezones(user_ids=[p.pk for p in people])
    assert zones == {p.pk: viewer_timezone(p) for p in people}
    assert zones[persona("bombana").pk] == "Asia/Makassar"
    assert zones[persona("tamu").pk] == "Asia/Jayapura"


def test_it_sends_each_digest_at_seven_local_time_across_wib_wita_and_wit(persona, papua_tamu):
    pusat, bombana = persona("pusat"), persona("bombana")
    for user in (pusat, bombana, papua_tamu):
        _waiting(user, f"untuk {user.username}")

    assert digests_send_due(now=utc(2026, 3, 3, 21, 55)) == []
    assert _digest_recipients(digests_send_due(now=utc(2026, 3, 3, 22, 5))) == ["tamu"]
    assert _digest_recipients(digests_send_due(now=utc(2026, 3, 3, 23, 5))) == ["bombana"]
    assert _digest_recipients(digests_send_due(now=utc(2026, 3, 4, 0, 5))) == ["pusat"]
    assert digests_send_due(now=utc(2026, 3, 4, 0, 20)) == []
    assert EmailDelivery.objects.filter(kind="digest").count() == 3


def test_it_sends_one_email_per_person_listing_every_waiting_notice(persona, mailoutbox):
    bombana = persona("bombana")
    first = _waiting(bombana, "Paket konten pemilu")
    _waiting(bombana, "Jadwal pelatihan", at=MADE_AT + dt.timedelta(hours=1))
    _waiting(persona("konawe"), "Untuk Konawe")

    ids = digests_send_due(now=utc(2026, 3, 3, 23, 5))
    assert _digest_recipients(ids) == ["bombana", "konawe"]
    for delivery_id in ids:
        email_send(delivery_id=delivery_id)

    assert len(mailoutbox) == 2
    [message] = [m for m in mailoutbox if m.to == [bombana.email]]
    assert "2" in message.subject
    assert "Paket konten pemilu" in message.body
    assert "Jadwal pelatihan" in message.body
    assert "WITA" in message.body
    assert "https://serentak.example.org/notifications/" in message.body
    first.refresh_from_db()
    assert first.emailed_at is not None
    assert first.email_delivery is not None
    assert first.email_delivery.status == "sent"


def test_it_dispatches_the_digest_email_on_commit(
    persona, send_email_delay, django_capture_on_commit_callbacks
):
    _waiting(persona("bombana"), "x")
    with django_capture_on_commit_callbacks(execute=True):
        [delivery_id] = digests_send_due(now=utc(2026, 3, 3, 23, 5))
    send_email_delay.assert_called_once_with(delivery_id)


def test_it_writes_the_digest_in_the_recipients_language(persona, mailoutbox):
    sultra, bombana = persona("sultra"), persona("bombana")
    bombana.language = "en"
    bombana.save()
    _waiting(sultra, "x")
    _waiting(bombana, "y")
    for delivery_id in digests_send_due(now=utc(2026, 3, 3, 23, 5)):
        email_send(delivery_id=delivery_id)
    bodies = {m.to[0]: m.body for m in mailoutbox}
    assert "Selasa, 3 Maret 2026" in bodies[sultra.email]
    assert "Tuesday, 3 March 2026" in bodies[bombana.email]


def test_it_never_sends_the_same_digest_twice(persona):
    bombana = persona("bombana")
    _waiting(bombana, "x")
    now = utc(2026, 3, 3, 23, 5)
    assert len(digests_send_due(now=now)) == 1
    _waiting(bombana, "arrived late but made before seven")
    assert digests_send_due(now=now + dt.timedelta(minutes=15)) == []
    # A second worker that read the schedule before the first claimed it gets nothing.
    due_at = digest_due_at(now=now, zone="Asia/Makassar", hour=7)
    assert _digest_claim(person=bombana, due_at=due_at, now=now) is None
    assert EmailDelivery.objects.filter(recipient=bombana).count() == 1


def test_it_keeps_notices_that_arrive_after_the_hour_for_the_next_day(persona):
    bombana = persona("bombana")
    _waiting(bombana, "x", at=utc(2026, 3, 4, 1, 0))  # 09:00 WITA
    assert digests_send_due(now=utc(2026, 3, 4, 2, 0)) == []
    assert digests_send_due(now=utc(2026, 3, 4, 22, 55)) == []
    assert len(digests_send_due(now=utc(2026, 3, 4, 23, 5))) == 1


def test_it_catches_up_a_missed_digest_at_the_next_run(persona):
    _waiting(persona("bombana"), "x")
    # No run between 07:00 and noon WITA: the first run after sends it.
    assert len(digests_send_due(now=utc(2026, 3, 4, 4, 0))) == 1


def test_it_follows_the_persons_digest_hour(persona):
    bombana = persona("bombana")
    digest_hour_set(user=bombana, hour=18)  # 10:00 UTC
    _waiting(bombana, "x", at=utc(2026, 3, 4, 1, 0))
    assert digests_send_due(now=utc(2026, 3, 4, 9, 55)) == []
    assert len(digests_send_due(now=utc(2026, 3, 4, 10, 5))) == 1
    assert DigestSchedule.objects.get(user=bombana).last_digest_at == utc(2026, 3, 4, 10, 5)


def test_it_leaves_out_notices_already_read_in_the_app(persona):
    bombana = persona("bombana")
    notice = _waiting(bombana, "x")
    notifications_mark_read(user=bombana, ids=[notice.pk])
    assert digests_send_due(now=utc(2026, 3, 3, 23, 5)) == []


def test_it_sends_no_digest_to_people_who_switched_notices_off(persona):
    bombana = persona("bombana")
    preference_set(user=bombana, group="system", channel="off")
    notify(recipients=[bombana], kind="system.announcement", title="x")
    assert digests_send_due(now=utc(2026, 3, 10, 23, 5)) == []
    assert not Notification.objects.filter(recipient=bombana).exists()


def test_it_skips_people_deactivated_since(persona):
    bombana = persona("bombana")
    _waiting(bombana, "x")
    bombana.is_active = False
    bombana.save()
    assert digests_send_due(now=utc(2026, 3, 3, 23, 5)) == []
