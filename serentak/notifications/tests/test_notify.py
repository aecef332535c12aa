from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext_lazy

from serentak.accounts.models import User
from serentak.notifications.kinds import UnknownKind
from serentak.notifications.models import EmailDelivery, EmailKind, Notification
from serentak.notifications.services import (
    EMAIL_FLOOD_LIMIT,
    notifications_mark_all_read,
    notifications_mark_read,
    notify,
    preference_set,
)

pytestmark = pytest.mark.django_db


def _people(*names, persona):
    return [persona(name) for name in names]


def test_it_creates_one_notice_per_recipient_in_bulk(persona):
    people = _people("pusat", "sultra", "bombana", persona=persona)
    created = notify(recipients=people, kind="system.announcement", title="Rapat koordinasi")
    assert len(created) == 3
    rows = Notification.objects.filter(kind="system.announcement")
    assert sorted(rows.values_list("recipient__username", flat=True)) == [
        "bombana",
        "pusat",
        "sultra",
    ]
    assert set(rows.values_list("route", flat=True)) == {"digest"}
    assert not EmailDelivery.objects.exists()


def test_it_needs_the_same_queries_for_two_recipients_or_forty(persona):
    many = User.objects.bulk_create(
        [User(username=f"humas{i}", email=f"humas{i}@example.org") for i in range(40)]
    )
    few = _people("pusat", "sultra", persona=persona)

    def count(recipients):
        with CaptureQueriesContext(connection) as queries:
            notify(recipients=recipients, kind="system.announcement", title="x", priority="high")
        return len(queries)

    assert count(few) == count(many)
    assert Notification.objects.filter(recipient__in=many).count() == 40
    assert EmailDelivery.objects.filter(recipient__in=many).count() == 40


def test_it_emails_urgent_notices_at_once_once_the_transaction_commits(
    persona, send_email_delay, django_capture_on_commit_callbacks
):
    sultra = persona("sultra")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        [notice] = notify(
            recipients=[sultra], kind="system.announcement", title="Segera", priority="high"
        )
    assert notice.route == "immediate"
    delivery = notice.email_delivery
    assert delivery is not None
    assert (delivery.kind, delivery.status, delivery.to) == ("immediate", "queued", sultra.email)
    send_email_delay.assert_not_called()  # nothing leaves before the commit

    assert len(callbacks) == 1
    callbacks[0]()
    send_email_delay.assert_called_once_with(delivery.pk)


