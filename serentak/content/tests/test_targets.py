"""Resolving a package's targets to units: every shape, the author's reach, and mistakes."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from serentak.content.models import UnitGroup
from serentak.content.targets import targets_parse, targets_resolve
from serentak.org.models import Unit

pytestmark = pytest.mark.django_db


def codes(units: list[Unit]) -> list[str]:
    return [unit.code for unit in units]


def test_all_from_the_centre_reaches_every_province_and_regency_but_not_the_centre(
    unit, django_assert_num_queries
):
    centre = unit("00")
    with django_assert_num_queries(1):
        units = targets_resolve(author_unit=centre, targets="all")
    assert len(units) == 552
    assert "00" not in codes(units)
    assert {"74", "74.06", "91.71"} <= set(codes(units))


def test_all_from_a_province_reaches_its_regencies_only(unit):
    units = targets_resolve(author_unit=unit("74"), targets={"all": True})
    assert units
    assert all(code.startswith("74.") for code in codes(units))
    assert len(units) == Unit.objects.filter(path__startswith=unit("74").path).count() - 1


def test_provinces_means_the_provinces_with_their_regencies(unit, django_assert_num_queries):
    centre = unit("00")
    with django_assert_num_queries(2):
        units = targets_resolve(author_unit=centre, targets={"provinces": ["74", "73"]})
    got = set(codes(units))
    assert {"73", "74", "74.06", "73.71"} <= got
    assert all(code.split(".")[0] in {"73", "74"} for code in got)
    expected = Unit.objects.filter(code__regex=r"^(73|74)(\.|$)").count()
    assert len(units) == expected


def test_a_province_sending_to_its_own_province_reaches_its_regencies(unit):
    units = targets_resolve(author_unit=unit("74"), targets={"provinces": ["74"]})
    assert "74" not in codes(units)
    assert "74.06" in codes(units)


def test_units_are_exactly_those_listed(unit, django_assert_num_queries):
    centre = unit("00")
    with django_assert_num_queries(1):
        units = targets_resolve(author_unit=centre, targets={"units": ["74.06", "74.02"]})
    assert codes(units) == ["74.02", "74.06"]


def test_a_saved_group_sends_to_its_units(kpu, unit):
    group = UnitGroup.objects.create(institution=kpu, name="Pemilihan ulang")
    group.units.set([unit("74.06"), unit("11.01")])
    units = targets_resolve(author_unit=unit("00"), targets={"group": group.pk})
    assert set(codes(units)) == {"74.06", "11.01"}


def test_a_group_unit_deactivated_since_is_left_out(kpu, unit):
    group = UnitGroup.objects.create(institution=kpu, name="Dua")
    group.units.set([unit("74.06"), unit("74.02")])
    Unit.objects.filter(code="74.02").update(is_active=False)
    units = targets_resolve(author_unit=unit("00"), targets={"group": group.pk})
    assert codes(units) == ["74.06"]


def test_an_unknown_group_is_an_error(unit):
    with pytest.raises(ValidationError, match="no unit group 999999"):
        targets_resolve(author_unit=unit("00"), targets={"group": 999999})


def test_a_province_cannot_target_another_province_and_is_told_which_codes(unit):
    with pytest.raises(ValidationError) as caught:
        targets_resolve(author_unit=unit("74"), targets={"units": ["74.06", "73.71", "11.01"]})
    message = " ".join(caught.value.messages)
    assert "11.01, 73.71" in message
    assert "74.06" not in message
    with pytest.raises(ValidationError, match="73"):
        targets_resolve(author_unit=unit("74"), targets={"provinces": ["73"]})


def test_a_province_group_reaching_outside_its_tree_is_refused(kpu, unit):
    group = UnitGroup.objects.create(institution=kpu, name="Campur")
    group.units.set([unit("74.06"), unit("73.71")])
    with pytest.raises(ValidationError, match=r"73\.71"):
        targets_resolve(author_unit=unit("74"), targets={"group": group.pk})


def test_unknown_and_inactive_codes_are_listed(unit):
    Unit.objects.filter(code="74.02").update(is_active=False)
    with pytest.raises(ValidationError) as caught:
        targets_resolve(author_unit=unit("00"), targets={"units": ["74.06", "99.99", "74.02"]})
    assert "99.99, 74.02" in caught.value.messages[0]


def test_provinces_must_be_provinces(unit):
    with pytest.raises(ValidationError, match=r"74\.06"):
        targets_resolve(author_unit=unit("00"), targets={"provinces": ["74", "74.06"]})


def test_targets_reaching_no_unit_are_an_error(unit):
    with pytest.raises(ValidationError, match="no active unit"):
        targets_resolve(author_unit=unit("74"), targets={"units": ["74"]})


@pytest.mark.parametrize(
    "raw",
    [
        "everyone",
        {},
        {"all": False},
        {"units": []},
        {"units": "74.06"},
        {"units": [74.06]},
        {"group": "7"},
        {"provinces": ["74"], "units": ["74.06"]},
        ["74"],
    ],
)
def test_malformed_targets_are_refused(raw):
    with pytest.raises(ValidationError):
        targets_parse(raw)


def test_targets_are_normalised():
    assert targets_parse("all") == {"all": True}
    assert targets_parse({"units": [" 74.06", "74.06", "74.02"]}) == {"units": ["74.06", "74.02"]}
