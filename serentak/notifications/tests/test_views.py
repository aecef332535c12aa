from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from serentak.notifications.models import DigestSchedule, Notification, NotificationPreference
from serentak.notifications.services import notify

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _notice(user, title="Pemberitahuan", **kwargs):
    [notice] = notify(recipients=[user], kind="system.announcement", title=title, **kwargs)
    return notice


@pytest.mark.parametrize(
    ("name", "args"),
    [("list", []), ("read", [1]), ("read-all", []), ("preferences", [])],
)
def test_it_sends_anonymous_visitors_to_the_login_page(client_as, name, args):
    response = client_as(None).post(reverse(f"notifications:{name}", args=args))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_lists_only_the_persons_own_notices_unread_first(persona, client_as):
    bombana = persona("bombana")
    old_unread = _notice(bombana, "Lama belum dibaca")
    Notification.objects.filter(pk=old_unread.pk).update(
        created_at=timezone.now() - dt.timedelta(days=3)
    )
    read = _notice(bombana, "Sudah dibaca")
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())
    _notice(persona("konawe"), "Milik Konawe")

    response = client_as("bombana").get(reverse("notifications:list"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Milik Konawe" not in content
    assert content.index("Lama belum dibaca") < content.index("Sudah dibaca")
    assert 'id="unread-count"' in content


def test_it_pages_long_lists(persona, client_as):
    bombana = persona("bombana")
    notify(recipients=[bombana], kind="system.announcement", title="satu")
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=bombana, kind="system.announcement", title=f"n{i}", route="in_app"
            )
            for i in range(30)
        ]
    )
    client = client_as("bombana")
    assert 'rel="next"' in client.get(reverse("notifications:list")).content.decode()
    page_two = client.get(reverse("notifications:list") + "?page=2").content.decode()
    assert 'rel="prev"' in page_two


def test_it_marks_a_notice_read_and_returns_its_row_to_htmx(persona, client_as):
    notice = _notice(persona("bombana"))
    _notice(persona("bombana"), "masih belum dibaca")

    response = client_as("bombana").post(reverse("notifications:read", args=[notice.pk]), **HTMX)

    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert f'id="notification-{notice.pk}"' in content
    assert "Mark as read" not in content
    assert 'id="unread-count" hx-swap-oob="true"' in content
    assert ">1</mark>" in content
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_it_redirects_to_the_list_without_htmx(persona, client_as):
    notice = _notice(persona("bombana"))
    response = client_as("bombana").post(reverse("notifications:read", args=[notice.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("notifications:list")


def test_it_answers_404_for_someone_elses_notice(persona, client_as):
    notice = _notice(persona("konawe"))
    response = client_as("bombana").post(reverse("notifications:read", args=[notice.pk]), **HTMX)
    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


@pytest.mark.parametrize("username", ["pusat", "sultra", "bombana", "konawe", "tamu"])
def test_it_lets_only_the_recipient_see_or_read_a_notice(persona, client_as, username):
    notice = _notice(persona("konawe"), "Hanya untuk Konawe")
    client = client_as(username)
    listed = "Hanya untuk Konawe" in client.get(reverse("notifications:list")).content.decode()
    response = client.post(reverse("notifications:read", args=[notice.pk]), **HTMX)
    if username == "konawe":
        assert listed
        assert response.status_code == 200
    else:
        assert not listed
        assert response.status_code == 404


def test_it_only_marks_reads_by_post(persona, client_as):
    notice = _notice(persona("bombana"))
    response = client_as("bombana").get(reverse("notifications:read", args=[notice.pk]))
    assert response.status_code == 405


def test_it_marks_all_of_the_persons_own_notices_read(persona, client_as):
    mine = [_notice(persona("bombana")), _notice(persona("bombana"))]
    theirs = _notice(persona("konawe"))
    response = client_as("bombana").post(reverse("notifications:read-all"))
    assert response.status_code == 302
    assert Notification.objects.filter(pk__in=[n.pk for n in mine], read_at=None).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_it_shows_and_saves_preferences(persona, client_as):
    client = client_as("bombana")
    page = client.get(reverse("notifications:preferences"))
    content = page.content.decode()
    assert page.status_code == 200
    assert "Pengumuman dari Serentak" in content  # Indonesian by default
    assert "WITA" in content

    response = client.post(
        reverse("notifications:preferences"),
        {"channel_system": "immediate", "channel_org": "off", "digest_hour": "18"},
    )

    assert response.status_code == 302
    bombana = persona("bombana")
    chosen = dict(
        NotificationPreference.objects.filter(user=bombana).values_list("group", "channel")
    )
    assert chosen == {"system": "immediate", "org": "off"}
    assert DigestSchedule.objects.get(user=bombana).digest_hour == 18


def test_it_goes_back_to_the_recommended_channel(persona, client_as):
    client = client_as("bombana")
    data = {"channel_system": "in_app", "channel_org": "", "digest_hour": "7"}
    client.post(reverse("notifications:preferences"), data)
    client.post(reverse("notifications:preferences"), {**data, "channel_system": ""})
    assert not NotificationPreference.objects.filter(user=persona("bombana")).exists()


def test_it_refuses_an_hour_outside_the_day(persona, client_as):
    response = client_as("bombana").post(
        reverse("notifications:preferences"),
        {"channel_system": "", "channel_org": "", "digest_hour": "24"},
    )
    assert response.status_code == 200
    assert not DigestSchedule.objects.filter(user=persona("bombana")).exists()


def test_it_shows_the_persons_recent_emails(persona, client_as):
    _notice(persona("bombana"), priority="high")
    content = client_as("bombana").get(reverse("notifications:preferences")).content.decode()
    assert "Email terbaru untuk Anda" in content
    assert "dalam antrean" in content


@pytest.mark.parametrize("username", ["pusat", "bombana"])
def test_it_lists_five_or_fifty_notices_in_the_same_number_of_queries(
    persona, client_as, username, unit
):
    user = persona(username)
    client = client_as(username)

    def queries_for(count):
        Notification.objects.filter(recipient=user).delete()
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient=user,
                    kind="system.announcement",
                    title=f"n{i}",
                    route="digest",
                    unit=unit("74.06"),
                    priority="high" if i % 2 else "normal",
                    read_at=timezone.now() if i % 3 else None,
                )
                for i in range(count)
            ]
        )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("notifications:list"))
        assert response.status_code == 200
        return len(queries)

    assert queries_for(5) == queries_for(50)
