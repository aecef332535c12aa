from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from serentak.org.models import Unit
from serentak.org.services import units_load_preset

pytestmark = pytest.mark.django_db


def test_it_builds_the_553_unit_kpu_tree(kpu):
    units = Unit.objects.filter(institution=kpu)
    assert units.count() == 553
    assert units.filter(kind="centre").count() == 1
    assert units.filter(kind="province").count() == 38
    assert units.filter(kind="regency").count() == 416
    assert units.filter(kind="city").count() == 98


def test_it_names_units_by_the_convention_with_overrides(unit):
    assert unit("00").name == "KPU RI"
    assert unit("74").name == "KPU Provinsi Sulawesi Tenggara"
    assert unit("74.06").name == "KPU Kabupaten Bombana"
    assert unit("74.71").name == "KPU Kota Kendari"
    assert unit("11").name == "KIP Aceh"
    assert unit("11.01").name == "KIP Kabupaten Aceh Selatan"
    assert unit("31.71").name == "KPU Kota Jakarta Pusat"
    assert unit("74.06").region_name == "Kabupaten Bombana"


def test_regencies_take_their_provinces_time_zone(unit):
    assert unit("74.06").timezone == "Asia/Makassar"
    assert unit("74.06").tz_label == "WITA"
    assert unit("94.01").timezone == "Asia/Jayapura"
    assert unit("61.71").timezone == "Asia/Jakarta"


def test_subtree_and_ancestors_are_one_query_each(unit, django_assert_num_queries):
    sultra = unit("74")
    bombana = unit("74.06")
    with django_assert_num_queries(1):
        assert len(list(sultra.subtree())) == 18
    with django_assert_num_queries(1):
        assert [u.code for u in bombana.ancestors()] == ["00", "74"]


def test_a_second_load_changes_nothing(kpu):
    ids_before = dict(Unit.objects.values_list("code", "id"))
    _, report = units_load_preset(preset="kpu")
    assert not report.changed
    assert report.unchanged == 553
    assert dict(Unit.objects.values_list("code", "id")) == ids_before


def test_a_changed_name_updates_the_unit_and_keeps_its_id(unit):
    bombana = unit("74.06")
    Unit.objects.filter(pk=bombana.pk).update(name="KPU Bombana (lama)")
    _, report = units_load_preset(preset="kpu")
    assert report.updated == ["74.06"]
    renamed = unit("74.06")
    assert renamed.pk == bombana.pk
    assert renamed.name == "KPU Kabupaten Bombana"
    from serentak.core.services import changelog_for

    entry = changelog_for(renamed).first()
    assert entry is not None
    assert entry.changes["name"] == ["KPU Bombana (lama)", "KPU Kabupaten Bombana"]


def test_units_list_json_prints_counts_and_units(capsys):
    call_command("units", "list", "--json")
    payload = json.loads(capsys.readouterr().out)
    assert payload["counts"] == {"centre": 1, "province": 38, "regency": 416, "city": 98}
    assert len(payload["units"]) == 553
    bombana = next(u for u in payload["units"] if u["code"] == "74.06")
    assert bombana == {
        "code": "74.06",
        "name": "KPU Kabupaten Bombana",
        "kind": "regency",
        "parent": "74",
        "timezone": "Asia/Makassar",
    }
    centre = next(u for u in payload["units"] if u["kind"] == "centre")
    assert centre["parent"] is None


def test_aceh_units_carry_the_kip_short_name(unit):
    assert unit("11").short_name == "KIP"
    assert unit("11.01").short_name == "KIP"
    assert unit("74.06").short_name == ""
