"""The audit against the Graph sandbox: every seeded problem is found, tokens are checked,
findings are kept (never duplicated) and resolved, and the run row tells what happened."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from serentak.graph.config import GraphConfig
from serentak.graph.sandbox.runner import SandboxHandle, start_sandbox
from serentak.org.models import Unit
from serentak.pages import checks, tasks
from serentak.pages.models import AuditRun, Finding, PageToken, Presence
from serentak.pages.services.audit import (
    AUDIT_MAX_ATTEMPTS,
    AuditRetryLater,
    audit_request,
    audit_run,
    audit_run_claimed,
    audits_schedule,
)
from serentak.pages.services.tokens import token_store

pytestmark = pytest.mark.django_db

# Which check each problem the sandbox seeds must produce.
PROBLEM_CHECKS = {
    "misnamed": checks.NAME_MISMATCH,
    "no_website": checks.WEBSITE_MISSING,
    "no_picture": checks.PICTURE_MISSING,
    "unpublished": checks.PAGE_UNPUBLISHED,
    "token_expiring": checks.TOKEN_EXPIRING,
    "no_create_content": checks.TOKEN_NO_CREATE_CONTENT,
    "business_only": checks.PAGE_NOT_ASSIGNED,
}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxHandle]:
    with start_sandbox(pages=40, seed=7, op_ms=0) as handle:
        yield handle


@pytest.fixture
def world(sandbox: SandboxHandle) -> dict:
    """The seeded world, fresh for each test (tests expire tokens and change tasks)."""
    with sandbox.client() as control:
        control.reset()
        return control.world()


@pytest.fixture
def graph(sandbox: SandboxHandle) -> GraphConfig:
    return GraphConfig(
        url=sandbox.url,
        version=sandbox.version,
        app_id=sandbox.app_id,
        app_secret=sandbox.app_secret,
        system_user_token=sandbox.system_user_token,
    )


@pytest.fixture
def connected(kpu, world) -> dict[str, Presence]:
    """Every sandbox Page connected as its unit's official Page, by unit code."""
    units = {u.code: u for u in Unit.objects.filter(institution=kpu)}
    presences = {}
    for page in world["pages"]:
        unit = units[page["unit_code"]]
        assert unit.name == page["official_name"]  # the sandbox names Pages as org does
        presence = Presence.objects.create(
            institution=kpu,
            unit=unit,
            kind="page",
            source="connect",
            match_status="confirmed",
            is_official=True,
            page_id=page["id"],
            name=page["name"],
        )
        token_store(presence=presence, token=page["access_token"], tasks=page["tasks"])
        presences[page["unit_code"]] = presence
    return presences


def open_codes(unit_code: str) -> set[str]:
    return set(Finding.objects.open().filter(unit__code=unit_code).values_list("code", flat=True))


def page_of(world: dict, unit_code: str) -> dict:
    return next(p for p in world["pages"] if p["unit_code"] == unit_code)


def test_it_finds_every_problem_the_sandbox_seeded(kpu, world, connected, graph):
    run = audit_run(institution=kpu, trigger="cli", config=graph)
    assert run.status == "done", run.last_error
    seeded = [
        (page["unit_code"], problem) for page in world["pages"] for problem in page["problems"]
    ]
    assert {problem for _, problem in seeded} == set(PROBLEM_CHECKS)
    for unit_code, problem in seeded:
        assert PROBLEM_CHECKS[problem] in open_codes(unit_code), (unit_code, problem)
    # A clean Page (the centre's) has nothing wrong but the lack of recent posts.
    assert open_codes("00") == {checks.NO_RECENT_POST}


def test_it_names_the_expected_name_in_a_name_finding(kpu, world, connected, graph):
    audit_run(institution=kpu, trigger="cli", config=graph)
    misnamed = next(p for p in world["pages"] if "misnamed" in p["problems"])
    finding = Finding.objects.open().get(unit__code=misnamed["unit_code"], code="name_mismatch")
    assert finding.params == {"expected": misnamed["official_name"], "actual": misnamed["name"]}
    assert finding.severity == "warning"
    assert finding.presence == connected[misnamed["unit_code"]]


def test_it_updates_presences_and_tokens_from_facebook(kpu, world, connected, graph):
    audit_run(institution=kpu, trigger="cli", config=graph)
    expiring = next(p for p in world["pages"] if "token_expiring" in p["problems"])
    presence = Presence.objects.get(pk=connected[expiring["unit_code"]].pk)
    assert presence.fetched_at is not None
    assert presence.website.endswith(".kpu.go.id")
    assert presence.is_published is True
    assert presence.new_pages_experience is True
    token = PageToken.objects.get(presence=presence)
    assert token.is_valid is True
    assert token.expires_at is not None
    assert token.expires_at - timezone.now() < dt.timedelta(days=7)
    assert "pages_manage_posts" in token.scopes
    assert "CREATE_CONTENT" in token.tasks
    finding = Finding.objects.open().get(presence=presence, code="token_expiring")
    assert 0 <= finding.params["days"] <= 6
    assert finding.params["date"] == token.expires_at.date().isoformat()


