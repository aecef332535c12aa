"""A unit's inbox, adapting, the originality policy, and the approval matrix.

Personas: ``pusat`` (central admin), ``sultra`` (unit admin of Sulawesi Tenggara, 74),
``bombana`` (editor of 74.06), ``konawe`` (editor of 74.02, another regency of the same
province); approvers are created per test where a route needs them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from serentak.accounts.models import User
from serentak.content.models import (
    Adaptation,
    AdaptationStatus,
    AdaptationTransition,
    OriginalityPolicy,
    Package,
    Priority,
)
from serentak.content.selectors import (
    approvals_waiting,
    inbox,
    inbox_counts,
    package_progress,
)
from serentak.content.services import (
    TransitionNotAllowed,
    adaptation_approve,
    adaptation_mark_published,
    adaptation_mark_scheduled,
    adaptation_request_changes,
    adaptation_save,
    adaptation_submit,
    package_create,
    package_send,
)
from serentak.notifications.models import Notification
from serentak.org.models import Institution, Membership

pytestmark = pytest.mark.django_db

S = AdaptationStatus
BODY = '{{ satker }} mengajak warga {{ wilayah }} mengecek DPT.\n{{ blok("kutipan", "Kutipan") }}'
ADAPTED = "Warga Bombana, ayo cek DPT di kantor desa dan lapor bila nama belum terdaftar!"


def send(
    *, targets: Any = None, title: str = "Cek DPT", deadline: Any = "default", **fields: Any
) -> Package:
    pusat = User.objects.get(username="pusat")
    if deadline == "default":
        deadline = timezone.now() + dt.timedelta(days=2)
    package = package_create(
        actor=pusat,
        author_unit=pusat.memberships.get().unit,
        title=title,
        body=BODY,
        targets=targets or {"units": ["74.06", "74.02"]},
        deadline=deadline,
        **fields,
    )
    package_send(actor=pusat, package=package)
    return package


def adaptation_of(package: Package, code: str) -> Adaptation:
    return Adaptation.objects.get(package=package, unit__code=code)


def person(username: str, *, unit: Any = None, role: str = "approver") -> User:
    user = User.objects.create_user(username=username, email=f"{username}@example.test")
    if unit is not None:
        Membership.objects.create(user=user, unit=unit, role=role)
    return user


def route(institution: Institution, name: str, trusted: list[str] | None = None) -> None:
    institution.defaults = {"approval": name, "trusted_units": trusted or []}
    institution.save()


def fresh(username: str) -> User:
    return User.objects.get(username=username)  # grants are cached per instance


@pytest.fixture
def package() -> Package:
    return send()


@pytest.fixture
def bombana_work(package: Package) -> Adaptation:
    return adaptation_of(package, "74.06")


# --- The inbox ------------------------------------------------------------------------------


def test_the_inbox_puts_urgent_first_then_the_earliest_deadline_with_none_last(persona):
    now = timezone.now()
    normal_late = send(title="normal, late", deadline=now + dt.timedelta(days=5))
    normal_none = send(title="normal, no deadline", deadline=None)
    urgent_late = send(
        title="urgent, late", priority=Priority.URGENT, deadline=now + dt.timedelta(days=9)
    )
    normal_soon = send(title="normal, soon", deadline=now + dt.timedelta(days=1))
    low_soon = send(
        title="low, soonest", priority=Priority.LOW, deadline=now + dt.timedelta(hours=2)
    )
    high_none = send(title="high, no deadline", priority=Priority.HIGH, deadline=None)
    normal_none_later = send(title="normal, no deadline, later", deadline=None)

    titles = [a.package.title for a in inbox(user=persona("bombana"))]
    assert titles == [
        urgent_late.title,
        high_none.title,
        normal_soon.title,
        normal_late.title,
        normal_none.title,
        normal_none_later.title,
        low_soon.title,
    ]


def test_the_inbox_is_one_query_and_shows_only_the_own_unit(
    persona, package, django_assert_num_queries
):
    bombana = persona("bombana")
    send(title="kedua")
    with django_assert_num_queries(2):  # the grants, then the inbox with package and unit
        rows = list(inbox(user=bombana))
        assert {row.unit.code for row in rows} == {"74.06"}
        assert {row.package.title for row in rows} == {"Cek DPT", "kedua"}
    assert {a.unit.code for a in inbox(user=persona("sultra"))} == {"74.06", "74.02"}
    assert list(inbox(user=persona("tamu"))) == []


def test_the_inbox_counts_what_waits_and_what_is_overdue(persona, package, unit):
    send(title="lewat tenggat")
    Package.objects.filter(title="lewat tenggat").update(
        deadline=timezone.now() - dt.timedelta(hours=1)
    )
    counts = inbox_counts(user=persona("bombana"))
    assert counts[S.DRAFT] == 2
    assert counts["open"] == 2
    assert counts["overdue"] == 1
    assert inbox_counts(user=persona("sultra"), unit=unit("74.02"))["open"] == 2


# --- Adapting -------------------------------------------------------------------------------


def test_the_unit_saves_its_version_and_originality_is_computed_again(persona, bombana_work):
    saved = adaptation_save(
        actor=persona("bombana"),
        adaptation=bombana_work,
        text=ADAPTED,
        blocks={"kutipan": "Kata Ketua KPU Bombana."},
    )
    bombana_work.refresh_from_db()
    assert bombana_work.text == ADAPTED
    assert bombana_work.blocks == {"kutipan": "Kata Ketua KPU Bombana."}
    assert bombana_work.originality > 0.3
    assert saved.originality == bombana_work.originality


def test_a_version_can_be_composed_from_the_blocks_alone(persona, bombana_work):
    saved = adaptation_save(
        actor=persona("bombana"),
        adaptation=bombana_work,
        text=None,
        blocks={"kutipan": "“Kami buka posko cek DPT di tiap kecamatan,” kata Ketua KPU Bombana."},
    )
    assert saved.text == (
        "KPU Kabupaten Bombana mengajak warga Kabupaten Bombana mengecek DPT.\n"
        "“Kami buka posko cek DPT di tiap kecamatan,” kata Ketua KPU Bombana."
    )
    assert 0.0 < saved.originality < 1.0  # the block is the unit's own text, the rest is not


def test_a_block_the_template_does_not_have_is_refused(persona, bombana_work):
    with pytest.raises(ValidationError, match="foto"):
        adaptation_save(
            actor=persona("bombana"), adaptation=bombana_work, text=ADAPTED, blocks={"foto": "x"}
        )


def test_an_editor_of_another_regency_cannot_touch_bombanas_adaptation(persona, bombana_work):
    konawe = persona("konawe")
    with pytest.raises(PermissionDenied):
        adaptation_save(actor=konawe, adaptation=bombana_work, text="diubah Konawe")
    with pytest.raises(PermissionDenied):
        adaptation_submit(actor=konawe, adaptation=bombana_work)
    with pytest.raises(PermissionDenied):
        adaptation_approve(actor=konawe, adaptation=bombana_work)
    bombana_work.refresh_from_db()
    assert bombana_work.status == S.DRAFT
    assert bombana_work.text == bombana_work.rendered
    assert bombana_work not in inbox(user=konawe)


# --- Originality policy ---------------------------------------------------------------------


def test_require_refuses_a_copy_below_the_threshold_with_score_and_threshold(persona):
    package = send(originality_policy=OriginalityPolicy.REQUIRE, originality_threshold=0.4)
    work = adaptation_of(package, "74.06")
    with pytest.raises(ValidationError) as caught:
        adaptation_submit(actor=persona("bombana"), adaptation=work)
    assert "0%" in caught.value.messages[0]
    assert "40%" in caught.value.messages[0]
    work.refresh_from_db()
    assert work.status == S.DRAFT

    adaptation_save(actor=persona("bombana"), adaptation=work, text=ADAPTED)
    assert adaptation_submit(actor=persona("bombana"), adaptation=work).status == S.SUBMITTED


def test_warn_lets_a_copy_through(persona):
    package = send(originality_policy=OriginalityPolicy.WARN, originality_threshold=0.9)
    work = adaptation_of(package, "74.06")
    assert adaptation_submit(actor=persona("bombana"), adaptation=work).status == S.SUBMITTED


# --- Approval routes ------------------------------------------------------------------------


def test_route_unit_the_province_admin_approves_a_regency_and_every_step_is_recorded(
    kpu, persona, bombana_work
):
    route(kpu, "unit")
    bombana, sultra = persona("bombana"), persona("sultra")
    adaptation_save(actor=bombana, adaptation=bombana_work, text=ADAPTED)
    adaptation_submit(actor=bombana, adaptation=bombana_work)
    adaptation_approve(actor=sultra, adaptation=bombana_work, comment="Bagus.")

    bombana_work.refresh_from_db()
    assert bombana_work.status == S.APPROVED
    assert bombana_work.approved_by == sultra
    assert bombana_work.submitted_at is not None
    steps = list(
        AdaptationTransition.objects.filter(adaptation=bombana_work).values_list(
            "from_status", "to_status", "actor__username", "comment"
        )
    )
    assert steps == [
        ("", S.DRAFT, "pusat", ""),
        (S.DRAFT, S.SUBMITTED, "bombana", ""),
        (S.SUBMITTED, S.APPROVED, "sultra", "Bagus."),
    ]


def test_an_approver_of_konawe_cannot_approve_bombanas_adaptation(kpu, persona, unit, bombana_work):
    route(kpu, "unit")
    konawe_approver = person("approver_konawe", unit=unit("74.02"))
    adaptation_submit(actor=persona("bombana"), adaptation=bombana_work)
    with pytest.raises(PermissionDenied):
        adaptation_approve(actor=konawe_approver, adaptation=bombana_work)
    with pytest.raises(PermissionDenied):
        adaptation_request_changes(actor=konawe_approver, adaptation=bombana_work, comment="x")
    assert list(approvals_waiting(user=konawe_approver)) == []
    bombana_work.refresh_from_db()
    assert bombana_work.status == S.SUBMITTED


def test_route_unit_the_units_own_approver_is_asked_and_may_approve(
    kpu, persona, unit, bombana_work
):
    route(kpu, "unit")
    own = person("approver_bombana", unit=unit("74.06"))
    adaptation_submit(actor=persona("bombana"), adaptation=bombana_work)
    # Only the nearest approvers are told: Bombana's own, not the province nor the centre.
    told = Notification.objects.filter(kind="content.adaptation_submitted")
    assert list(told.values_list("recipient__username", flat=True)) == ["approver_bombana"]
    assert [a.pk for a in approvals_waiting(user=own)] == [bombana_work.pk]
    adaptation_approve(actor=own, adaptation=bombana_work)
    bombana_work.refresh_from_db()
    assert bombana_work.status == S.APPROVED


def test_route_province_only_a_unit_above_approves(kpu, persona, unit, bombana_work):
    route(kpu, "province")
    own = person("approver_bombana", unit=unit("74.06"))
    adaptation_submit(actor=persona("bombana"), adaptation=bombana_work)
    told = Notification.objects.filter(kind="content.adaptation_submitted")
    assert list(told.values_list("recipient__username", flat=True)) == ["sultra"]
    assert list(approvals_waiting(user=own)) == []
    with pytest.raises(PermissionDenied):
        adaptation_approve(actor=own, adaptation=bombana_work)
    sultra = persona("sultra")
    assert [a.pk for a in approvals_waiting(user=sultra)] == [bombana_work.pk]
    adaptation_approve(actor=sultra, adaptation=bombana_work)
    bombana_work.refresh_from_db()
    assert bombana_work.status == S.APPROVED


@pytest.mark.parametrize(("name", "trusted"), [("auto", []), ("unit", ["74.06"])])
def test_auto_route_and_trusted_units_are_approved_on_submission(
    kpu, persona, package, name, trusted
):
    route(kpu, name, trusted)
    work = adaptation_submit(actor=persona("bombana"), adaptation=adaptation_of(package, "74.06"))
    assert work.status == S.APPROVED
    steps = list(work.transitions.values_list("from_status", "to_status", "actor"))
    assert steps[1:] == [
        (S.DRAFT, S.SUBMITTED, persona("bombana").pk),
        (S.SUBMITTED, S.APPROVED, None),
    ]
    assert not Notification.objects.filter(kind="content.adaptation_submitted").exists()
    if trusted:  # the others still wait for approval
        konawe_work = adaptation_of(package, "74.02")
        assert adaptation_submit(actor=persona("konawe"), adaptation=konawe_work).status == (
            S.SUBMITTED
        )


def test_approvals_waiting_costs_the_same_few_queries_for_any_number(
    kpu, persona, django_assert_num_queries
):
    route(kpu, "province")
    for number in range(4):
        package = send(title=f"paket {number}", targets={"provinces": ["74"]})
        for work in Adaptation.objects.filter(package=package, unit__code__startswith="74."):
            adaptation_submit(actor=persona("sultra"), adaptation=work)
    pusat, sultra = persona("pusat"), persona("sultra")
    with django_assert_num_queries(3):  # grants, their routes, the list with package and unit
        rows = list(approvals_waiting(user=pusat))
        assert {row.package.title for row in rows} == {f"paket {n}" for n in range(4)}
        assert all(row.unit.code.startswith("74.") for row in rows)
        # submitted_by_id is an annotation of the selector
        assert {row.submitted_by_id for row in rows} == {sultra.pk}  # type: ignore[attr-defined]
    per_package = Adaptation.objects.filter(package__title="paket 0", unit__code__startswith="74.")
    assert len(rows) == 4 * per_package.count()


def test_nobody_reviews_what_they_submitted(kpu, persona, bombana_work):
    route(kpu, "unit")
    sultra = persona("sultra")  # unit admin of 74: may write for Bombana too
    adaptation_submit(actor=sultra, adaptation=bombana_work)
    assert list(approvals_waiting(user=fresh("sultra"))) == []
    with pytest.raises(PermissionDenied):
        adaptation_approve(actor=sultra, adaptation=bombana_work)
    adaptation_approve(actor=persona("pusat"), adaptation=bombana_work)


def test_changes_need_a_comment_go_back_to_the_unit_and_it_submits_again(
    kpu, persona, bombana_work
):
    route(kpu, "unit")
    bombana, sultra = persona("bombana"), persona("sultra")
    adaptation_submit(actor=bombana, adaptation=bombana_work)
    with pytest.raises(ValidationError):
        adaptation_request_changes(actor=sultra, adaptation=bombana_work, comment="  ")
    adaptation_request_changes(actor=sultra, adaptation=bombana_work, comment="Sebut lokasi TPS.")

    notice = Notification.objects.get(kind="content.changes_requested")
    assert notice.recipient == bombana
    assert notice.body == "Sebut lokasi TPS."
    assert bombana_work in inbox(user=bombana, status=S.CHANGES_REQUESTED)

    adaptation_save(actor=bombana, adaptation=bombana_work, text=ADAPTED + " TPS 3.")
    adaptation_submit(actor=bombana, adaptation=bombana_work)
    adaptation_approve(actor=sultra, adaptation=bombana_work)
    approved = Notification.objects.get(kind="content.adaptation_approved")
    assert approved.recipient == bombana
    assert list(bombana_work.transitions.values_list("to_status", flat=True)) == [
        S.DRAFT,
        S.SUBMITTED,
        S.CHANGES_REQUESTED,
        S.SUBMITTED,
        S.APPROVED,
    ]


# --- The state machine ----------------------------------------------------------------------


def test_illegal_moves_are_refused_and_leave_no_trace(persona, bombana_work):
    pusat, bombana = persona("pusat"), persona("bombana")
    with pytest.raises(TransitionNotAllowed):
        adaptation_approve(actor=pusat, adaptation=bombana_work)  # still a draft
    with pytest.raises(TransitionNotAllowed):
        adaptation_mark_scheduled(adaptation=bombana_work)
    adaptation_submit(actor=bombana, adaptation=bombana_work)
    with pytest.raises(TransitionNotAllowed):
        adaptation_submit(actor=bombana, adaptation=bombana_work)
    with pytest.raises(TransitionNotAllowed):
        adaptation_save(actor=bombana, adaptation=bombana_work, text="diam-diam diubah")
    adaptation_approve(actor=pusat, adaptation=bombana_work)
    with pytest.raises(TransitionNotAllowed):
        adaptation_mark_published(adaptation=bombana_work)  # not scheduled yet
    assert bombana_work.transitions.count() == 3


def test_the_publishing_hooks_schedule_then_publish(persona, bombana_work):
    adaptation_submit(actor=persona("bombana"), adaptation=bombana_work)
    adaptation_approve(actor=persona("sultra"), adaptation=bombana_work)
    adaptation_mark_scheduled(adaptation=bombana_work, comment="slot 09.00 WITA")
    published = adaptation_mark_published(adaptation=bombana_work)
    assert published.status == S.PUBLISHED
    assert list(bombana_work.transitions.values_list("to_status", flat=True))[-2:] == [
        S.SCHEDULED,
        S.PUBLISHED,
    ]
    with pytest.raises(TransitionNotAllowed):
        adaptation_mark_published(adaptation=bombana_work)


def test_a_stale_copy_cannot_move_an_adaptation_twice(persona, bombana_work):
    adaptation_submit(actor=persona("bombana"), adaptation=bombana_work)
    stale = Adaptation.objects.get(pk=bombana_work.pk)
    adaptation_approve(actor=persona("sultra"), adaptation=bombana_work)
    # Services read the row again, so the stale copy is refused by the state machine.
    with pytest.raises(TransitionNotAllowed):
        adaptation_request_changes(actor=persona("pusat"), adaptation=stale, comment="terlambat")


def test_the_progress_of_a_package_counts_each_status(persona, package):
    adaptation_submit(actor=persona("bombana"), adaptation=adaptation_of(package, "74.06"))
    progress = package_progress(package=package)
    assert progress[S.DRAFT] == 1
    assert progress[S.SUBMITTED] == 1
    assert progress["total"] == 2
    assert package_progress(package=package, user=persona("konawe"))["total"] == 1
