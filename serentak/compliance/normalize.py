# ruff: noqa: RUF001, RUF003  -- the look-alike letters are the point of this module
"""Normalisation against evasion, with a map back to the original text.

Hand-written because no library does this for Indonesian social posts: it folds case,
Unicode compatibility forms and look-alike letters (Cyrillic/Greek), drops zero-width
characters, joins spaced-out letters ("j.u.d.i", "s l o t"), reads leetspeak inside words
("jud1 0nl1ne"), collapses stretched letters (runs of 3+ become one: "gacoooor" -> "gacor";
real double letters such as "saat" are kept) and reduces everything else to single spaces.
The result is ``" " + words joined by single spaces + " "`` over ``[a-z0-9]``, so a phrase
padded with spaces matches on word boundaries only. Patterns go through the same function.

Speed: the common path is two ``str.translate``, one Aho-Corasick pass over trigger
substrings (which stages are needed at all) and ``str.split``; the regex stages run only on
texts that need them. The map from normalised to original offsets is only built when a
finding needs it (`Normalized.span`), by re-running the *same* pipeline with tracking.

Limits (documented, not bugs): compatibility forms that expand to several letters (ligatures
such as "ﬁ") become a separator; a word stretched to exactly two letters ("gacoor") is kept.
"""

from __future__ import annotations

import re
import string
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ahocorasick

# Look-alike letters seen in evasive posts: Cyrillic and Greek forms of Latin letters.
HOMOGLYPHS = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ɡ": "g",
    "ӏ": "l", "ո": "n", "ս": "u", "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k",
    "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "γ": "y", "ω": "w", "ѵ": "v",
}  # fmt: skip
# A word written wholly in Cyrillic ("слот") is read phonetically, letter for letter; a
# Cyrillic letter inside a Latin word ("сoblos") is a look-alike and goes through HOMOGLYPHS.
CYRILLIC = str.maketrans("абвгдеёжзийклмнопрстуфхцчшщыэюя", "abvgdeezziiklmnoprstufhccssyeua")
_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]{2,}", re.IGNORECASE)
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
# Separators that may sit between spaced-out letters, and leet symbols; kept until used.
KEPT = " .-_*@$" + ZERO_WIDTH
LEET = str.maketrans("013457@$", "oieastas")


