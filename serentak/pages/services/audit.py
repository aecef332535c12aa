"""The Facebook audit: read every connected Page, check every unit, keep the findings.

- ``audit_run``: audit now, in this process (the CLI, tests); makes its own ``AuditRun`` row.
- ``audit_request``: the on-demand button. A queued row; ``tasks.audit_run_task`` is queued
  once the transaction commits. Needs CHANGE on the unit (a national run: on the root).
- ``audit_run_claimed``: what that task does: claim the queued row, run it.
- ``audits_schedule``: the daily job: a queued national run per institution.

One run, for a unit's subtree or the whole institution:

1. Fetch (unless ``fetch=False``): the system user's ``/me/accounts`` (the tasks it holds
   on each Page), then, in Graph batches of 50 with each Page's own token: the Page's
   fields, its latest published post, and ``debug_token`` on the Page token. The answers
   update ``Presence`` and ``PageToken`` (validity, expiry, scopes, tasks). A Page that
   does not answer keeps its previous data and gets a ``page_unreachable`` finding; an
   expired token becomes ``token_invalid``. When every Page answers "retry later" the
   Graph API is down: the run is queued again (``AuditRetryLater``) or fails.
2. Check: ``checks.unit_evaluate`` on a snapshot of each unit (no database, no network).
3. Keep: one open finding per (unit, presence, check): new ones are created, those seen
   again get ``last_seen_at`` (and fresh params), those the checks decided and did not find
   again are resolved. Runs of one institution apply their findings one at a time (a row
   lock on the institution), so two runs never open the same finding twice.

Page tokens are decrypted only to be sent to Facebook; they are never logged, stored in
plain text, or put in ``last_error``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import OperationalError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from serentak.accounts.models import User
from serentak.graph.api import GraphClient, run_sync
from serentak.graph.client import BatchOp
from serentak.graph.config import GraphConfig
from serentak.graph.errors import GraphResult, Outcome
from serentak.org.models import Institution, Unit
from serentak.org.scoping import Action, user_can
from serentak.pages import checks
from serentak.pages.crypto import TokenUnreadable, token_decrypt
from serentak.pages.models import (
    AuditRun,
    Finding,
    JobStatus,
    MatchStatus,
    PageToken,
    Presence,
    PresenceKind,
)

logger = logging.getLogger(__name__)

AUDIT_MAX_ATTEMPTS = 3
# A run left queued or running this long lost its worker (longer than the task's time limit).
AUDIT_STALE_AFTER = dt.timedelta(minutes=20)
AUDIT_PAGE_FIELDS = (
    "id,name,username,link,category,fan_count,followers_count,verification_status,website,"
    "about,is_published,picture{url,is_silhouette},cover{source},"
    "has_transitioned_to_new_page_experience"
)
POST_PROBE_FIELDS = "id,created_time"
ERROR_MAX = PageToken._meta.get_field("last_error").max_length or 500
PENDING = (JobStatus.QUEUED, JobStatus.RUNNING)


class AuditRetryLater(Exception):
    """The Graph API as a whole answered "retry later": nothing was learnt, try again."""


# --- Entry points -------------------------------------------------------------------------


def audit_run(
    *,
    institution: Institution,
    unit: Unit | None = None,
    trigger: str,
    actor: User | None = None,
    config: GraphConfig | None = None,
    fetch: bool = True,
) -> AuditRun:
    """Audit ``unit``'s subtree (None: the whole institution) now; returns the finished row.

    ``fetch=False`` checks what is stored without asking Facebook. Never raises for a
    Graph failure: the row ends ``done`` (per-Page failures are findings) or ``failed``
    with ``last_error``.
    """
    run = AuditRun.objects.create(
        institution=institution,
        unit=_scope(unit),
        trigger=trigger,
        requested_by=actor,
        status=JobStatus.RUNNING,
        attempts=1,
        started_at=timezone.now(),
    )
    return _execute(run, config=config, fetch=fetch, may_retry=False)


def audit_request(
    *, actor: User, unit: Unit | None = None, institution: Institution | None = None
) -> AuditRun:
    """Queue an audit of ``unit`` (None: all of ``institution``) for the run-now button.

    Needs CHANGE on the unit (a national run: CHANGE on the root). While a run of the same
    scope is queued or running, that run is returned instead of a second one.
    """
    if unit is not None:
        institution = unit.institution
    if institution is None:
        raise ValueError("give a unit or an institution")
    scope = _scope(unit)
    target = scope or _root(institution)
    if target is None or not user_can(actor, Action.CHANGE, target):
        raise PermissionDenied
    with transaction.atomic():
        pending = _pending(institution=institution, unit=scope).first()
        if pending is not None:
            return pending
        run = AuditRun.objects.create(
            institution=institution, unit=scope, trigger="manual", requested_by=actor
        )
        transaction.on_commit(partial(_dispatch, run.pk), robust=True)
    return run


def audits_schedule() -> list[AuditRun]:
    """The daily audit: a queued national run per institution that has none pending."""
    runs = []
    for institution in Institution.objects.order_by("pk"):
        with transaction.atomic():
            if _pending(institution=institution, unit=None).exists():
                continue
            run = AuditRun.objects.create(institution=institution, trigger="scheduled")
            transaction.on_commit(partial(_dispatch, run.pk), robust=True)
        runs.append(run)
    return runs


def audit_run_claimed(*, run_id: int, config: GraphConfig | None = None) -> AuditRun | None:
    """Claim a queued run (or one whose worker died) and run it; None if another has it.

    The claim is a conditional UPDATE, so two workers given the same id never both run it.
    Raises ``AuditRetryLater`` (the row queued again) while attempts remain.
    """
    now = timezone.now()
    claimed = (
        AuditRun.objects.filter(pk=run_id)
        .filter(
            Q(status=JobStatus.QUEUED)
            | Q(status=JobStatus.RUNNING, started_at__lt=now - AUDIT_STALE_AFTER)
        )
        .update(
            status=JobStatus.RUNNING, attempts=F("attempts") + 1, started_at=now, finished_at=None
        )
    )
    if not claimed:
        return None
    run = AuditRun.objects.select_related("institution", "unit").get(pk=run_id)
    return _execute(run, config=config, fetch=True, may_retry=True)


def _dispatch(run_id: int) -> None:
    from serentak.pages.tasks import audit_run_task

    audit_run_task.delay(run_id)


def _scope(unit: Unit | None) -> Unit | None:
    """A run of the root unit is the national run (stored as ``unit=None``)."""
    return None if unit is None or unit.depth == 1 else unit


def _root(institution: Institution) -> Unit | None:
    return Unit.objects.filter(institution=institution, depth=1).order_by("path").first()


def _pending(*, institution: Institution, unit: Unit | None) -> QuerySet[AuditRun]:
    fresh = timezone.now() - AUDIT_STALE_AFTER
    return AuditRun.objects.filter(institution=institution, unit=unit).filter(
        Q(status=JobStatus.QUEUED, created_at__gte=fresh)
        | Q(status=JobStatus.RUNNING, started_at__gte=fresh)
    )


# --- One run ------------------------------------------------------------------------------


def _execute(
    run: AuditRun, *, config: GraphConfig | None, fetch: bool, may_retry: bool
) -> AuditRun:
    try:
        notes = _audit(run, config=config, fetch=fetch)
    except (AuditRetryLater, OperationalError) as exc:
        reason = f"{type(exc).__name__}: {exc}" if isinstance(exc, OperationalError) else str(exc)
        if may_retry and run.attempts < AUDIT_MAX_ATTEMPTS:
            _finish(run, status=JobStatus.QUEUED, error=reason)
            raise
        _finish(run, status=JobStatus.FAILED, error=reason)
        return run
    except Exception as exc:  # a bug: fail the row visibly, never retry it
        logger.exception("audit run %s failed", run.pk)
        _finish(run, status=JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
        return run
    _finish(run, status=JobStatus.DONE, error=notes)
    if fetch:
        # The run has just read every Page's verification_status: settle the blue-check
        # requests it answers, without asking Facebook a second time.
        from serentak.pages.services.verification import verification_requests_sync

        verification_requests_sync(institution=run.institution)
    return run


def _finish(run: AuditRun, *, status: str, error: str) -> None:
    run.status = status
    run.last_error = error
    run.finished_at = None if status == JobStatus.QUEUED else timezone.now()
    run.save(update_fields=["status", "last_error", "finished_at", "findings_count"])


def _audit(run: AuditRun, *, config: GraphConfig | None, fetch: bool) -> str:
    """Fetch, check and keep; returns notes for the run's ``last_error`` ("" when clean)."""
    scope_path = run.unit.path if run.unit else ""
    units = list(
        Unit.objects.filter(
            institution_id=run.institution_id, path__startswith=scope_path, is_active=True
        ).order_by("path")
    )
    presences = list(
        Presence.objects.filter(
            institution_id=run.institution_id,
            unit__path__startswith=scope_path,
            unit__is_active=True,
            match_status=MatchStatus.CONFIRMED,
        )
        .filter(Q(kind=PresenceKind.PROFILE) | Q(kind=PresenceKind.PAGE))
        .select_related("token")
        .order_by("pk")
    )
    notes = ""
    accounts: dict[str, list[str]] | None = None  # unknown without a fetch
    if fetch:
        fetched = _fetch(config or GraphConfig.from_settings(), presences)
        accounts, notes = fetched.accounts, fetched.notes
    now = timezone.now()
    evaluations = {
        unit.pk: checks.unit_evaluate(state, now=now)
        for unit, state in _unit_states(units, presences, accounts)
    }
    run.findings_count = _findings_keep(run, units=units, evaluations=evaluations, now=now)
    return notes


