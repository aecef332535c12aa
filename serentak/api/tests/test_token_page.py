"""The token page: a person makes, replaces or revokes their token; the key is shown once."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from serentak.api.tests.utils import token_client

pytestmark = pytest.mark.django_db

URL = reverse("api:token")


def test_it_sends_anonymous_visitors_to_the_login_page(client_as):
    for response in (client_as(None).get(URL), client_as(None).post(URL, {"action": "rotate"})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert not Token.objects.exists()


def test_it_shows_that_there_is_no_token_yet(client_as):
    response = client_as("bombana").get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="token-key"' not in page
    assert 'value="revoke"' not in page
    assert reverse("api:unit-list") in page
    assert reverse("api:schema") in page


def test_it_shows_a_new_key_exactly_once(client_as, persona):
    client = client_as("bombana")
    response = client.post(URL, {"action": "rotate"})
    assert response.status_code == 200
    key = Token.objects.get(user=persona("bombana")).key
    page = response.content.decode()
    assert page.count(key) == 1
    assert 'id="token-key"' in page
    assert "no-store" in response["Cache-Control"]
    assert token_client(key).get(reverse("api:me")).status_code == 200

    again = client.get(URL).content.decode()
    assert key not in again
    assert 'id="token-key"' not in again
    assert 'value="revoke"' in again  # the page now knows a token exists


def test_replacing_the_token_retires_the_old_key(client_as, persona):
    client = client_as("bombana")
    client.post(URL, {"action": "rotate"})
    old = Token.objects.get(user=persona("bombana")).key
    response = client.post(URL, {"action": "rotate"})
    new = Token.objects.get(user=persona("bombana")).key
    assert new != old
    assert old not in response.content.decode()
    assert token_client(old).get(reverse("api:me")).status_code == 401
    assert token_client(new).get(reverse("api:me")).status_code == 200


def test_it_revokes_the_token(client_as, persona):
    client = client_as("bombana")
    client.post(URL, {"action": "rotate"})
    key = Token.objects.get(user=persona("bombana")).key
    response = client.post(URL, {"action": "revoke"})
    assert response.status_code == 302
    assert response["Location"] == URL
    assert not Token.objects.filter(user=persona("bombana")).exists()
    assert token_client(key).get(reverse("api:me")).status_code == 401
    assert client.post(URL, {"action": "revoke"}).status_code == 302  # twice is harmless


def test_each_person_handles_only_their_own_token(client_as, persona):
    client_as("konawe").post(URL, {"action": "rotate"})
    konawe_key = Token.objects.get(user=persona("konawe")).key
    client_as("bombana").post(URL, {"action": "revoke"})
    page = client_as("bombana").get(URL).content.decode()
    assert Token.objects.get(user=persona("konawe")).key == konawe_key
    assert konawe_key not in page


def test_it_refuses_an_unknown_action(client_as):
    assert client_as("bombana").post(URL, {"action": "show"}).status_code == 400
    assert client_as("bombana").put(URL).status_code == 405
    assert not Token.objects.exists()