class _Table(dict[int, str]):
    """``str.translate`` table mapping every character to exactly one character."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if char in KEPT:
            out = char
        elif char in HOMOGLYPHS or char.lower() in HOMOGLYPHS:
            out = HOMOGLYPHS.get(char) or HOMOGLYPHS[char.lower()]
        else:
            folded = "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
            ).lower()
            out = folded if len(folded) == 1 and (folded.isascii() and folded.isalnum()) else " "
            if out == " " and folded in HOMOGLYPHS:
                out = HOMOGLYPHS[folded]
        self[code] = out
        return out


_TABLE = _Table()

Repl = Callable[[re.Match[str]], str]


@dataclass(frozen=True)
class Stage:
    """One ``re.sub`` pass; ``origins`` gives, per output char, its offset in the match."""

    pattern: re.Pattern[str]
    repl: Repl
    origins: Callable[[re.Match[str], str], list[int]]


def _spaced(m: re.Match[str]) -> str:
    return m.group(0)[::2]


def _first(m: re.Match[str]) -> str:
    return m.group(0)[0]


def _leet(m: re.Match[str]) -> str:
    return m.group(0).translate(LEET)


STAGES = [
    Stage(re.compile(f"[{ZERO_WIDTH}]+"), lambda m: "", lambda m, out: []),
    # Three or more single letters joined by the same one-character separator.
    Stage(
        re.compile(r"(?<![a-z0-9])[a-z0-9]([ .\-_*])(?:[a-z0-9]\1)+[a-z0-9](?![a-z0-9])"),
        _spaced,
        lambda m, out: list(range(0, 2 * len(out), 2)),
    ),
    # Leet inside a word that has at least one letter (pure numbers stay numbers).
    Stage(
        re.compile(r"(?<![a-z0-9@$])(?=[a-z0-9@$]*[a-z])[a-z0-9@$]*[013457@$][a-z0-9@$]*"),
        _leet,
        lambda m, out: list(range(len(out))),
    ),
    Stage(re.compile(r"([a-z])\1\1+"), _first, lambda m, out: [0]),
]
ZERO, SPACED, LEET_STAGE, STRETCH = range(4)


def _trigger_automaton() -> Any:
    """Substrings that make a stage worth running: one C pass instead of four regex scans.

    A stage runs only when its trigger is present, in both the fast and the tracked path,
    so they agree. Leet is read when a leet character touches a letter ("jud1", "0nline").
    """
    automaton = ahocorasick.Automaton()
    alnum = string.ascii_lowercase + string.digits
    triggers: dict[str, int] = dict.fromkeys(ZERO_WIDTH, ZERO)
    triggers |= {f"{sep}{c}{sep}": SPACED for sep in " .-_*" for c in alnum}
    for letter in string.ascii_lowercase:
        triggers[letter * 3] = STRETCH
        for leet in "013457@$":
            triggers[letter + leet] = triggers[leet + letter] = LEET_STAGE
    for key, stage in triggers.items():
        automaton.add_word(key, stage)
    automaton.make_automaton()
    return automaton


_TRIGGERS = _trigger_automaton()


def _needed(text: str) -> set[int]:
    return {stage for _, stage in _TRIGGERS.iter(text)}


@dataclass
class _Map:
    """Replaced regions of one stage; between regions the offset shifts by a fixed delta.

    A region is ``(out_start, in_start, in_end, origins)``: ``origins[i]`` is where output
    char ``i`` of the region comes from, relative to ``in_start``.
    """

    out_starts: list[int] = field(default_factory=list)
    regions: list[tuple[int, int, int, list[int]]] = field(default_factory=list)

    def to_input(self, start: int, end: int) -> tuple[int, int]:
        first = self._point(start, last=False)
        return first, (self._point(end - 1, last=True) if end > start else first)

    def _point(self, pos: int, *, last: bool) -> int:
        """Input offset of output char ``pos`` (its end when ``last``)."""
        k = bisect_right(self.out_starts, pos) - 1
        if k < 0:
            return pos + 1 if last else pos
        out_a, in_a, in_b, origins = self.regions[k]
        out_b = out_a + len(origins)
        if pos >= out_b:  # after the region: unchanged text
            return pos + (in_b - out_b) + (1 if last else 0)
        i = pos - out_a
        if not last:
            return in_a + origins[i]
        return in_a + origins[i + 1] if i + 1 < len(origins) else in_b


def _run(stage: Stage, text: str) -> tuple[str, _Map]:
    parts: list[str] = []
    mapping = _Map()
    last = 0
    out_len = 0
    for m in stage.pattern.finditer(text):
        parts.append(text[last : m.start()])
        out_len += m.start() - last
        out = stage.repl(m)
        mapping.out_starts.append(out_len)
        mapping.regions.append((out_len, m.start(), m.end(), stage.origins(m, out)))
        parts.append(out)
        out_len += len(out)
        last = m.end()
    parts.append(text[last:])
    return "".join(parts), mapping


_ASCII = str.maketrans({chr(c): _TABLE[c] for c in range(128)})
_FINAL = str.maketrans(".-_*@$", "      ")
_COLLAPSE = Stage(re.compile(r" {2,}"), lambda m: " ", lambda m, out: [0])
# The leading pad: output char 0 comes from nowhere, everything after shifts by one.
_PAD = _Map([0], [(0, 0, 0, [0])])


def _prepare(text: str) -> str:
    if text.isascii():
        return text.lower().translate(_ASCII)
    text = _CYRILLIC_WORD.sub(lambda m: m.group(0).lower().translate(CYRILLIC), text)
    return text.translate(_TABLE)


def _pipeline(text: str, *, track: bool) -> tuple[str, list[_Map]]:
    """The normalised text and, when ``track``, the maps of every stage that ran."""
    maps: list[_Map] = []
    s = _prepare(text)
    needed = _needed(s)
    for index, stage in enumerate(STAGES):
        if index not in needed:
            continue
        if track:
            s, mapping = _run(stage, s)
            maps.append(mapping)
        else:
            s = stage.pattern.sub(stage.repl, s)
        if index in (ZERO, SPACED):  # joining letters can bring leet or stretched runs together
            needed = _needed(s)
    s = s.translate(_FINAL)
    if not track:
        body = " ".join(s.split())
        return (f" {body} " if body else " "), maps
    maps.append(_PAD)
    s, mapping = _run(_COLLAPSE, f" {s} ")
    maps.append(mapping)
    return s, maps


def normalize(text: str) -> str:
    """The normalised form, as used for patterns and texts alike."""
    return _pipeline(text, track=False)[0]


class Normalized:
    """A text and its normalised form; `span` maps normalised offsets back to the original."""

    __slots__ = ("_maps", "original", "text")

    def __init__(self, original: str) -> None:
        self.original = original
        self.text = normalize(original)
        self._maps: list[_Map] | None = None

    def _build_maps(self) -> list[_Map]:
        s, maps = _pipeline(self.original, track=True)
        if s != self.text:  # pragma: no cover - the two paths share every stage
            raise AssertionError("tracked and fast normalisation disagree")
        return maps

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``(start, end)`` of the normalised slice ``[start:end]``."""
        if self._maps is None:
            self._maps = self._build_maps()
        for mapping in reversed(self._maps):
            start, end = mapping.to_input(start, end)
        n = len(self.original)
        return max(0, min(start, n)), max(0, min(end, n))