# --- Fetching -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    presence: Presence
    token_row: PageToken
    token: str = field(repr=False)


@dataclass
class _Fetched:
    accounts: dict[str, list[str]] | None = None  # page id -> tasks; None: not known
    notes: str = ""


def _fetch(config: GraphConfig, presences: Sequence[Presence]) -> _Fetched:
    """Read the connected Pages from Facebook and store what they say."""
    batch_token = config.system_user_token or config.app_token
    if not batch_token:
        return _Fetched(notes="Graph API not configured: checked the stored data only.")
    targets: list[_Target] = []
    unreadable: list[PageToken] = []
    for presence in presences:
        token_row: PageToken | None = getattr(presence, "token", None)
        if presence.kind != PresenceKind.PAGE or not presence.page_id or token_row is None:
            continue
        try:
            plain = token_decrypt(token_row.encrypted)
        except TokenUnreadable:
            token_row.last_error = "token unreadable: encrypted with a key no longer configured"
            unreadable.append(token_row)
            continue
        targets.append(_Target(presence, token_row, plain))
    PageToken.objects.bulk_update(unreadable, ["last_error"])
    accounts, reads = run_sync(_graph_read(config, targets, batch_token=batch_token))
    pages = [read[0] for read in reads]
    if pages and all(result.outcome is Outcome.RETRY_LATER for result in pages):
        first = pages[0].error
        raise AuditRetryLater(f"the Graph API asks to retry later ({first})")
    now = timezone.now()
    failures: dict[str, int] = defaultdict(int)
    for target, (page, posts, debug) in zip(targets, reads, strict=True):
        _store_read(target, page=page, posts=posts, debug=debug, accounts=accounts, now=now)
        if not page.ok:
            failures[str(page.outcome)] += 1
    Presence.objects.bulk_update([t.presence for t in targets], PRESENCE_FETCHED, batch_size=200)
    PageToken.objects.bulk_update([t.token_row for t in targets], TOKEN_FETCHED, batch_size=200)
    notes = []
    if failures:
        counts = ", ".join(f"{outcome} {count}" for outcome, count in sorted(failures.items()))
        notes.append(f"{sum(failures.values())} Pages could not be read ({counts}).")
    if accounts is None and config.system_user_token:
        notes.append("The system user's Pages could not be listed: tasks not refreshed.")
    return _Fetched(accounts=accounts, notes=" ".join(notes))


