from __future__ import annotations

import pytest

from serentak.content.models import Adaptation
from serentak.content.services import package_create, package_send

pytestmark = pytest.mark.django_db


def test_in_aceh_the_institution_is_the_kip(persona, unit):
    package = package_create(
        actor=persona("pusat"),
        author_unit=unit("00"),
        title="Nama lembaga",
        body="{{ lembaga }} {{ wilayah }}",
        mode="adapt",
        priority="normal",
        targets={"units": ["11.01", "74.06"]},
    )
    package_send(actor=persona("pusat"), package=package)
    rendered = dict(Adaptation.objects.values_list("unit__code", "rendered"))
    assert rendered == {"11.01": "KIP Kabupaten Aceh Selatan", "74.06": "KPU Kabupaten Bombana"}
