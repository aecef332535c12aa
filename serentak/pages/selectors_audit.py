"""Reads on the audit: scores, roll-ups, checklists and runs, always scoped with ``for_user``.

Scores come from the open findings (``checks.unit_score``). A unit that no finished run
has covered yet has no score (``None``): "never audited" is not "perfect". Each read here
takes a fixed number of queries, whatever the number of units or findings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from serentak.org.models import Unit
from serentak.pages import checks
from serentak.pages.models import (
    AuditRun,
    Finding,
    JobStatus,
    MatchStatus,
    Presence,
    Severity,
)

SEVERITY_ORDER = Case(
    When(severity=Severity.BLOCKER, then=Value(0)),
    When(severity=Severity.WARNING, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


@dataclass(frozen=True)
class UnitScore:
    """One unit's audit result."""

    unit: Unit
    score: int | None  # None: never audited
    blockers: int = 0
    warnings: int = 0
    infos: int = 0
    has_page: bool = True
    profiles: int = 0


@dataclass(frozen=True)
class AreaRow:
    """A unit and its subtree rolled up: a province on the national page, a regency below."""

    unit: Unit
    units: int
    average: float | None  # the mean of the units' scores; None: never audited
    with_blockers: int
    without_page: int
    profiles: int
    blockers: int
    warnings: int


@dataclass(frozen=True)
class AreaAudit:
    unit: Unit
    last_run: AuditRun | None  # the last finished run that covered the whole area
    total: AreaRow
    children: list[AreaRow]


@dataclass(frozen=True)
class FindingView:
    finding: Finding
    check: checks.Check | None
    message: str
    fix: str


@dataclass(frozen=True)
class ChecklistItem:
    check: checks.Check
    status: str  # "passed", "failed", "not_checked" (an earlier check failed), "not_audited"
    findings: list[FindingView] = field(default_factory=list)


@dataclass(frozen=True)
class Checklist:
    unit: Unit
    score: int | None
    last_run: AuditRun | None
    items: list[ChecklistItem]
    presences: list[Presence]
    other_findings: list[FindingView]  # open findings of checks no longer defined

    @property
    def shown(self) -> list[ChecklistItem]:
        """The items to list one by one (the "not checked" ones are only counted)."""
        return [item for item in self.items if item.status != "not_checked"]

    @property
    def not_checked(self) -> list[ChecklistItem]:
        return [item for item in self.items if item.status == "not_checked"]


def _finding_view(finding: Finding) -> FindingView:
    check = checks.check_get(finding.code)
    params: dict[str, Any] = finding.params if isinstance(finding.params, dict) else {}
    return FindingView(
        finding=finding,
        check=check,
        message=check.message_for(params) if check else finding.code,
        fix=check.fix_for(params) if check else "",
    )


# --- Runs -----------------------------------------------------------------------------------


def _covering(unit: Unit) -> Q:
    """Runs whose scope contains ``unit``: national runs and runs of it or an ancestor."""
    return Q(unit__isnull=True) | Q(unit__path__in=[*unit.ancestor_paths(), unit.path])


def audit_last_done(*, unit: Unit) -> AuditRun | None:
    """The latest finished run that covered all of ``unit``'s subtree."""
    return (
        AuditRun.objects.filter(institution_id=unit.institution_id, status=JobStatus.DONE)
        .filter(_covering(unit))
        .order_by("-finished_at", "-pk")
        .first()
    )


def audit_run_latest(*, unit: Unit) -> AuditRun | None:
    """The latest run of exactly this scope (the root's: the national run), for its button."""
    scope = None if unit.depth == 1 else unit
    return (
        AuditRun.objects.filter(institution_id=unit.institution_id, unit=scope)
        .order_by("-created_at", "-pk")
        .first()
    )


def audit_run_get(*, user: Any, pk: int) -> AuditRun:
    """A run the user may see (its unit, or the root for a national run); DoesNotExist else."""
    run = AuditRun.objects.select_related("unit", "institution").get(pk=pk)
    target = run.unit or Unit.objects.filter(institution_id=run.institution_id, depth=1).first()
    if target is None or not Unit.objects.for_user(user).filter(pk=target.pk).exists():
        raise AuditRun.DoesNotExist
    return run


# --- Scores and roll-ups --------------------------------------------------------------------


def _open_by_unit(*, user: Any, within: Unit) -> dict[int, list[tuple[str, str]]]:
    """(code, severity) of the open findings per unit id, for the units the user may see."""
    rows = (
        Finding.objects.for_user(user)
        .open()
        .filter(unit__institution_id=within.institution_id, unit__path__startswith=within.path)
        .values_list("unit_id", "code", "severity")
    )
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for unit_id, code, severity in rows:
        found[unit_id].append((code, severity))
    return found


def _unit_score(unit: Unit, found: list[tuple[str, str]], *, audited: bool) -> UnitScore:
    codes = [code for code, _ in found]
    severities = [severity for _, severity in found]
    return UnitScore(
        unit=unit,
        score=checks.unit_score(codes) if audited else None,
        blockers=severities.count(Severity.BLOCKER),
        warnings=severities.count(Severity.WARNING),
        infos=severities.count(Severity.INFO),
        has_page=checks.NO_OFFICIAL_PAGE not in codes,
        profiles=codes.count(checks.PERSONAL_PROFILE),
    )