async def _graph_read(
    config: GraphConfig, targets: Sequence[_Target], *, batch_token: str
) -> tuple[dict[str, list[str]] | None, list[tuple[GraphResult, GraphResult, GraphResult]]]:
    debug_token = config.app_token or config.system_user_token
    async with GraphClient(config) as graph:
        accounts = None
        if config.system_user_token:
            listed = await graph.collect(
                "me/accounts",
                token=config.system_user_token,
                params={"fields": "id,tasks", "limit": 100},
            )
            if listed.ok:
                accounts = {
                    str(item["id"]): [str(task) for task in item.get("tasks") or []]
                    for item in listed.data
                    if isinstance(item, dict) and "id" in item
                }
        ops: list[BatchOp] = []
        for target in targets:
            page_id = target.presence.page_id
            ops += [
                BatchOp(
                    "GET",
                    page_id,
                    body={"fields": AUDIT_PAGE_FIELDS},
                    page_id=page_id,
                    token=target.token,
                ),
                BatchOp(
                    "GET",
                    f"{page_id}/published_posts",
                    body={"fields": POST_PROBE_FIELDS, "limit": 1},
                    page_id=page_id,
                    token=target.token,
                ),
                BatchOp(
                    "GET",
                    "debug_token",
                    body={"input_token": target.token},
                    token=debug_token if debug_token != batch_token else None,
                ),
            ]
        results = await graph.batch(ops, token=batch_token) if ops else []
    reads = [(results[i], results[i + 1], results[i + 2]) for i in range(0, len(results), 3)]
    return accounts, reads


