"""The demo package of `make run`: the workshop article, sent once to every unit."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core.exceptions import ImproperlyConfigured

from serentak.content.demo import DEMO_TITLE, demo_package_seed
from serentak.content.models import Adaptation, AdaptationStatus, Mode, Package, PackageStatus

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC)


def test_it_sends_the_workshop_package_to_every_unit_once(kpu, unit):
    started = time.perf_counter()
    package = demo_package_seed(institution=kpu, now=NOW)
    elapsed = time.perf_counter() - started
    assert elapsed < 5, f"seeding the demo package took {elapsed:.1f}s"

    assert package.title == DEMO_TITLE
    assert package.author_unit == unit("00")
    assert package.mode == Mode.ADAPT
    assert package.status == PackageStatus.SENT
    assert package.moments == {"acara": "2026-03-01T06:00:00+00:00"}
    assert package.deadline == NOW + dt.timedelta(days=7)
    assert "bahasanya" in package.guidance
    assert "Jangan asal copas" in package.guidance
    adaptations = Adaptation.objects.filter(package=package)
    assert adaptations.count() == 552
    assert set(adaptations.values_list("status", flat=True)) == {AdaptationStatus.DRAFT}
    bombana = adaptations.get(unit__code="74.06").rendered
    assert bombana.startswith(
        "Workshop Set Up Akun Facebook Lembaga Pemerintah — KPU Kabupaten Bombana"
    )
    assert "dimulai pada pukul 14.00 WITA" in bombana

    again = demo_package_seed(institution=kpu, now=NOW + dt.timedelta(days=1))
    assert again.pk == package.pk
    assert Package.objects.filter(title=DEMO_TITLE).count() == 1
    assert Adaptation.objects.filter(package=package).count() == 552


def test_it_finishes_sending_a_package_a_previous_run_left_as_a_draft(kpu, monkeypatch):
    from serentak.content import demo

    monkeypatch.setattr(demo, "package_send", lambda **kwargs: 0)
    draft = demo_package_seed(institution=kpu, now=NOW)
    assert draft.status == PackageStatus.DRAFT
    monkeypatch.undo()
    package = demo_package_seed(institution=kpu, now=NOW)
    assert package.pk == draft.pk
    assert package.status == PackageStatus.SENT
    assert Adaptation.objects.filter(package=package).count() == 552


def test_it_is_never_seeded_in_production(kpu, settings):
    settings.DEMO_MODE = False
    with pytest.raises(ImproperlyConfigured):
        demo_package_seed(institution=kpu)
    assert not Package.objects.exists()
