"""NIK validity: province (current or historical), birth date with women's day + 40."""

from __future__ import annotations

import pytest

from serentak.compliance.detectors import nik_is_valid
from serentak.compliance.tests.helpers import findings


@pytest.mark.parametrize(
    ("nik", "valid"),
    [
        ("7406011203900001", True),  # Bombana, male, 12 March 1990
        ("7406015203900001", True),  # female: day 12 + 40
        ("7406013102900001", False),  # 31 February
        ("7406017103900001", True),  # female, 31 March
        ("7406017203900001", False),  # day 72 - 40 = 32
        ("0006011203900001", False),  # province 00
        ("9906011203900001", False),  # province 99
        ("9101011203900001", True),  # Papua before the 2022 split (now Papua Selatan)
        ("6401011203900001", True),  # Kalimantan Timur before Kalimantan Utara (2012)
        ("9601011203900001", True),  # a current code
        ("7400011203900001", False),  # regency 00
        ("7406011203900000", False),  # serial 0000
        ("7406012902000001", True),  # 29 Feb 2000
        ("7406012902010001", False),  # 29 Feb 2001
        ("1234567890123456", False),  # account-like
    ],
)
def test_nik_validity(nik, valid):
    assert nik_is_valid(nik) is valid


def test_a_valid_nik_blocks_grouped_or_not():
    for text in [
        "NIK 7406015203900001 atas nama Wa Ode",
        "NIK: 7406 0152 0390 0001",
        "NIK 74.06.01.520390.0001",
        "NIK 7406-0152-0390-0001",
    ]:
        found = findings(text)
        assert [f.rule for f in found] == ["data-pribadi-nik"], text
        assert found[0].excerpt.replace(" ", "").replace(".", "").replace("-", "") == (
            "7406015203900001"
        )


def test_sixteen_digits_that_are_not_a_nik_are_not_flagged():
    # "7406 0112 3456 0001" reads as born on day 12 of month 34: not a NIK.
    assert findings("Nomor: 7406 0112 3456 0001") == []
    assert findings("Rekening BRI 1234567890123456 a.n. panitia") == []
    assert [f.rule for f in findings("HP 0812345678901234")] == []