PRESENCE_FETCHED = [
    "name",
    "username",
    "link",
    "category",
    "fan_count",
    "followers_count",
    "verification_status",
    "website",
    "about",
    "picture_url",
    "picture_is_silhouette",
    "has_cover",
    "is_published",
    "new_pages_experience",
    "last_post_at",
    "fetched_at",
    "updated_at",
]
TOKEN_FETCHED = [
    "tasks",
    "scopes",
    "is_valid",
    "expires_at",
    "data_access_expires_at",
    "checked_at",
    "last_error",
    "updated_at",
]


def _store_read(
    target: _Target,
    *,
    page: GraphResult,
    posts: GraphResult,
    debug: GraphResult,
    accounts: dict[str, list[str]] | None,
    now: dt.datetime,
) -> None:
    presence, token = target.presence, target.token_row
    presence.updated_at = token.updated_at = now
    if page.ok and isinstance(page.data, dict):
        _page_fields(presence, page.data)
        presence.fetched_at = now
        token.last_error = ""
    elif page.outcome is Outcome.RECONNECT:
        token.last_error = ""  # the token_invalid finding says it better
    else:
        token.last_error = _clip(f"{page.outcome}: {page.error}")
    listed = posts.data.get("data") if posts.ok and isinstance(posts.data, dict) else None
    if isinstance(listed, list):
        latest = listed[0] if listed and isinstance(listed[0], dict) else {}
        presence.last_post_at = _graph_time(latest.get("created_time"))
    info = debug.data.get("data") if debug.ok and isinstance(debug.data, dict) else None
    if isinstance(info, dict):
        token.is_valid = bool(info.get("is_valid"))
        token.expires_at = _unix(info.get("expires_at"))
        token.data_access_expires_at = _unix(info.get("data_access_expires_at"))
        token.scopes = [str(scope) for scope in info.get("scopes") or []]
        token.checked_at = now
    elif page.ok:
        token.is_valid = True
    if page.outcome is Outcome.RECONNECT:
        token.is_valid = False
        token.checked_at = now
    if accounts is not None and presence.page_id in accounts:
        token.tasks = accounts[presence.page_id]


def _page_fields(presence: Presence, data: dict[str, Any]) -> None:
    def text(name: str) -> str:
        value = data.get(name)
        limit = getattr(Presence._meta.get_field(name), "max_length", None)
        return _clip(str(value), limit) if value is not None else ""

    def count(name: str) -> int | None:
        value = data.get(name)
        return value if isinstance(value, int) and value >= 0 else None

    def flag(value: Any) -> bool | None:
        return value if isinstance(value, bool) else None

    presence.name = text("name")
    presence.username = text("username")
    presence.link = text("link")
    presence.category = text("category")
    presence.verification_status = text("verification_status")
    presence.website = text("website")
    presence.about = str(data.get("about") or "")
    presence.fan_count = count("fan_count")
    presence.followers_count = count("followers_count")
    picture = (data.get("picture") or {}).get("data") or {}
    presence.picture_url = _clip(str(picture.get("url") or ""), 1000)
    presence.picture_is_silhouette = flag(picture.get("is_silhouette"))
    presence.has_cover = bool(data.get("cover"))  # asked for: absent means there is none
    presence.is_published = flag(data.get("is_published"))
    presence.new_pages_experience = flag(data.get("has_transitioned_to_new_page_experience"))


def _clip(text: str, limit: int | None = ERROR_MAX) -> str:
    return text[:limit] if limit else text


def _unix(value: Any) -> dt.datetime | None:
    """Graph's expiry times: seconds since the epoch, 0 for never."""
    if not isinstance(value, int) or value <= 0:
        return None
    return dt.datetime.fromtimestamp(value, tz=dt.UTC)


def _graph_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None


# --- Checking and keeping -------------------------------------------------------------------


