"""Moving a unit off a personal profile: a checklist the province and the centre follow.

The steps are the workshop's advice: create (or convert to) a Page, give its admin roles to
the PR staff, announce the move on the profile, retire the profile. The unit ticks them; the
province and the centre see the progress.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from serentak.accounts.models import User
from serentak.core.services import changelog_record
from serentak.org.scoping import Action, user_can
from serentak.pages.models import MigrationChecklist, MigrationStep, Presence, PresenceKind

STEPS = [step.value for step in MigrationStep]


@transaction.atomic
def migration_start(*, actor: User, profile: Presence) -> MigrationChecklist:
    """Open the checklist for a unit found on a personal profile (once per profile)."""
    if profile.unit is None or not user_can(actor, Action.WRITE, profile.unit):
        raise PermissionDenied
    if profile.kind != PresenceKind.PROFILE:
        raise ValidationError(_("Only a personal profile needs a move to a Page."))
    checklist, created = MigrationChecklist.objects.get_or_create(
        profile=profile, defaults={"unit": profile.unit}
    )
    if created:
        changelog_record(obj=checklist, action="create", actor=actor, source="web")
    return checklist


@transaction.atomic
def migration_step_set(
    *, actor: User, checklist: MigrationChecklist, step: str, done: bool
) -> MigrationChecklist:
    if not user_can(actor, Action.WRITE, checklist.unit):
        raise PermissionDenied
    if step not in STEPS:
        raise ValidationError(_("Unknown step."))
    locked = MigrationChecklist.objects.select_for_update().get(pk=checklist.pk)
    steps = dict(locked.steps)
    if done and step not in steps:
        steps[step] = {"at": timezone.now().isoformat(), "by": actor.pk}
    elif not done:
        steps.pop(step, None)
    locked.steps = steps
    locked.completed_at = timezone.now() if all(s in steps for s in STEPS) else None
    locked.save(update_fields=["steps", "completed_at"])
    changelog_record(
        obj=locked, action="update", actor=actor, source="web", changes={step: [not done, done]}
    )
    return locked


def migration_progress(checklist: MigrationChecklist) -> tuple[int, int]:
    return sum(1 for step in STEPS if step in checklist.steps), len(STEPS)
