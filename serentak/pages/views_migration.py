from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from serentak.core.http import AuthedRequest
from serentak.org.scoping import Action
from serentak.pages import selectors
from serentak.pages.models import MigrationChecklist, MigrationStep, Presence
from serentak.pages.services.migration import (
    migration_progress,
    migration_start,
    migration_step_set,
)


@login_required
def migration_list(request: AuthedRequest) -> HttpResponse:
    """Every move off a personal profile the user may follow (province, centre, the unit)."""
    checklists = (
        MigrationChecklist.objects.for_user(request.user, Action.VIEW)
        .select_related("unit", "profile")
        .order_by("completed_at", "unit__path")
    )
    rows = [(checklist, *migration_progress(checklist)) for checklist in checklists]
    profiles_without = (
        Presence.objects.for_user(request.user, Action.VIEW)
        .filter(kind="profile", migrations__isnull=True)
        .select_related("unit")
        .order_by("unit__path")
    )
    return render(
        request, "pages/migrations.html", {"rows": rows, "profiles_without": profiles_without}
    )


def _checklist_or_404(request: AuthedRequest, pk: int, action: Action) -> MigrationChecklist:
    try:
        return (
            MigrationChecklist.objects.for_user(request.user, action)
            .select_related("unit", "profile")
            .get(pk=pk)
        )
    except MigrationChecklist.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def migration_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    checklist = _checklist_or_404(request, pk, Action.VIEW)
    steps = [(step, label, checklist.steps.get(step)) for step, label in MigrationStep.choices]
    done, total = migration_progress(checklist)
    can_tick = (
        MigrationChecklist.objects.for_user(request.user, Action.WRITE)
        .filter(pk=checklist.pk)
        .exists()
    )
    return render(
        request,
        "pages/migration.html",
        {
            "checklist": checklist,
            "steps": steps,
            "done": done,
            "total": total,
            "can_tick": can_tick,
        },
    )


@login_required
@require_POST
def migration_open(request: AuthedRequest, presence_pk: int) -> HttpResponse:
    try:
        profile = selectors.presence_get(user=request.user, pk=presence_pk, action=Action.WRITE)
    except Presence.DoesNotExist as exc:
        raise Http404 from exc
    try:
        checklist = migration_start(actor=request.user, profile=profile)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("pages:migrations")
    return redirect("pages:migration", pk=checklist.pk)


@login_required
@require_POST
def migration_tick(request: AuthedRequest, pk: int) -> HttpResponse:
    checklist = _checklist_or_404(request, pk, Action.WRITE)
    try:
        migration_step_set(
            actor=request.user,
            checklist=checklist,
            step=request.POST.get("step", ""),
            done=request.POST.get("done") == "1",
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("pages:migration", pk=pk)