def presence_state(presence: Presence, *, assigned: bool | None = None) -> checks.PresenceState:
    """The snapshot the checks read (the token's validity and tasks, never its value)."""
    token_row: PageToken | None = getattr(presence, "token", None)
    token = None
    if token_row is not None:
        token = checks.TokenState(
            is_valid=token_row.is_valid,
            expires_at=token_row.expires_at,
            tasks=tuple(token_row.tasks or ()),
            last_error=token_row.last_error,
        )
    return checks.PresenceState(
        id=presence.pk,
        kind=presence.kind,
        is_official=presence.is_official,
        url=presence.canonical_url or presence.url,
        fetched_at=presence.fetched_at,
        name=presence.name,
        website=presence.website,
        about=presence.about,
        picture_is_silhouette=presence.picture_is_silhouette,
        has_cover=presence.has_cover,
        is_published=presence.is_published,
        new_pages_experience=presence.new_pages_experience,
        last_post_at=presence.last_post_at,
        token=token,
        assigned=assigned,
    )


def _unit_states(
    units: Iterable[Unit], presences: Iterable[Presence], accounts: dict[str, list[str]] | None
) -> list[tuple[Unit, checks.UnitState]]:
    by_unit: dict[int, list[checks.PresenceState]] = defaultdict(list)
    for presence in presences:
        if presence.unit_id is None:
            continue
        connected = getattr(presence, "token", None) is not None
        assigned = presence.page_id in accounts if accounts is not None and connected else None
        by_unit[presence.unit_id].append(presence_state(presence, assigned=assigned))
    return [
        (
            unit,
            checks.UnitState(
                code=unit.code, expected_name=unit.name, presences=tuple(by_unit[unit.pk])
            ),
        )
        for unit in units
    ]


def _findings_keep(
    run: AuditRun,
    *,
    units: Sequence[Unit],
    evaluations: dict[int, checks.Evaluation],
    now: dt.datetime,
) -> int:
    """Create, refresh and resolve the open findings of the run's units; the open count."""
    in_scope = Finding.objects.filter(unit__institution_id=run.institution_id)
    if run.unit is not None:
        in_scope = in_scope.filter(unit__path__startswith=run.unit.path)
    by_pk = {unit.pk: unit for unit in units}
    with transaction.atomic():
        # One run at a time applies findings for an institution: the open-finding constraint
        # cannot cover presence=NULL, so this lock is what keeps those unique too.
        list(Institution.objects.select_for_update().filter(pk=run.institution_id))
        opened: dict[tuple[int, int | None, str], Finding] = {}
        resolve: list[int] = []
        for finding in in_scope.open().order_by("pk"):
            key = (finding.unit_id, finding.presence_id, finding.code)
            if key in opened:  # a duplicate left by an older version: keep the first
                resolve.append(finding.pk)
            else:
                opened[key] = finding
        new: list[Finding] = []
        seen: list[Finding] = []
        matched: set[tuple[int, int | None, str]] = set()
        for unit_id, evaluation in evaluations.items():
            for found in evaluation.found:
                key = (unit_id, found.presence_id, found.code)
                if key in matched:
                    continue
                matched.add(key)
                existing = opened.get(key)
                if existing is None:
                    new.append(
                        Finding(
                            unit=by_pk[unit_id],
                            presence_id=found.presence_id,
                            code=found.code,
                            severity=found.severity,
                            params=found.params,
                            run=run,
                            last_seen_at=now,
                        )
                    )
                else:
                    existing.severity = found.severity
                    existing.params = found.params
                    existing.run = run
                    existing.last_seen_at = now
                    seen.append(existing)
        for key, finding in opened.items():
            checked = evaluations.get(finding.unit_id)
            if key in matched or checked is None:
                continue  # seen again, or a unit this run did not check (inactive)
            stale = checks.check_get(finding.code) is None or (
                finding.presence_id is not None and finding.presence_id not in checked.presence_ids
            )
            if stale or (finding.presence_id, finding.code) in checked.decided:
                resolve.append(finding.pk)
        Finding.objects.bulk_create(new, batch_size=500)
        Finding.objects.bulk_update(
            seen, ["severity", "params", "run", "last_seen_at"], batch_size=500
        )
        for start in range(0, len(resolve), 500):
            Finding.objects.filter(pk__in=resolve[start : start + 500]).update(resolved_at=now)
        return in_scope.open().count()