def _roll_up(unit: Unit, scores: list[UnitScore]) -> AreaRow:
    known = [s.score for s in scores if s.score is not None]
    return AreaRow(
        unit=unit,
        units=len(scores),
        average=round(sum(known) / len(known), 1) if known else None,
        with_blockers=sum(1 for s in scores if s.blockers),
        without_page=sum(1 for s in scores if not s.has_page),
        profiles=sum(s.profiles for s in scores),
        blockers=sum(s.blockers for s in scores),
        warnings=sum(s.warnings for s in scores),
    )


def audit_area(*, user: Any, unit: Unit) -> AreaAudit:
    """``unit``'s subtree as the user may see it: its total and a row per child subtree.

    For the root this is the national table (one row per province); for a province, one
    row per regency or city. Four queries, whatever the size of the tree.
    """
    last_run = audit_last_done(unit=unit)
    audited_at = last_run.finished_at if last_run else None
    units = list(
        Unit.objects.for_user(user)
        .filter(institution_id=unit.institution_id, path__startswith=unit.path, is_active=True)
        .select_related("institution")
        .order_by("path")
    )
    found = _open_by_unit(user=user, within=unit)
    scores = [_unit_score(u, found.get(u.pk, []), audited=audited_at is not None) for u in units]
    prefix = (unit.depth + 1) * Unit.steplen
    children: dict[str, list[UnitScore]] = defaultdict(list)
    heads: dict[str, Unit] = {}
    for score in scores:
        if score.unit.depth == unit.depth + 1:
            heads[score.unit.path] = score.unit
        if score.unit.depth > unit.depth:
            children[score.unit.path[:prefix]].append(score)
    rows = [_roll_up(head, children[path]) for path, head in heads.items()]
    return AreaAudit(unit=unit, last_run=last_run, total=_roll_up(unit, scores), children=rows)


def audit_findings_open(*, user: Any, within: Unit) -> QuerySet[Finding]:
    """Open findings in ``within``'s subtree the user may see: by unit, blockers first."""
    return (
        Finding.objects.for_user(user)
        .open()
        .filter(unit__institution_id=within.institution_id, unit__path__startswith=within.path)
        .select_related("unit", "presence")
        .order_by("unit__path", SEVERITY_ORDER, "code", "pk")
    )


def finding_views(findings: Iterable[Finding]) -> list[FindingView]:
    return [_finding_view(finding) for finding in findings]


# --- One unit's checklist -------------------------------------------------------------------


def audit_checklist(*, user: Any, unit: Unit) -> Checklist:
    """Every check for ``unit``: passed, failed (with the fix), or not checked.

    The caller has found ``unit`` through ``Unit.objects.for_user``; the findings and
    presences are scoped again all the same. The presences come with their token's state
    (validity, expiry, tasks): the encrypted token itself is never loaded.
    """
    last_run = audit_last_done(unit=unit)
    findings = list(
        Finding.objects.for_user(user)
        .open()
        .filter(unit=unit)
        .select_related("presence", "unit")
        .order_by("pk")
    )
    presences = list(
        Presence.objects.for_user(user)
        .filter(unit=unit)
        .exclude(match_status=MatchStatus.IGNORED)
        .select_related("token")
        .defer("token__encrypted")
        .order_by("-is_official", "kind", "pk")
    )
    by_code: dict[str, list[FindingView]] = defaultdict(list)
    others: list[FindingView] = []
    for finding in findings:
        view = _finding_view(finding)
        (by_code[finding.code] if view.check else others).append(view)
    items = []
    for check in checks.CHECKS:
        if by_code.get(check.code):
            status = "failed"
        elif last_run is None:
            status = "not_audited"
        elif any(by_code.get(code) for code in check.depends_on):
            status = "not_checked"
        else:
            status = "passed"
        items.append(ChecklistItem(check=check, status=status, findings=by_code[check.code]))
    score = checks.unit_score(f.code for f in findings) if last_run else None
    return Checklist(
        unit=unit,
        score=score,
        last_run=last_run,
        items=items,
        presences=presences,
        other_findings=others,
    )


# --- The command line -----------------------------------------------------------------------


@dataclass(frozen=True)
class UnitReport:
    unit: Unit
    score: int
    findings: list[FindingView]


def audit_report(*, institution_id: int, within: Unit | None = None) -> list[UnitReport]:
    """Every active unit with its score and open findings, in tree order (unscoped: the CLI
    is run by whoever runs the server)."""
    units = Unit.objects.filter(institution_id=institution_id, is_active=True).order_by("path")
    findings = Finding.objects.open().filter(unit__institution_id=institution_id)
    if within is not None:
        units = units.filter(path__startswith=within.path)
        findings = findings.filter(unit__path__startswith=within.path)
    by_unit: dict[int, list[FindingView]] = defaultdict(list)
    for finding in findings.select_related("unit").order_by(SEVERITY_ORDER, "code", "pk"):
        by_unit[finding.unit_id].append(_finding_view(finding))
    reports = []
    for unit in units:
        views = by_unit.get(unit.pk, [])
        reports.append(
            UnitReport(
                unit=unit,
                score=checks.unit_score(v.finding.code for v in views),
                findings=views,
            )
        )
    return reports