def test_it_detects_a_token_that_stopped_working(kpu, world, connected, graph, sandbox):
    centre = page_of(world, "00")
    with sandbox.client() as control:
        control.expire_token(centre["access_token"])
    run = audit_run(institution=kpu, trigger="cli", config=graph)
    assert run.status == "done"
    assert checks.TOKEN_INVALID in open_codes("00")
    assert PageToken.objects.get(presence=connected["00"]).is_valid is False
    assert checks.PAGE_UNREACHABLE not in open_codes("00")


def test_it_flags_a_token_without_analyze_and_resolves_it_once_granted(
    kpu, world, connected, graph, sandbox
):
    centre = page_of(world, "00")
    with sandbox.client() as control:
        control.set_tasks(centre["id"], revoke=["ANALYZE", "CREATE_CONTENT"])
    audit_run(institution=kpu, trigger="cli", config=graph)
    assert {checks.TOKEN_NO_ANALYZE, checks.TOKEN_NO_CREATE_CONTENT} <= open_codes("00")
    with sandbox.client() as control:
        control.set_tasks(centre["id"], grant=["ANALYZE", "CREATE_CONTENT"])
    audit_run(institution=kpu, trigger="cli", config=graph)
    assert not {checks.TOKEN_NO_ANALYZE, checks.TOKEN_NO_CREATE_CONTENT} & open_codes("00")
    resolved = Finding.objects.filter(unit__code="00", code="token_no_analyze")
    assert resolved.get().resolved_at is not None


def test_findings_resolve_when_the_page_is_fixed(kpu, world, connected, graph, sandbox):
    misnamed = next(p for p in world["pages"] if "misnamed" in p["problems"])
    audit_run(institution=kpu, trigger="cli", config=graph)
    assert checks.NAME_MISMATCH in open_codes(misnamed["unit_code"])
    with sandbox.state.lock:
        sandbox.state.world.pages_by_id[misnamed["id"]].name = misnamed["official_name"]
    audit_run(institution=kpu, trigger="cli", config=graph)
    assert checks.NAME_MISMATCH not in open_codes(misnamed["unit_code"])
    finding = Finding.objects.get(unit__code=misnamed["unit_code"], code="name_mismatch")
    assert finding.resolved_at is not None


def test_a_recent_post_clears_the_quiet_page_finding(kpu, world, connected, graph, sandbox):
    centre = page_of(world, "00")
    with sandbox.client() as control:
        posted = control.post(f"{centre['id']}/feed", centre["access_token"], message="Halo")
    assert posted.is_success
    audit_run(institution=kpu, trigger="cli", config=graph)
    assert open_codes("00") == set()
    assert Presence.objects.get(pk=connected["00"].pk).last_post_at is not None


def test_running_again_never_duplicates_a_finding(kpu, world, connected, graph):
    first = audit_run(institution=kpu, trigger="cli", config=graph)
    before = {(f.pk, f.first_seen_at) for f in Finding.objects.all()}
    second = audit_run(institution=kpu, trigger="scheduled", config=graph)
    after = Finding.objects.all()
    assert {(f.pk, f.first_seen_at) for f in after} == before
    assert all(f.run_id == second.pk and f.resolved_at is None for f in after)
    assert first.findings_count == second.findings_count == len(before)
    no_page = Finding.objects.filter(code="no_official_page", unit__code="74.06")
    assert no_page.count() == 1  # presence=NULL is kept unique too


def test_every_unit_without_a_page_gets_a_finding(kpu, connected, graph):
    audit_run(institution=kpu, trigger="cli", config=graph)
    active = Unit.objects.filter(institution=kpu, is_active=True).count()
    without = Finding.objects.open().filter(code="no_official_page").count()
    assert without == active - len(connected)


def test_a_personal_profile_is_a_blocker_and_goes_when_ignored(kpu, world, graph):
    profile = world["profiles"][0]
    presence = Presence.objects.create(
        institution=kpu,
        unit=Unit.objects.get(institution=kpu, code=profile["unit_code"]),
        kind="profile",
        source="import",
        url=profile["link"],
        canonical_url=profile["link"],
    )
    unit = presence.unit
    audit_run(institution=kpu, unit=unit, trigger="cli", config=graph)
    finding = Finding.objects.open().get(unit=unit, code="personal_profile")
    assert finding.severity == "blocker"
    assert finding.params == {"url": profile["link"]}
    presence.match_status = "ignored"
    presence.save()
    audit_run(institution=kpu, unit=unit, trigger="cli", config=graph)
    assert not Finding.objects.open().filter(unit=unit, code="personal_profile").exists()


