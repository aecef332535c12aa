"""Who gets in: a token or a session; nobody else, and no token outlives its revocation."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from serentak.accounts.models import User
from serentak.api.services import api_token_revoke, api_token_rotate
from serentak.api.tests.utils import PERSONAS, token_client
from serentak.core.services import changelog_for

pytestmark = pytest.mark.django_db

API_URLS = [
    reverse("api:unit-list"),
    reverse("api:unit-detail", args=["kpu", "74.06"]),
    reverse("api:me"),
]


@pytest.mark.parametrize("url", API_URLS)
def test_it_answers_anonymous_callers_with_401(url):
    response = Client().get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert set(response.json()) == {"detail"}


@pytest.mark.parametrize("url", API_URLS)
def test_it_refuses_an_unknown_token(url):
    assert token_client("0" * 40).get(url).status_code == 401


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lets_every_persona_in_with_a_session_or_a_token(client_as, persona):
    user = User.objects.get(username=persona)
    key = api_token_rotate(user=user)
    for client in (client_as(persona), token_client(key)):
        response = client.get(reverse("api:me"))
        assert response.status_code == 200
        assert response.json()["username"] == persona


def test_it_makes_one_token_per_person_and_a_new_key_on_each_rotation(persona):
    bombana = persona("bombana")
    first = api_token_rotate(user=bombana)
    second = api_token_rotate(user=bombana)
    assert first != second
    assert len(second) == 40
    assert list(Token.objects.filter(user=bombana).values_list("key", flat=True)) == [second]


def test_a_rotated_token_stops_working(persona):
    bombana = persona("bombana")
    old = api_token_rotate(user=bombana)
    assert token_client(old).get(reverse("api:me")).status_code == 200
    new = api_token_rotate(user=bombana)
    assert token_client(old).get(reverse("api:me")).status_code == 401
    assert token_client(new).get(reverse("api:me")).status_code == 200


def test_a_revoked_token_stops_working(persona):
    bombana = persona("bombana")
    key = api_token_rotate(user=bombana)
    assert api_token_revoke(user=bombana) is True
    assert token_client(key).get(reverse("api:unit-list")).status_code == 401
    assert api_token_revoke(user=bombana) is False  # nothing left to revoke


def test_a_deactivated_persons_token_stops_working(persona):
    bombana = persona("bombana")
    key = api_token_rotate(user=bombana)
    User.objects.filter(pk=bombana.pk).update(is_active=False)
    for url in API_URLS:
        assert token_client(key).get(url).status_code == 401


def test_it_does_not_give_a_deactivated_person_a_token(persona):
    bombana = persona("bombana")
    bombana.is_active = False
    with pytest.raises(PermissionDenied):
        api_token_rotate(user=bombana)
    assert not Token.objects.filter(user=bombana).exists()


def test_it_logs_token_changes_without_the_key(persona):
    bombana = persona("bombana")
    key = api_token_rotate(user=bombana)
    api_token_rotate(user=bombana)
    api_token_revoke(user=bombana)
    entries = changelog_for(bombana).filter(changes__has_key="api_token")
    assert [entry.changes["api_token"] for entry in entries.order_by("id")] == [
        [None, "new"],
        ["set", "new"],
        ["set", None],
    ]
    assert all(key not in str(entry.changes) for entry in entries)
    assert {entry.actor_id for entry in entries} == {bombana.pk}


def test_it_is_read_only(client_as):
    client = client_as("pusat")
    assert client.post(reverse("api:unit-list"), {}).status_code == 405
    token = token_client(api_token_rotate(user=User.objects.get(username="pusat")))
    assert token.post(reverse("api:unit-list"), {}).status_code == 405
    assert token.delete(reverse("api:unit-detail", args=["kpu", "74.06"])).status_code == 405
