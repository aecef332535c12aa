"""Moving a unit off a personal profile, followed by the province and the centre."""

from __future__ import annotations

import pytest
from django.urls import reverse

from serentak.pages.models import MigrationChecklist, MigrationStep, Presence

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile(kpu, unit) -> Presence:
    return Presence.objects.create(
        institution=kpu,
        unit=unit("74.06"),
        kind="profile",
        source="import",
        canonical_url="https://www.facebook.com/profile.php?id=100001234",
        name="Kpu Bombana",
    )


def test_the_unit_moves_step_by_step_and_the_province_follows(client_as, profile):
    bombana = client_as("bombana")
    response = bombana.post(reverse("pages:migration-start", args=[profile.pk]))
    checklist = MigrationChecklist.objects.get(profile=profile)
    assert response["Location"] == reverse("pages:migration", args=[checklist.pk])
    for step in MigrationStep.values:
        bombana.post(
            reverse("pages:migration-tick", args=[checklist.pk]), {"step": step, "done": "1"}
        )
    checklist.refresh_from_db()
    assert checklist.completed_at is not None
    page = client_as("sultra").get(reverse("pages:migrations")).content.decode()
    assert "KPU Kabupaten Bombana" in page
    assert "4/4" in page


def test_others_neither_see_nor_tick(client_as, profile, persona):
    from serentak.pages.services.migration import migration_start

    checklist = migration_start(actor=persona("bombana"), profile=profile)
    assert (
        client_as("konawe").get(reverse("pages:migration", args=[checklist.pk])).status_code == 404
    )
    response = client_as("konawe").post(
        reverse("pages:migration-tick", args=[checklist.pk]), {"step": "announce", "done": "1"}
    )
    assert response.status_code == 404
    assert (
        "Kpu Bombana" not in client_as("konawe").get(reverse("pages:migrations")).content.decode()
    )


def test_only_a_personal_profile_gets_a_move(client_as, kpu, unit):
    page = Presence.objects.create(
        institution=kpu,
        unit=unit("74.06"),
        kind="page",
        source="connect",
        page_id="77",
        name="KPU Kabupaten Bombana",
    )
    client_as("bombana").post(reverse("pages:migration-start", args=[page.pk]))
    assert not MigrationChecklist.objects.exists()
