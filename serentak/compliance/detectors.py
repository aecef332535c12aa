"""Named detectors: checks a word list cannot express, run on the ORIGINAL text.

``nik``: a NIK (Nomor Induk Kependudukan, protected by UU 27/2022) is 16 digits
PP KK CC DDMMYY SSSS: province, regency, district, birth date (day + 40 for women), serial.
We flag only numbers that pass those checks, so account numbers and other 16-digit strings
are left alone. Province codes are the current ones from ``org/data/kpu/provinces.csv``; a
NIK keeps the code of the province that issued it, so codes of provinces since split (64
before Kalimantan Utara, 91/92 before the 2022 Papua provinces) are valid, and they are all
still current codes; ``HISTORICAL_PROVINCES`` is where a retired code would go.

``phone``: Indonesian mobile numbers (08…, +62 8…, 628…), 10 to 13 digits once written as
08…; the unit's own published numbers are not flagged.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from functools import cache, lru_cache
from importlib import resources

# Retired province codes still found on NIKs (none today: the parents of every split keep
# their code). Kept as data so a retired code can be added without touching the checks.
HISTORICAL_PROVINCES: frozenset[str] = frozenset()

# Any run of 8+ digits and separators: the few places worth the precise patterns below.
_CANDIDATE = re.compile(r"\d[\d .\-]{7,}")
_NIK = re.compile(r"(?<![\d\w])\d(?:[ .\-]?\d){15}(?![\d\w])")
_PHONE = re.compile(r"(?<![\d\w+])(?:\+62|62|0)[ .\-]?8\d(?:[ .\-]?\d){7,10}(?!\d)")


@cache
def province_codes() -> frozenset[str]:
    data = resources.files("serentak.org").joinpath("data", "kpu", "provinces.csv")
    with data.open(encoding="utf-8") as handle:
        return frozenset(row["code"] for row in csv.DictReader(handle)) | HISTORICAL_PROVINCES


def nik_is_valid(digits: str) -> bool:
    """Whether 16 digits are a plausible NIK (province, regency, district, birth date)."""
    if len(digits) != 16 or not digits.isdigit():
        return False
    if digits[:2] not in province_codes() or digits[2:4] == "00" or digits[4:6] == "00":
        return False
    if digits[12:] == "0000":
        return False
    day, month, year = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    if day > 40:
        day -= 40
    for century in (1900, 2000):
        try:
            dt.date(century + year, month, day)
        except ValueError:
            continue
        return True
    return False


@lru_cache(maxsize=8)
def _candidates(text: str) -> tuple[tuple[int, int], ...]:
    """Windows (one character wider each side) around the number-like runs of ``text``."""
    return tuple(
        (max(0, m.start() - 2), min(len(text), m.end() + 1)) for m in _CANDIDATE.finditer(text)
    )


def _matches(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    for start, end in _candidates(text):
        yield from pattern.finditer(text, start, end)


def find_niks(text: str) -> Iterator[tuple[int, int]]:
    for m in _matches(_NIK, text):
        if nik_is_valid(re.sub(r"\D", "", m.group(0))):
            yield m.start(), m.end()


def phone_key(number: str) -> str:
    """A mobile number written as 08…, whatever form it was given in."""
    digits = re.sub(r"\D", "", number)
    if digits.startswith("62"):
        digits = "0" + digits[2:]
    return digits


def find_phones(text: str, own: Iterable[str] = ()) -> Iterator[tuple[int, int]]:
    known = {phone_key(n) for n in own}
    for m in _matches(_PHONE, text):
        key = phone_key(m.group(0))
        if 10 <= len(key) <= 13 and key not in known:
            yield m.start(), m.end()
