"""The blue-check campaign: eligibility, batches, exports read back, status refresh."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from serentak.graph.config import GraphConfig
from serentak.graph.sandbox.runner import start_sandbox
from serentak.pages.models import Finding, Presence, VerificationRequest, VerificationStatus
from serentak.pages.services.tokens import token_store
from serentak.pages.services.verification import (
    eligibility,
    verification_batch_create,
    verification_refresh,
)

pytestmark = pytest.mark.django_db


def official_page(kpu, unit, code: str, page_id: str, **fields) -> Presence:
    ready = {
        "name": unit.name,
        "about": "Akun resmi " + unit.name,
        "picture_url": "https://scontent.example/p.jpg",
        "picture_is_silhouette": False,
        "has_cover": True,
        "website": "https://kab-bombana.kpu.go.id",
        "is_published": True,
        "last_post_at": timezone.now() - timedelta(days=2),
    }
    return Presence.objects.create(
        institution=kpu,
        unit=unit,
        kind="page",
        source="connect",
        match_status="confirmed",
        is_official=True,
        page_id=page_id,
        link=f"https://www.facebook.com/{page_id}",
        **{**ready, **fields},
    )


@pytest.fixture
def pages(kpu, unit):
    ready = official_page(kpu, unit("74.06"), "74.06", "9001")
    no_website = official_page(
        kpu, unit("74.02"), "74.02", "9002", website="http://kpukonawe.blogspot.com"
    )
    misnamed = official_page(kpu, unit("73.01"), "73.01", "9003", name="KPU Kab. Kepulauan Selayar")
    return ready, no_website, misnamed


def test_it_explains_why_a_page_is_not_eligible(pages):
    ready, no_website, misnamed = pages
    assert eligibility(ready) == []
    assert eligibility(no_website) == ["website"]
    assert eligibility(misnamed) == ["name"]
    stale = Presence(
        **{
            **{f.name: getattr(ready, f.name) for f in Presence._meta.concrete_fields},
            "last_post_at": timezone.now() - timedelta(days=40),
        }
    )
    assert eligibility(stale) == ["inactive"]


def test_an_open_blocker_makes_a_page_ineligible(pages, persona, kpu):
    from serentak.pages.services.verification import verification_candidates

    ready, _, _ = pages
    Finding.objects.create(
        unit=ready.unit, presence=ready, code="token_invalid", severity="blocker"
    )
    candidates = {
        c.presence.pk: c for c in verification_candidates(user=persona("pusat"), institution=kpu)
    }
    assert candidates[ready.pk].reasons == ["blockers"]


def test_the_centre_batches_eligible_pages_and_exports_them(client_as, pages, persona, kpu, unit):
    ready, no_website, _ = pages
    unit_bombana = unit("74.06")
    unit_bombana.emails = ["humas@kab-bombana.kpu.go.id"]
    unit_bombana.save()
    with pytest.raises(ValidationError):
        verification_batch_create(
            actor=persona("pusat"), institution=kpu, presence_ids=[no_website.pk]
        )
    client = client_as("pusat")
    page = client.get(reverse("pages:verification", args=["kpu"])).content.decode()
    assert "KPU Kabupaten Bombana" in page
    response = client.post(
        reverse("pages:verification-create", args=["kpu"]),
        {"presence": [ready.pk], "name": "Gelombang 1"},
    )
    assert response.status_code == 302
    request = VerificationRequest.objects.get(presence=ready)
    assert request.status == VerificationStatus.REQUESTED
    # A requested Page is not offered again.
    assert "already" not in page
    xlsx = client.get(reverse("pages:verification-export", args=[request.batch_id, "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] in {"Kode satker", "Unit code"}
    assert rows[1][:5] == (
        "74.06",
        "KPU Kabupaten Bombana",
        "KPU Provinsi Sulawesi Tenggara",
        "KPU Kabupaten Bombana",
        "9001",
    )
    assert "humas@kab-bombana.kpu.go.id" in rows[1]
    text = client.get(reverse("pages:verification-export", args=[request.batch_id, "csv"])).content
    assert text.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert parsed[1][0] == "74.06"


@pytest.mark.parametrize("persona_name", ["sultra", "bombana", "tamu"])
def test_only_the_centre_runs_the_campaign(client_as, pages, persona_name):
    assert (
        client_as(persona_name).get(reverse("pages:verification", args=["kpu"])).status_code == 404
    )


def test_status_is_refreshed_from_facebook(kpu, unit, persona):
    handle = start_sandbox(pages=20, seed=4)
    try:
        world = handle.client().world()["pages"]
        verified = next(p for p in world if p["name"] == "KPU RI")  # seeded blue_verified
        presence = official_page(kpu, unit("74.06"), "74.06", verified["id"])
        token_store(presence=presence, token=verified["access_token"])
        batch = verification_batch_create(
            actor=persona("pusat"), institution=kpu, presence_ids=[presence.pk]
        )
        config = GraphConfig(
            url=handle.url,
            app_id=handle.app_id,
            app_secret=handle.app_secret,
            system_user_token=handle.system_user_token,
        )
        assert verification_refresh(institution=kpu, config=config) == 1
        assert batch.requests.get().status == VerificationStatus.VERIFIED
    finally:
        handle.stop()


def test_the_audits_reading_settles_requests(pages, persona, kpu):
    from serentak.pages.services.verification import verification_requests_sync

    ready, _, _ = pages
    batch = verification_batch_create(
        actor=persona("pusat"), institution=kpu, presence_ids=[ready.pk]
    )
    assert verification_requests_sync(institution=kpu) == 0
    Presence.objects.filter(pk=ready.pk).update(verification_status="blue_verified")
    assert verification_requests_sync(institution=kpu) == 1
    assert batch.requests.get().status == VerificationStatus.VERIFIED
