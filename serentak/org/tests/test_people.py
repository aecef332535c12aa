from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from serentak.accounts.models import User
from serentak.org import services
from serentak.org.models import Invitation, Membership, Role

pytestmark = pytest.mark.django_db


def test_an_admin_invites_by_email_and_the_link_creates_the_account(
    persona, unit, client_as, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as("sultra").post(
            reverse("org:invite"),
            {"email": "Humas.Bombana@Example.org", "unit": str(unit("74.06").pk), "role": "editor"},
        )
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    invitation = Invitation.objects.get(email="humas.bombana@example.org")
    assert invitation.token in mailoutbox[0].body
    assert "KPU Kabupaten Bombana" in mailoutbox[0].subject

    accept_url = reverse("org:invitation-accept", args=[invitation.token])
    response = client_as(None).post(
        accept_url,
        {
            "full_name": "Wa Ode",
            "username": "waode",
            "password1": "Pemilu-2029-aman",
            "password2": "Pemilu-2029-aman",
        },
    )
    assert response.status_code == 302
    waode = User.objects.get(username="waode")
    assert waode.email == "humas.bombana@example.org"
    assert waode.check_password("Pemilu-2029-aman")
    assert Membership.objects.get(user=waode).role == Role.EDITOR
    # The link works once.
    assert client_as(None).get(accept_url).status_code == 410
    # The inviter hears about it in the app.
    notice = persona("sultra").notifications.get(kind="org.invitation_accepted")
    assert "Wa Ode" in notice.title
    assert notice.url == reverse("org:person-detail", args=[waode.pk])


def test_an_expired_or_revoked_invitation_is_refused(persona, unit, client_as):
    invitation = Invitation.objects.create(
        email="a@example.org",
        unit=unit("74.06"),
        role="editor",
        expires_at=timezone.now() - dt.timedelta(minutes=1),
    )
    assert (
        client_as(None).get(reverse("org:invitation-accept", args=[invitation.token])).status_code
        == 410
    )
    fresh = Invitation.objects.create(email="b@example.org", unit=unit("74.06"), role="editor")
    services.invitation_revoke(actor=persona("sultra"), invitation=fresh)
    assert (
        client_as(None).get(reverse("org:invitation-accept", args=[fresh.token])).status_code == 410
    )


def test_accepting_with_a_weak_password_or_taken_username_shows_the_field_error(unit, client_as):
    invitation = Invitation.objects.create(email="c@example.org", unit=unit("74.06"), role="editor")
    url = reverse("org:invitation-accept", args=[invitation.token])
    response = client_as(None).post(
        url,
        {
            "full_name": "C",
            "username": "bombana",
            "password1": "Pemilu-2029-aman",
            "password2": "Pemilu-2029-aman",
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="c@example.org").exists()
    response = client_as(None).post(
        url, {"full_name": "C", "username": "c", "password1": "123", "password2": "123"}
    )
    assert response.status_code == 200
    assert "password1" in response.context["form"].errors


def test_an_invitation_cannot_give_more_than_the_inviter_has(persona, unit):
    with pytest.raises(ValidationError):
        services.invitation_create(
            actor=persona("sultra"), email="x@example.org", unit=unit("74.06"), role="central_admin"
        )
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            actor=persona("sultra"), email="x@example.org", unit=unit("73.01"), role="editor"
        )
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            actor=persona("bombana"), email="x@example.org", unit=unit("74.06"), role="editor"
        )
    # Central admins only exist at the root.
    assert "central_admin" in services.assignable_roles(actor=persona("pusat"), unit=unit("00"))
    assert "central_admin" not in services.assignable_roles(actor=persona("pusat"), unit=unit("74"))


def test_a_second_invitation_to_the_same_address_replaces_the_first(persona, unit):
    first = services.invitation_create(
        actor=persona("sultra"), email="d@example.org", unit=unit("74.06"), role="editor"
    )
    services.invitation_create(
        actor=persona("sultra"), email="d@example.org", unit=unit("74.06"), role="viewer"
    )
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert Invitation.objects.pending().filter(email="d@example.org").get().role == "viewer"


def test_an_admin_deactivates_and_reactivates_someone_in_the_subtree(persona, client_as):
    konawe = persona("konawe")
    client_as("sultra").post(reverse("org:person-set-active", args=[konawe.pk]), {"active": "0"})
    konawe.refresh_from_db()
    assert not konawe.is_active
    assert not client_as(None).login(username="konawe", password="serentak-demo")
    client_as("sultra").post(reverse("org:person-set-active", args=[konawe.pk]), {"active": "1"})
    konawe.refresh_from_db()
    assert konawe.is_active


def test_nobody_deactivates_themselves_or_someone_above_them(persona):
    with pytest.raises(ValidationError):
        services.user_set_active(actor=persona("sultra"), person=persona("sultra"), active=False)
    with pytest.raises(PermissionDenied):
        services.user_set_active(actor=persona("sultra"), person=persona("pusat"), active=False)


def test_a_role_change_is_logged_and_takes_effect(persona, unit):
    from serentak.core.services import changelog_for
    from serentak.org.scoping import Action, user_can

    membership = Membership.objects.get(user__username="konawe")
    services.membership_set(
        actor=persona("sultra"), user=membership.user, unit=membership.unit, role="unit_admin"
    )
    assert user_can(persona("konawe"), Action.MANAGE_PEOPLE, unit("74.02"))
    entry = changelog_for(membership).first()
    assert entry is not None
    assert entry.actor == persona("sultra")


def test_contacts_are_validated_with_the_field_named(client_as, unit):
    url = reverse("org:unit-contacts", args=["kpu", "74.06"])
    response = client_as("sultra").post(
        url, {"emails": "humas@kpu-bombana.go.id\nbukan-email", "phones": ""}
    )
    assert response.status_code == 200
    assert "bukan-email" in response.context["form"].errors["emails"][0]
    response = client_as("sultra").post(
        url, {"emails": "humas@kpu-bombana.go.id", "phones": "+62 401 123456\n0812-3456-7890"}
    )
    assert response.status_code == 302
    bombana = unit("74.06")
    assert bombana.emails == ["humas@kpu-bombana.go.id"]
    assert bombana.phones == ["+62 401 123456", "0812-3456-7890"]


def test_someone_with_an_account_joins_another_unit_through_the_invitation(
    persona, unit, client_as
):
    konawe = persona("konawe")
    konawe.email = "humas@kpu-konawe.go.id"
    konawe.save()
    invitation = services.invitation_create(
        actor=persona("sultra"), email="Humas@KPU-Konawe.go.id", unit=unit("74.06"), role="viewer"
    )
    url = reverse("org:invitation-accept", args=[invitation.token])
    # Signed out: asked to sign in rather than to create a second account.
    page = client_as(None).get(url).content.decode()
    assert "/accounts/login/?next=" in page
    assert 'name="password1"' not in page
    # Another person signed in cannot use it.
    response = client_as("bombana").post(url)
    assert not Membership.objects.filter(user=konawe, unit=unit("74.06")).exists()
    assert response.status_code == 200
    # The invited person joins with one click.
    response = client_as("konawe").post(url)
    assert response.status_code == 302
    assert Membership.objects.get(user=konawe, unit=unit("74.06")).role == "viewer"
    assert client_as("konawe").get(url).status_code == 410
