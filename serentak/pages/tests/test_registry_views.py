"""The connect screen and the unit's Facebook page, for every persona."""

from __future__ import annotations

import pytest
from django.urls import reverse

from serentak.pages.models import MatchStatus, Presence
from serentak.pages.services.tokens import token_store

pytestmark = pytest.mark.django_db
TOKEN = "EAAsecret-page-token-never-shown"


@pytest.fixture
def pages(kpu, unit):
    bombana = Presence.objects.create(
        institution=kpu,
        kind="page",
        source="connect",
        page_id="501",
        name="KPU Kab. Bombana",
        match_status=MatchStatus.PROPOSED,
        proposed_unit=unit("74.06"),
        match_score=100.0,
    )
    konawe = Presence.objects.create(
        institution=kpu,
        kind="page",
        source="connect",
        page_id="502",
        name="KPU Kabupaten Konawe",
        unit=unit("74.02"),
        match_status=MatchStatus.CONFIRMED,
        is_official=True,
    )
    for presence in (bombana, konawe):
        token_store(presence=presence, token=TOKEN, tasks=["CREATE_CONTENT"])
    return bombana, konawe


def test_the_centre_confirms_proposals_on_the_connect_screen(client_as, pages, unit):
    bombana, _ = pages
    client = client_as("pusat")
    page = client.get(reverse("pages:connect", args=["kpu"])).content.decode()
    assert "KPU Kab. Bombana" in page
    assert 'value="74.06"' in page
    response = client.post(
        reverse("pages:confirm", args=["kpu"]),
        {"presence": [bombana.pk], f"unit-{bombana.pk}": "74.06", "action": "confirm"},
    )
    assert response.status_code == 302
    bombana.refresh_from_db()
    assert (bombana.unit, bombana.match_status, bombana.is_official) == (
        unit("74.06"),
        MatchStatus.CONFIRMED,
        True,
    )
    # The unit page shows it, and its history says who confirmed it.
    page = client.get(reverse("pages:unit-presences", args=["kpu", "74.06"])).content.decode()
    assert "KPU Kab. Bombana" in page
    assert "Humas KPU RI" in page


@pytest.mark.parametrize("persona_name", ["sultra", "bombana", "konawe", "tamu"])
def test_only_the_centre_opens_the_connect_screen(client_as, pages, persona_name):
    assert client_as(persona_name).get(reverse("pages:connect", args=["kpu"])).status_code == 404
    response = client_as(persona_name).post(reverse("pages:discover", args=["kpu"]))
    assert response.status_code == 404


@pytest.mark.parametrize("persona_name", ["pusat", "sultra", "bombana", "konawe"])
def test_no_page_ever_shows_a_token(client_as, pages, persona_name):
    for path in (
        reverse("pages:unit-presences", args=["kpu", "74.02"]),
        reverse("org:unit-detail", args=["kpu", "74.02"]),
        reverse("pages:connect", args=["kpu"]),
    ):
        body = client_as(persona_name).get(path).content.decode()
        assert TOKEN not in body


def test_an_operator_sees_their_units_pages_and_not_others(client_as, pages):
    mine = client_as("konawe").get(reverse("pages:unit-presences", args=["kpu", "74.02"]))
    assert "KPU Kabupaten Konawe" in mine.content.decode()
    assert (
        client_as("konawe").get(reverse("pages:unit-presences", args=["kpu", "74.06"])).status_code
        == 404
    )
    # and cannot change which Page is official
    _, konawe = pages
    assert (
        client_as("bombana").post(reverse("pages:make-official", args=[konawe.pk])).status_code
        == 404
    )


def test_the_unit_page_has_a_facebook_section(client_as, pages):
    body = (
        client_as("konawe").get(reverse("org:unit-detail", args=["kpu", "74.02"])).content.decode()
    )
    assert 'id="facebook"' in body
    assert "KPU Kabupaten Konawe" in body


def test_one_click_confirms_every_sure_proposal(client_as, pages, unit):
    bombana, _ = pages
    client_as("pusat").post(reverse("pages:confirm", args=["kpu"]), {"action": "confirm_all"})
    bombana.refresh_from_db()
    assert bombana.unit == unit("74.06")
    assert bombana.is_official
