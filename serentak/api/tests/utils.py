"""Helpers shared by the API tests (plain functions: the fixtures live in the root conftest)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from serentak.accounts.models import User
from serentak.api.services import api_token_rotate

PERSONAS = ("pusat", "sultra", "bombana", "konawe", "tamu")


def token_client(key: str) -> Client:
    """A client that sends ``Authorization: Token <key>`` and has no session."""
    return Client(headers={"Authorization": f"Token {key}"})


def token_client_for(username: str) -> Client:
    return token_client(api_token_rotate(user=User.objects.get(username=username)))


def all_units(client: Client, **params: Any) -> list[dict[str, Any]]:
    """Every unit of the list endpoint, following ``next`` links."""
    response = client.get(reverse("api:unit-list"), {"limit": 1000, **params})
    assert response.status_code == 200, response.content
    body = response.json()
    results: list[dict[str, Any]] = body["results"]
    while body["next"]:
        body = client.get(body["next"]).json()
        results += body["results"]
    return results


def codes(client: Client, **params: Any) -> list[str]:
    return [item["code"] for item in all_units(client, **params)]