def test_a_unit_run_touches_only_that_subtree(kpu, connected, graph, unit):
    run = audit_run(institution=kpu, unit=unit("74"), trigger="cli", config=graph)
    assert run.unit == unit("74")
    units = set(Finding.objects.values_list("unit__code", flat=True))
    assert units
    assert all(code == "74" or code.startswith("74.") for code in units)


def test_it_runs_without_facebook_on_stored_data(kpu, connected):
    run = audit_run(institution=kpu, trigger="cli", fetch=False)
    assert run.status == "done"
    assert open_codes("00") == set()  # never read: nothing about the Page can be decided
    assert open_codes("74.06") == {"no_official_page"}


def test_an_unreadable_page_is_a_finding_not_a_crash(kpu, world, connected, graph, sandbox):
    clean = page_of(world, "74")
    with sandbox.client() as control:
        control.inject_fault("error", code=100, page_id=clean["id"], count=10)
    run = audit_run(institution=kpu, trigger="cli", config=graph)
    assert run.status == "done"
    assert "could not be read" in run.last_error
    finding = Finding.objects.open().get(unit__code="74", code="page_unreachable")
    assert finding.params["error"].startswith("rejected")


def test_the_run_row_records_a_graph_outage(kpu, connected, graph, sandbox):
    with sandbox.client() as control:
        control.inject_fault("error", code=2, count=1000)
    try:
        run = audit_run(institution=kpu, trigger="cli", config=graph)
    finally:
        with sandbox.client() as control:
            control.clear_faults()
    assert run.status == "failed"
    assert "retry later" in run.last_error
    assert run.finished_at is not None
    assert not Finding.objects.exists()


def test_a_claimed_run_is_queued_again_while_attempts_remain(kpu, connected, graph, sandbox):
    run = AuditRun.objects.create(institution=kpu, trigger="manual")
    with sandbox.client() as control:
        control.inject_fault("error", code=2, count=1000)
    try:
        with pytest.raises(AuditRetryLater):
            audit_run_claimed(run_id=run.pk, config=graph)
        run.refresh_from_db()
        assert (run.status, run.attempts) == ("queued", 1)
        for _ in range(AUDIT_MAX_ATTEMPTS - 2):
            with pytest.raises(AuditRetryLater):
                audit_run_claimed(run_id=run.pk, config=graph)
        last = audit_run_claimed(run_id=run.pk, config=graph)
    finally:
        with sandbox.client() as control:
            control.clear_faults()
    assert last is not None
    assert (last.status, last.attempts) == ("failed", AUDIT_MAX_ATTEMPTS)


def test_a_run_is_claimed_once(kpu, connected, graph):
    run = AuditRun.objects.create(institution=kpu, trigger="manual")
    done = audit_run_claimed(run_id=run.pk, config=graph)
    assert done is not None
    assert (done.status, done.attempts) == ("done", 1)
    assert done.started_at is not None
    assert done.finished_at is not None
    assert audit_run_claimed(run_id=run.pk, config=graph) is None


def test_the_button_queues_a_run_and_dispatches_it_on_commit(
    persona, unit, django_capture_on_commit_callbacks
):
    with (
        mock.patch.object(tasks.audit_run_task, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        run = audit_request(actor=persona("sultra"), unit=unit("74"))
        again = audit_request(actor=persona("sultra"), unit=unit("74"))
    assert again == run
    assert (run.status, run.trigger, run.unit) == ("queued", "manual", unit("74"))
    delay.assert_called_once_with(run.pk)


def test_the_button_needs_change_on_the_unit(persona, unit, kpu):
    with pytest.raises(PermissionDenied):
        audit_request(actor=persona("bombana"), unit=unit("74.06"))  # an editor
    with pytest.raises(PermissionDenied):
        audit_request(actor=persona("sultra"), unit=unit("73"))
    with pytest.raises(PermissionDenied):
        audit_request(actor=persona("sultra"), institution=kpu)  # national: the root
    run = audit_request(actor=persona("pusat"), institution=kpu)
    assert run.unit is None


def test_the_daily_job_queues_one_national_run(kpu, django_capture_on_commit_callbacks):
    with (
        mock.patch.object(tasks.audit_run_task, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert tasks.audit_scheduled() == 1
        assert audits_schedule() == []  # one is pending already
    run = AuditRun.objects.get()
    assert (run.trigger, run.unit, run.status) == ("scheduled", None, "queued")
    delay.assert_called_once_with(run.pk)


def test_the_task_runs_the_claimed_row(kpu, connected, graph):
    run = AuditRun.objects.create(institution=kpu, trigger="manual")
    with mock.patch.object(GraphConfig, "from_settings", return_value=graph):
        tasks.audit_run_task.run(run.pk)
    run.refresh_from_db()
    assert run.status == "done"
    assert run.findings_count == Finding.objects.open().count() > 0
