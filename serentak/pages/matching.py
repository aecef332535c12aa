"""Which unit a Facebook Page belongs to, guessed from its name and username.

Page names in the wild: "KPU Kabupaten Bombana", "KPU Kab. Bombana", "Kpu Bombana",
"KPUD Bombana", usernames "kpu.bombana", "kpukabbombana". Each unit gets several spellings
(full, abbreviated, without the kind word; with spaces and squashed together) and rapidfuzz's
``ratio`` scores a Page against all of them. ``ratio`` rather than a token-set score: "KPU
Kabupaten Konawe" must not match "Konawe Selatan" at 100, and "Kabupaten Bima" must not
match "Kota Bima". A proposal needs a high score and a clear lead over the next unit;
everything else is left for a person to decide.

rapidfuzz does the string distance; the spelling variants are ours, because they are about
how Indonesian institutions name their Pages, which no library knows.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

PROPOSE_AT = 88.0  # a score this high (0-100)...
CLEAR_LEAD = 4.0  # ...and this far ahead of the next unit makes a proposal

_ABBREVIATIONS = {
    "kab": "kabupaten",
    "kabupaten": "kabupaten",
    "prov": "provinsi",
    "propinsi": "provinsi",
    "kpud": "kpu",
    "kpu": "kpu",
    "kip": "kip",
    "adm": "administrasi",
    "kep": "kepulauan",
    "dki": "dki",
}
_KIND_WORDS = ("kabupaten", "kota", "provinsi", "administrasi")


def normalize(text: str) -> str:
    """Lower case, no accents, punctuation as spaces, abbreviations spelled out."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", " ", text.lower()).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


def squash(text: str) -> str:
    return text.replace(" ", "")


@dataclass(frozen=True)
class UnitName:
    unit_id: int
    name: str  # display name, e.g. "KPU Kabupaten Bombana"
    region_name: str  # e.g. "Kabupaten Bombana"
    short_name: str = ""  # e.g. "KPU" (the first word of the display name if empty)
    aliases: tuple[str, ...] = ()  # other names, e.g. the institution's for the root unit


@dataclass(frozen=True)
class Match:
    unit_id: int | None
    score: float
    runner_up_score: float
    # The name or username equals a spelling of this unit more often than of any other unit
    # ("KPU Kabupaten Badung" is exact for Badung, a near miss for Bandung).
    decisive: bool = False

    @property
    def proposed(self) -> bool:
        if self.unit_id is None:
            return False
        if self.decisive:
            return True
        return self.score >= PROPOSE_AT and self.score - self.runner_up_score >= CLEAR_LEAD


def _variants(unit: UnitName) -> set[str]:
    full = normalize(unit.name)
    short = normalize(unit.short_name or unit.name.split()[0])
    region = normalize(unit.region_name)
    bare_region = " ".join(w for w in region.split() if w not in _KIND_WORDS)
    abbreviated = full.replace("kabupaten", "kab").replace("provinsi", "prov")
    spaced = {full, abbreviated, f"{short} {bare_region}".strip(), f"{short} {region}".strip()}
    spaced |= {normalize(alias) for alias in unit.aliases}
    return spaced | {squash(variant) for variant in spaced}


class Matcher:
    """Built once for an institution's units; ``match`` is then fast for any number of Pages."""

    def __init__(self, units: Iterable[UnitName]) -> None:
        self.choices: list[str] = []
        self.owners: list[int] = []
        for unit in units:
            for variant in sorted(_variants(unit)):
                self.choices.append(variant)
                self.owners.append(unit.unit_id)

    def match(self, *, name: str, username: str = "") -> Match:
        queries = {normalize(name)}
        if username:
            spaced = normalize(username)
            queries |= {spaced, squash(spaced)}
        queries |= {squash(query) for query in list(queries)}
        best: dict[int, float] = {}
        exact: dict[int, int] = {}
        for query in filter(None, queries):
            hit: set[int] = set()
            for _choice, score, index in process.extract(
                query, self.choices, scorer=fuzz.ratio, limit=8
            ):
                owner = self.owners[index]
                best[owner] = max(best.get(owner, 0.0), float(score))
                if score == 100 and owner not in hit:
                    hit.add(owner)
                    exact[owner] = exact.get(owner, 0) + 1
        if not best:
            return Match(None, 0.0, 0.0)
        ranked = sorted(best, key=lambda owner: (exact.get(owner, 0), best[owner]), reverse=True)
        winner = ranked[0]
        runner_up = ranked[1] if len(ranked) > 1 else None
        decisive = exact.get(winner, 0) > (exact.get(runner_up, 0) if runner_up else 0)
        return Match(
            winner,
            round(best[winner], 1),
            round(best[runner_up], 1) if runner_up else 0.0,
            decisive=decisive,
        )
