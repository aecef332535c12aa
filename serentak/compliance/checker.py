"""The checker: ``check(text, at=..., unit=..., rulebook=...)`` -> findings. Pure, no database.

Compiled once per rulebook version (`compile_rulebook`, cached):

- every phrase and word of every rule, its negative patterns and its exceptions go into ONE
  Aho-Corasick automaton (pyahocorasick, C) over the normalised text; phrases are padded
  with spaces, and the normalised text is words joined by single spaces, so a match is
  always on word boundaries;
- regex rules run on the normalised text too (lowercase ``a-z0-9``, single spaces, a space
  at each end; write ``\\b`` for word edges). Each regex's longest required literal, read
  from its parse tree, also goes into the automaton, and the regex only runs on a post that
  contains it; a regex with no usable literal runs on every post;
- named detectors (`detectors`) run on the original text.

Dates, calendar windows (`during`) and scope are applied AFTER matching, to the few rules
that hit, so one automaton serves every date. A hit is cancelled by a negative pattern of
its rule that overlaps it ("masker wajah" for a mask rule) or by an exception phrase of its
rule in the same sentence ("bahaya judi online" in an awareness post).
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import ahocorasick

from serentak.compliance.detectors import find_niks, find_phones
from serentak.compliance.normalize import Normalized, normalize
from serentak.compliance.rulebook import Rule, Rulebook

MATCH, NEGATIVE, EXCEPTION, LITERAL = 0, 1, 2, 3
SEVERITY_ORDER = {"ok": 0, "warn": 1, "block": 2}
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n")


@dataclass(frozen=True)
class UnitContext:
    """What the checker needs to know about the posting unit (no model instance)."""

    code: str = ""
    institution: str = ""
    kind: str = ""
    timezone: str = "Asia/Jakarta"
    phones: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    rule: str
    category: str
    severity: str
    span: tuple[int, int]
    excerpt: str
    explanation: str

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "category": self.category,
            "severity": self.severity,
            "span": list(self.span),
            "excerpt": self.excerpt,
            "explanation": self.explanation,
        }


@dataclass
class Compiled:
    rules: tuple[Rule, ...]
    automaton: Any = None
    regexes: list[tuple[int, re.Pattern[str]]] = field(default_factory=list)
    always: list[int] = field(default_factory=list)  # regexes without a literal to wait for
    detectors: list[tuple[int, str]] = field(default_factory=list)


def required_literal(source: str) -> str | None:
    """The longest run of literal characters every match of ``source`` must contain."""
    try:
        parsed = sre_parse.parse(source)
    except re.error:
        return None
    if parsed.state.flags & re.IGNORECASE:
        return None
    best, run = "", ""
    for op, arg in parsed:
        if op is sre_parse.LITERAL:
            run += chr(arg)
            continue
        best, run = max(best, run, key=len), ""
    best = max(best, run, key=len)
    return best if len(best) >= 3 else None


_CACHE: dict[str, Compiled] = {}


def compile_rulebook(rulebook: Rulebook) -> Compiled:
    """The automaton and regexes of ``rulebook``, built once per version."""
    if rulebook.version in _CACHE:
        return _CACHE[rulebook.version]
    compiled = Compiled(rulebook.rules)
    keys: dict[str, list[tuple[int, int, int]]] = {}

    def add(text: str, index: int, role: int, *, pad: bool = True) -> None:
        key = normalize(text) if pad else text
        if key.strip():
            keys.setdefault(key, []).append((index, role, len(key)))

    for index, rule in enumerate(rulebook.rules):
        for pattern in rule.patterns:
            if pattern.kind == "phrase":
                add(pattern.value, index, MATCH)
            elif pattern.kind == "detector":
                compiled.detectors.append((index, pattern.value))
            else:
                slot = len(compiled.regexes)
                compiled.regexes.append((index, re.compile(pattern.value)))
                literal = required_literal(pattern.value)
                if literal:
                    add(literal, slot, LITERAL, pad=False)
                else:
                    compiled.always.append(slot)
        for text in rule.negative:
            add(text, index, NEGATIVE)
        for text in rule.exceptions:
            add(text, index, EXCEPTION)
    automaton = ahocorasick.Automaton()
    for key, values in keys.items():
        automaton.add_word(key, tuple(values))
    if keys:
        automaton.make_automaton()
        compiled.automaton = automaton
    _CACHE[rulebook.version] = compiled
    return compiled


def _applies(rule: Rule, at: dt.datetime, windows: set[str], unit: UnitContext | None) -> bool:
    if not rule.in_force(at) or (rule.during is not None and rule.during not in windows):
        return False
    if unit is None:
        return True
    if rule.institutions and unit.institution not in rule.institutions:
        return False
    return not (rule.unit_kinds and unit.kind not in rule.unit_kinds)


def check(
    text: str, *, at: dt.datetime, unit: UnitContext | None, rulebook: Rulebook
) -> list[Finding]:
    """Every finding of ``rulebook`` in ``text`` posted at ``at`` (aware) by ``unit``."""
    compiled = compile_rulebook(rulebook)
    norm = Normalized(text)
    s = norm.text
    hits: dict[int, list[tuple[int, int]]] = {}  # rule -> spans in the normalised text
    cancels: dict[tuple[int, int], list[tuple[int, int]]] = {}  # (rule, role) -> spans
    regex_slots = list(compiled.always)
    if compiled.automaton is not None:
        for end, values in compiled.automaton.iter(s):
            for index, role, length in values:
                if role == LITERAL:
                    regex_slots.append(index)
                    continue
                span = (end - length + 2, end)  # without the padding spaces
                if role == MATCH:
                    hits.setdefault(index, []).append(span)
                else:
                    cancels.setdefault((index, role), []).append(span)
    for slot in set(regex_slots):
        index, pattern = compiled.regexes[slot]
        for m in pattern.finditer(s):
            start, end = m.span()
            start += m.group(0)[:1] == " "
            end -= m.group(0)[-1:] == " " and end > start
            if end > start:
                hits.setdefault(index, []).append((start, end))
    if not hits and not compiled.detectors:
        return []
    windows = rulebook.windows_at(at)
    rules = compiled.rules
    found: dict[tuple[int, int, int], None] = {}
    for index, spans in hits.items():
        if not _applies(rules[index], at, windows, unit):
            continue
        for span in spans:
            found[(index, *norm.span(*span))] = None
    for index, name in compiled.detectors:
        if not _applies(rules[index], at, windows, unit):
            continue
        if name == "nik":
            spans = list(find_niks(text))
        else:
            spans = list(find_phones(text, unit.phones if unit else ()))
        for start, end in spans:
            found[(index, start, end)] = None
    if not found:
        return []
    # "slot gacor" and its "gacor" are one finding: drop hits inside a wider hit of the rule.
    spans_of: dict[int, list[tuple[int, int]]] = {}
    for index, start, end in found:
        spans_of.setdefault(index, []).append((start, end))
    found = {
        key: None
        for key in found
        if not any(a <= key[1] and key[2] <= b and (a, b) != key[1:] for a, b in spans_of[key[0]])
    }
    breaks = [m.end() for m in _SENTENCE_END.finditer(text)]
    findings = []
    for index, start, end in found:
        negatives = [norm.span(*x) for x in cancels.get((index, NEGATIVE), [])]
        if any(a < end and start < b for a, b in negatives):
            continue
        sentence = bisect_right(breaks, start)
        exceptions = [norm.span(*x) for x in cancels.get((index, EXCEPTION), [])]
        if any(bisect_right(breaks, a) == sentence for a, _ in exceptions):
            continue
        rule = rules[index]
        findings.append(
            Finding(
                rule=rule.id,
                category=rule.category,
                severity=rule.severity,
                span=(start, end),
                excerpt=text[start:end],
                explanation=f"{rule.explanation} (Dasar: {rule.source})",
            )
        )
    findings.sort(key=lambda f: (f.span, f.rule))
    return findings


def verdict(findings: list[Finding]) -> str:
    """``block`` if any finding blocks, ``warn`` if any warns, else ``ok``."""
    worst = max((SEVERITY_ORDER[f.severity] for f in findings), default=0)
    return {0: "ok", 1: "warn", 2: "block"}[worst]
