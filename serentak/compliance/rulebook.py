"""The rulebook: YAML files of dated rules, validated on load with file and line.

Rules are data (STYLE rule 8). A file holds ``rules:``, a list of mappings with the keys in
``RULE_KEYS``; ``calendar.yaml`` beside the rules holds the election calendar (quiet days,
voting days). Dates are whole days in WIB: ``from`` starts at 00:00 WIB, ``until`` is the
last day the rule applies (it ends at 24:00 WIB); either may be left out (open). The
rulebook's ``version`` is a hash of the files it was read from, so a compiled checker can be
cached per version.

Line numbers come from ``yaml.compose`` (node marks); PyYAML's ``safe_load`` loses them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

WIB = ZoneInfo("Asia/Jakarta")
RULES_DIR = Path(__file__).resolve().parent / "rules"
SEVERITIES = ("block", "warn")
DETECTORS = ("nik", "phone")
WINDOWS = ("quiet_period", "quick_count_embargo")
RULE_KEYS = {
    "id", "category", "severity", "patterns", "from", "until", "during", "exceptions",
    "negative", "explanation", "source", "scope",
}  # fmt: skip
PATTERN_KEYS = {"phrase", "phrases", "words", "regex", "detector"}
SCOPE_KEYS = {"institutions", "unit_kinds"}


@dataclass(frozen=True)
class Pattern:
    kind: str  # phrase | regex | detector (a word list is a list of one-word phrases)
    value: str


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    severity: str
    patterns: tuple[Pattern, ...]
    explanation: str
    source: str
    starts: dt.datetime | None = None
    ends: dt.datetime | None = None
    during: str | None = None
    exceptions: tuple[str, ...] = ()
    negative: tuple[str, ...] = ()
    institutions: tuple[str, ...] = ()
    unit_kinds: tuple[str, ...] = ()
    file: str = ""
    line: int = 0

    def in_force(self, at: dt.datetime) -> bool:
        return (self.starts is None or at >= self.starts) and (self.ends is None or at < self.ends)


@dataclass(frozen=True)
class Election:
    name: str
    quiet_days: tuple[dt.date, ...]
    voting_day: dt.date
    quick_count_from: dt.time = dt.time(15, 0)


@dataclass(frozen=True)
class Rulebook:
    rules: tuple[Rule, ...]
    elections: tuple[Election, ...]
    version: str

    def windows_at(self, at: dt.datetime) -> set[str]:
        """The calendar windows (`WINDOWS`) open at ``at``."""
        local = at.astimezone(WIB)
        open_now = set()
        for election in self.elections:
            if local.date() in election.quiet_days:
                open_now.add("quiet_period")
            if local.date() == election.voting_day and local.time() < election.quick_count_from:
                open_now.add("quick_count_embargo")
        return open_now


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class RulebookError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class _Reader:
    file: str
    problems: list[Problem] = field(default_factory=list)

    def error(self, node: yaml.Node, message: str) -> None:
        self.problems.append(Problem(self.file, node.start_mark.line + 1, message))

    def mapping(self, node: yaml.Node, allowed: set[str], what: str) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"{what} must be a mapping")
            return {}
        out = {}
        for key, value in node.value:
            name = str(key.value)
            if name not in allowed:
                self.error(key, f"unknown key {name!r} in {what}")
            elif name in out:
                self.error(key, f"duplicate key {name!r} in {what}")
            else:
                out[name] = value
        return out

    def text(self, node: yaml.Node | None, what: str, *, required: bool = False) -> str:
        if node is None:
            return ""
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            self.error(node, f"{what} must be non-empty text")
            return ""
        return str(node.value)

    def texts(self, node: yaml.Node | None, what: str) -> tuple[str, ...]:
        if node is None:
            return ()
        if isinstance(node, yaml.ScalarNode):
            return (self.text(node, what),)
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, f"{what} must be a list of text")
            return ()
        return tuple(t for t in (self.text(item, what) for item in node.value) if t)

    def day(self, node: yaml.Node | None, what: str) -> dt.date | None:
        if node is None or (isinstance(node, yaml.ScalarNode) and node.value in ("", "null", "~")):
            return None
        try:
            return dt.date.fromisoformat(str(node.value))
        except (ValueError, TypeError):
            self.error(node, f"{what} must be a date YYYY-MM-DD, not {node.value!r}")
            return None


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=WIB)


def _rule(reader: _Reader, node: yaml.Node) -> Rule | None:
    keys = reader.mapping(node, RULE_KEYS, "a rule")
    for required in ("id", "category", "severity", "patterns", "explanation", "source"):
        if required not in keys and isinstance(node, yaml.MappingNode):
            reader.error(node, f"a rule needs {required!r}")
    if not keys:
        return None
    before = len(reader.problems)
    severity = reader.text(keys.get("severity"), "severity")
    if "severity" in keys and severity not in SEVERITIES:
        reader.error(keys["severity"], f"severity must be one of {SEVERITIES}, not {severity!r}")
    patterns = _patterns(reader, keys.get("patterns"))
    starts, ends = reader.day(keys.get("from"), "from"), reader.day(keys.get("until"), "until")
    if starts and ends and ends < starts:
        reader.error(keys["until"], "until is before from")
    during = reader.text(keys.get("during"), "during") or None
    if during is not None and during not in WINDOWS:
        reader.error(keys["during"], f"during must be one of {WINDOWS}, not {during!r}")
    scope = reader.mapping(keys["scope"], SCOPE_KEYS, "scope") if "scope" in keys else {}
    if len(reader.problems) > before:
        return None
    return Rule(
        id=reader.text(keys.get("id"), "id"),
        category=reader.text(keys.get("category"), "category"),
        severity=severity,
        patterns=patterns,
        explanation=reader.text(keys.get("explanation"), "explanation").strip(),
        source=reader.text(keys.get("source"), "source").strip(),
        starts=_midnight(starts) if starts else None,
        ends=_midnight(ends + dt.timedelta(days=1)) if ends else None,
        during=during,
        exceptions=reader.texts(keys.get("exceptions"), "exceptions"),
        negative=reader.texts(keys.get("negative"), "negative"),
        institutions=reader.texts(scope.get("institutions"), "institutions"),
        unit_kinds=reader.texts(scope.get("unit_kinds"), "unit_kinds"),
        file=reader.file,
        line=node.start_mark.line + 1,
    )


def _patterns(reader: _Reader, node: yaml.Node | None) -> tuple[Pattern, ...]:
    if node is None:
        return ()
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        reader.error(node, "patterns must be a non-empty list")
        return ()
    out: list[Pattern] = []
    for item in node.value:
        for kind, value in reader.mapping(item, PATTERN_KEYS, "a pattern").items():
            if kind in ("phrases", "words"):
                out += [Pattern("phrase", t) for t in reader.texts(value, kind)]
            elif kind == "phrase":
                out.append(Pattern("phrase", reader.text(value, kind)))
            elif kind == "regex":
                source = reader.text(value, kind)
                try:
                    re.compile(source)
                except re.error as exc:
                    reader.error(value, f"bad regex {source!r}: {exc}")
                    continue
                out.append(Pattern("regex", source))
            else:
                name = reader.text(value, kind)
                if name not in DETECTORS:
                    reader.error(value, f"unknown detector {name!r} (known: {DETECTORS})")
                    continue
                out.append(Pattern("detector", name))
    return tuple(out)


def _calendar(reader: _Reader, node: yaml.Node) -> list[Election]:
    keys = reader.mapping(node, {"elections"}, "the calendar")
    elections = []
    seq = keys.get("elections")
    for item in seq.value if isinstance(seq, yaml.SequenceNode) else []:
        fields = reader.mapping(item, {"name", "quiet_days", "voting_day"}, "an election")
        quiet = fields.get("quiet_days")
        days = [reader.day(d, "quiet_days") for d in getattr(quiet, "value", [])]
        voting = reader.day(fields.get("voting_day"), "voting_day")
        if voting is None:
            reader.error(item, "an election needs a voting_day")
            continue
        elections.append(
            Election(
                name=reader.text(fields.get("name"), "name"),
                quiet_days=tuple(d for d in days if d),
                voting_day=voting,
            )
        )
    return elections


def load_rulebook(directory: Path | str = RULES_DIR) -> Rulebook:
    """Read and validate every ``*.yaml`` in ``directory``; raise `RulebookError` if any fails."""
    directory = Path(directory)
    problems: list[Problem] = []
    rules: list[Rule] = []
    elections: list[Election] = []
    digest = hashlib.sha256()
    seen: dict[str, Rule] = {}
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise RulebookError([Problem(str(directory), 0, "no *.yaml rule files")])
    for path in files:
        source = path.read_text("utf-8")
        digest.update(path.name.encode() + b"\0" + source.encode())
        reader = _Reader(str(path))
        try:
            root = yaml.compose(source)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problems.append(Problem(str(path), mark.line + 1 if mark else 0, str(exc)))
            continue
        if root is None:
            continue
        if path.name == "calendar.yaml":
            elections += _calendar(reader, root)
        else:
            keys = reader.mapping(root, {"rules"}, "a rule file")
            seq = keys.get("rules")
            if seq is not None and not isinstance(seq, yaml.SequenceNode):
                reader.error(seq, "rules must be a list")
            for item in seq.value if isinstance(seq, yaml.SequenceNode) else []:
                rule = _rule(reader, item)
                if rule is None:
                    continue
                if rule.id in seen:
                    first = seen[rule.id]
                    reader.error(
                        item, f"duplicate id {rule.id!r} (first at {first.file}:{first.line})"
                    )
                    continue
                seen[rule.id] = rule
                rules.append(rule)
        problems += reader.problems
    if problems:
        raise RulebookError(problems)
    return Rulebook(tuple(rules), tuple(elections), digest.hexdigest()[:16])
