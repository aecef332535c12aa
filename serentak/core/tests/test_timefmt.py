from __future__ import annotations

import datetime as dt

from django.utils import translation

from serentak.core.timefmt import format_local, is_valid_zone, zone_label

WORKSHOP = dt.datetime(2021, 11, 10, 6, 0, tzinfo=dt.UTC)  # 14.00 in Kendari


def test_it_formats_the_indonesian_way_in_the_units_zone():
    with translation.override("id"):
        assert format_local(WORKSHOP, "Asia/Makassar") == "Rabu, 10 November 2021 pukul 14.00 WITA"
        assert format_local(WORKSHOP, "Asia/Jakarta") == "Rabu, 10 November 2021 pukul 13.00 WIB"
        assert format_local(WORKSHOP, "Asia/Jayapura") == "Rabu, 10 November 2021 pukul 15.00 WIT"


def test_it_formats_in_english_when_english_is_on():
    with translation.override("en"):
        assert (
            format_local(WORKSHOP, "Asia/Makassar") == "Wednesday, 10 November 2021 at 14:00 WITA"
        )


def test_it_labels_the_three_national_zones_and_falls_back_to_abbreviations():
    assert zone_label("Asia/Jakarta") == "WIB"
    assert zone_label("Asia/Pontianak") == "WIB"
    assert zone_label("Asia/Makassar") == "WITA"
    assert zone_label("Asia/Jayapura") == "WIT"
    assert zone_label("Europe/Amsterdam", dt.datetime(2026, 1, 1, tzinfo=dt.UTC)) == "CET"
    assert zone_label("Not/AZone") == "Not/AZone"


def test_it_validates_iana_zone_names():
    assert is_valid_zone("Asia/Makassar")
    assert not is_valid_zone("WITA")
    assert not is_valid_zone("")
    assert not is_valid_zone(" Asia/Jakarta")
    assert not is_valid_zone("../etc/passwd")