def test_it_queues_nothing_for_digest_and_in_app_notices(
    persona, send_email_delay, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(recipients=[persona("sultra")], kind="system.announcement", title="Biasa")
        notify(recipients=[persona("sultra")], kind="org.invitation_accepted", title="Diterima")
    assert callbacks == []
    send_email_delay.assert_not_called()


def test_it_honours_each_persons_channel_for_the_group(persona):
    pusat, sultra, bombana, konawe = _people(
        "pusat", "sultra", "bombana", "konawe", persona=persona
    )
    preference_set(user=pusat, group="system", channel="immediate")
    preference_set(user=sultra, group="system", channel="in_app")
    preference_set(user=bombana, group="system", channel="off")
    preference_set(user=konawe, group="org", channel="off")  # another group: no effect here

    notify(recipients=[pusat, sultra, bombana, konawe], kind="system.announcement", title="x")

    routes = dict(Notification.objects.values_list("recipient__username", "route"))
    assert routes == {"pusat": "immediate", "sultra": "in_app", "konawe": "digest"}


def test_it_creates_nothing_at_all_for_people_who_switched_the_group_off(persona):
    bombana = persona("bombana")
    preference_set(user=bombana, group="system", channel="off")
    created = notify(recipients=[bombana], kind="system.announcement", title="x", priority="high")
    assert created == []
    assert not Notification.objects.filter(recipient=bombana).exists()
    assert not EmailDelivery.objects.exists()


def test_it_keeps_notices_in_the_app_for_people_without_an_email_address(persona):
    tamu = persona("tamu")
    tamu.email = ""
    tamu.save()
    [notice] = notify(recipients=[tamu], kind="system.announcement", title="x", priority="high")
    assert notice.route == "in_app"
    assert notice.email_delivery is None


def test_it_skips_deactivated_people_and_duplicates(persona):
    konawe, bombana = persona("konawe"), persona("bombana")
    konawe.is_active = False
    konawe.save()
    created = notify(recipients=[bombana, bombana, konawe], kind="system.announcement", title="x")
    assert [n.recipient_id for n in created] == [bombana.pk]


def test_it_holds_back_urgent_emails_past_the_hourly_limit_for_the_digest(persona):
    sultra, bombana = persona("sultra"), persona("bombana")
    for _ in range(EMAIL_FLOOD_LIMIT):
        notify(recipients=[sultra], kind="system.announcement", title="x", priority="high")
    # Emails older than the window do not count.
    EmailDelivery.objects.create(
        recipient=bombana,
        to=bombana.email,
        kind=EmailKind.IMMEDIATE,
        created_at=timezone.now() - dt.timedelta(hours=2),
    )

    created = notify(
        recipients=[sultra, bombana], kind="system.announcement", title="y", priority="high"
    )

    routes = {n.recipient_id: n.route for n in created}
    assert routes == {sultra.pk: "digest", bombana.pk: "immediate"}
    assert EmailDelivery.objects.filter(recipient=sultra).count() == EMAIL_FLOOD_LIMIT


def test_it_writes_lazy_texts_in_each_recipients_language(persona):
    sultra, bombana = persona("sultra"), persona("bombana")
    bombana.language = "en"
    bombana.save()
    notify(recipients=[sultra, bombana], kind="system.announcement", title=gettext_lazy("Tuesday"))
    titles = dict(Notification.objects.values_list("recipient__username", "title"))
    assert titles == {"sultra": "Selasa", "bombana": "Tuesday"}


def test_it_refuses_unknown_kinds_priorities_and_unsafe_links(persona):
    people = [persona("sultra")]
    with pytest.raises(UnknownKind):
        notify(recipients=people, kind="system.nope", title="x")
    with pytest.raises(ValueError, match="priority"):
        notify(recipients=people, kind="system.announcement", title="x", priority="urgent")
    with pytest.raises(ValueError, match="link"):
        notify(recipients=people, kind="system.announcement", title="x", url="javascript:alert(1)")
    assert not Notification.objects.exists()


def test_it_keeps_the_unit_and_reference_for_the_sending_app(persona, unit):
    bombana_unit = unit("74.06")
    [notice] = notify(
        recipients=[persona("bombana")],
        kind="system.announcement",
        title="x",
        url="/units/kpu/74.06/",
        unit=bombana_unit,
        reference="content.package:42",
    )
    notice.refresh_from_db()
    assert notice.unit == bombana_unit
    assert notice.reference == "content.package:42"
    assert notice.url == "/units/kpu/74.06/"


def test_it_marks_only_the_persons_own_notices_read(persona):
    bombana, konawe = persona("bombana"), persona("konawe")
    mine = notify(recipients=[bombana], kind="system.announcement", title="x")
    theirs = notify(recipients=[konawe], kind="system.announcement", title="y")
    ids = [n.pk for n in mine + theirs]
    assert notifications_mark_read(user=bombana, ids=ids) == 1
    assert notifications_mark_read(user=bombana, ids=ids) == 0  # already read
    assert Notification.objects.get(pk=theirs[0].pk).read_at is None
    notify(recipients=[bombana, konawe], kind="system.announcement", title="z")
    assert notifications_mark_all_read(user=bombana) == 1
    assert Notification.objects.filter(recipient=konawe, read_at=None).count() == 2


def test_it_refuses_unknown_groups_and_channels(persona):
    bombana = persona("bombana")
    with pytest.raises(ValidationError):
        preference_set(user=bombana, group="nope", channel="off")
    with pytest.raises(ValidationError):
        preference_set(user=bombana, group="system", channel="carrier-pigeon")
