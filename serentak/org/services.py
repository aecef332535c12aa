"""Writes on the unit tree, memberships and invitations.

``units_sync`` is the one way units are created or changed in bulk: the KPU preset and the
CSV/XLSX importer both describe the whole tree as rows and let it converge the database to
them — idempotently, keeping ids (and so everything attached to a unit) when a name changes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from serentak.accounts.models import User
from serentak.core.services import changelog_record
from serentak.org.models import Institution, Invitation, Membership, Role, Unit
from serentak.org.rows import Problem, RowsInvalid, UnitRow, topological, validate_rows
from serentak.org.scoping import ASSIGNABLE_ROLES, Action, forget_grants, grants_for, user_can

SYNCED_FIELDS = ("kind", "region_name", "name", "timezone", "short_name")


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    reactivated: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.created or self.updated or self.moved or self.deactivated or self.reactivated
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "moved": len(self.moved),
            "deactivated": len(self.deactivated),
            "reactivated": len(self.reactivated),
            "unchanged": self.unchanged,
        }


def institution_upsert(
    *,
    slug: str,
    name: str,
    short_name: str,
    naming: dict[str, str] | None = None,
    default_timezone: str = "Asia/Jakarta",
) -> Institution:
    institution, created = Institution.objects.get_or_create(
        slug=slug,
        defaults={
            "name": name,
            "short_name": short_name,
            "naming": naming or {},
            "default_timezone": default_timezone,
        },
    )
    if not created:
        wanted = {"name": name, "short_name": short_name, "default_timezone": default_timezone}
        if naming is not None:
            wanted["naming"] = naming  # type: ignore[assignment]
        dirty = [key for key, value in wanted.items() if getattr(institution, key) != value]
        for key in dirty:
            setattr(institution, key, wanted[key])
        if dirty:
            institution.save(update_fields=[*dirty, "updated_at"])
    return institution


@transaction.atomic
def units_sync(
    *,
    institution: Institution,
    rows: list[UnitRow],
    actor: User | None = None,
    source: str = "",
    deactivate_missing: bool = True,
) -> SyncReport:
    """Make the institution's tree equal to ``rows``; all or nothing.

    Units are matched by code. A changed name, kind or time zone updates the unit in place
    (its id, memberships and history stay); a changed parent moves it; units missing from
    ``rows`` are deactivated, never deleted.
    """
    problems = validate_rows(rows)
    existing = {unit.code: unit for unit in Unit.objects.filter(institution=institution)}
    root_row = next((row for row in rows if row.parent_code is None), None)
    current_root = next((u for u in existing.values() if u.depth == 1), None)
    if root_row and current_root and current_root.code != root_row.code:
        problems.append(
            Problem(
                root_row.line,
                "code",
                _("the institution's root unit is %(code)s; the file's root must be the same")
                % {"code": current_root.code},
            )
        )
    if problems:
        raise RowsInvalid(problems)

    report = SyncReport()
    for row in topological(rows):
        unit = existing.get(row.code)
        values = {name: getattr(row, name) for name in SYNCED_FIELDS}
        if unit is None:
            if row.parent_code is None:
                unit = Unit.objects.add_root(
                    {"institution": institution, "code": row.code, **values}
                )
            else:
                unit = Unit.objects.add_child(
                    existing[row.parent_code],
                    {"institution": institution, "code": row.code, **values},
                )
            existing[row.code] = unit
            report.created.append(row.code)
            changelog_record(obj=unit, action="create", actor=actor, source=source)
            continue

        changes = {
            name: [getattr(unit, name), value]
            for name, value in values.items()
            if getattr(unit, name) != value
        }
        if not unit.is_active:
            changes["is_active"] = [False, True]
            report.reactivated.append(row.code)
        parent = Unit.objects.get_parent(unit, update=True) if row.parent_code is not None else None
        if row.parent_code is not None and (parent is None or parent.code != row.parent_code):
            new_parent = Unit.objects.get(pk=existing[row.parent_code].pk)
            Unit.objects.move(unit, new_parent, pos="last-child")
            changes["parent"] = [parent.code if parent else None, row.parent_code]
            report.moved.append(row.code)
            # A move rewrites the paths of the whole subtree: read them again.
            existing = {u.code: u for u in Unit.objects.filter(institution=institution)}
            unit = existing[row.code]
        if changes:
            for name in SYNCED_FIELDS:
                setattr(unit, name, values[name])
            unit.is_active = True
            unit.save(update_fields=[*SYNCED_FIELDS, "is_active", "updated_at"])
            if set(changes) - {"parent", "is_active"}:
                report.updated.append(row.code)
            changelog_record(obj=unit, action="update", actor=actor, source=source, changes=changes)
        else:
            report.unchanged += 1

    if deactivate_missing:
        wanted = {row.code for row in rows}
        for code, unit in existing.items():
            if code not in wanted and unit.is_active:
                unit.is_active = False
                unit.save(update_fields=["is_active", "updated_at"])
                report.deactivated.append(code)
                changelog_record(
                    obj=unit,
                    action="update",
                    actor=actor,
                    source=source,
                    changes={"is_active": [True, False]},
                )
    return report


# --- The KPU preset ---------------------------------------------------------------------

_KPU_KIND = {"kabupaten": "regency", "kota": "city"}


def _data_text(name: str) -> str:
    return resources.files("serentak.org").joinpath("data", "kpu", name).read_text(encoding="utf-8")


def kpu_preset() -> tuple[dict[str, Any], list[UnitRow]]:
    """The KPU institution and its 553 units, from the Kemendagri data shipped in the repo."""
    import csv
    import io

    preset = json.loads(_data_text("preset.json"))
    spec = preset["institution"]
    naming: dict[str, str] = spec["naming"]
    short_overrides: dict[str, str] = preset["short_name_overrides"]
    name_overrides: dict[str, str] = preset["name_overrides"]

    def short_for(code: str, province_code: str) -> str:
        return short_overrides.get(code) or short_overrides.get(province_code) or ""

    def display(code: str, province_code: str, kind: str, region: str) -> str:
        if code in name_overrides:
            return name_overrides[code]
        short = (
            short_overrides.get(code) or short_overrides.get(province_code) or spec["short_name"]
        )
        pattern = naming.get(kind, "{short} {region}")
        return " ".join(pattern.format(short=short, region=region).split())

    centre = preset["centre"]
    rows = [
        UnitRow(
            code=centre["code"],
            parent_code=None,
            kind="centre",
            region_name=centre["region_name"],
            name=display(centre["code"], "", "centre", centre["region_name"]),
            timezone=centre["timezone"],
        )
    ]
    province_zone: dict[str, str] = {}
    for record in csv.DictReader(io.StringIO(_data_text("provinces.csv"))):
        province_zone[record["code"]] = record["timezone"]
        rows.append(
            UnitRow(
                code=record["code"],
                parent_code=centre["code"],
                kind="province",
                region_name=record["name_title"],
                name=display(record["code"], record["code"], "province", record["name_title"]),
                timezone=record["timezone"],
                short_name=short_for(record["code"], record["code"]),
            )
        )
    for record in csv.DictReader(io.StringIO(_data_text("regencies.csv"))):
        kind = _KPU_KIND[record["kind"]]
        rows.append(
            UnitRow(
                code=record["code"],
                parent_code=record["province_code"],
                kind=kind,
                region_name=record["name_title"],
                name=display(record["code"], record["province_code"], kind, record["name_title"]),
                timezone=province_zone[record["province_code"]],
                short_name=short_for(record["code"], record["province_code"]),
            )
        )
    return spec, rows


def units_load_preset(*, preset: str, actor: User | None = None) -> tuple[Institution, SyncReport]:
    if preset != "kpu":
        raise ValueError(_("unknown preset %(name)r (available: kpu)") % {"name": preset})
    spec, rows = kpu_preset()
    with transaction.atomic():
        institution = institution_upsert(
            slug=spec["slug"],
            name=spec["name"],
            short_name=spec["short_name"],
            naming=spec["naming"],
            default_timezone=spec["default_timezone"],
        )
        report = units_sync(institution=institution, rows=rows, actor=actor, source="units load")
    return institution, report


# --- Unit details ---------------------------------------------------------------------------


def unit_update_contacts(*, actor: User, unit: Unit, emails: list[str], phones: list[str]) -> Unit:
    if not user_can(actor, Action.CHANGE, unit):
        raise PermissionDenied
    changes = {}
    if unit.emails != emails:
        changes["emails"] = [unit.emails, emails]
    if unit.phones != phones:
        changes["phones"] = [unit.phones, phones]
    if changes:
        unit.emails, unit.phones = emails, phones
        unit.save(update_fields=["emails", "phones", "updated_at"])
        changelog_record(obj=unit, action="update", actor=actor, source="web", changes=changes)
    return unit


# --- People ------------------------------------------------------------------------------


def assignable_roles(*, actor: User, unit: Unit) -> list[str]:
    """Roles ``actor`` may give in ``unit``: never more than their own, central only at the root."""
    if actor.is_superuser:
        roles = list(ASSIGNABLE_ROLES["central_admin"])
    else:
        roles = []
        for grant in grants_for(actor):
            if grant.covers(unit, Action.MANAGE_PEOPLE):
                for role in ASSIGNABLE_ROLES.get(grant.role, ()):
                    if role not in roles:
                        roles.append(role)
    if unit.depth != 1 and Role.CENTRAL_ADMIN in roles:
        roles.remove(Role.CENTRAL_ADMIN)
    order = [choice.value for choice in Role]
    return sorted(roles, key=order.index)


def _check_role(*, actor: User, unit: Unit, role: str) -> None:
    if not user_can(actor, Action.MANAGE_PEOPLE, unit):
        raise PermissionDenied
    if role not in assignable_roles(actor=actor, unit=unit):
        raise ValidationError(_("You cannot give the role %(role)s in this unit.") % {"role": role})


@transaction.atomic
def membership_set(*, actor: User | None, user: User, unit: Unit, role: str) -> Membership:
    """Give ``user`` ``role`` in ``unit`` (replacing any role they had there)."""
    if actor is not None:
        _check_role(actor=actor, unit=unit, role=role)
    elif role == Role.CENTRAL_ADMIN and unit.depth != 1:
        raise ValidationError(_("A central admin belongs to the root unit."))
    membership, created = Membership.objects.update_or_create(
        user=user, unit=unit, defaults={"role": role}
    )
    changelog_record(
        obj=membership,
        action="create" if created else "update",
        actor=actor,
        source="web" if actor else "system",
        changes={"role": [None, role]},
    )
    forget_grants(user)
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    if not user_can(actor, Action.MANAGE_PEOPLE, membership.unit):
        raise PermissionDenied
    if membership.user_id == actor.pk:
        raise ValidationError(_("You cannot remove your own membership."))
    changelog_record(obj=membership, action="delete", actor=actor, source="web")
    membership.delete()
    forget_grants(membership.user)


def _manages_user(actor: User, person: User) -> bool:
    return any(
        user_can(actor, Action.MANAGE_PEOPLE, membership.unit)
        for membership in person.memberships.select_related("unit")
    )


@transaction.atomic
def user_set_active(*, actor: User, person: User, active: bool) -> User:
    """Deactivate (or reactivate) a person: only an admin of every unit they belong to."""
    memberships = list(person.memberships.select_related("unit"))
    if person.pk == actor.pk:
        raise ValidationError(_("You cannot deactivate yourself."))
    if person.is_superuser and not actor.is_superuser:
        raise PermissionDenied
    if not memberships or not all(
        user_can(actor, Action.MANAGE_PEOPLE, m.unit) for m in memberships
    ):
        raise PermissionDenied
    if person.is_active != active:
        person.is_active = active
        person.save(update_fields=["is_active"])
        changelog_record(
            obj=person,
            action="update",
            actor=actor,
            source="web",
            changes={"is_active": [not active, active]},
        )
    return person


# --- Invitations ----------------------------------------------------------------------------


@transaction.atomic
def invitation_create(*, actor: User, email: str, unit: Unit, role: str) -> Invitation:
    _check_role(actor=actor, unit=unit, role=role)
    email = email.strip().lower()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and existing.memberships.filter(unit=unit).exists():
        raise ValidationError(_("%(email)s already belongs to this unit.") % {"email": email})
    Invitation.objects.pending().filter(email__iexact=email, unit=unit).update(
        revoked_at=timezone.now()
    )
    invitation = Invitation.objects.create(email=email, unit=unit, role=role, invited_by=actor)
    changelog_record(
        obj=invitation, action="create", actor=actor, source="web", changes={"role": [None, role]}
    )
    transaction.on_commit(lambda: invitation_send(invitation=invitation))
    return invitation


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("org:invitation-accept", args=[invitation.token])


def invitation_send(*, invitation: Invitation) -> None:
    context = {"invitation": invitation, "url": invitation_url(invitation)}
    send_mail(
        subject=_("Invitation to Serentak: %(unit)s") % {"unit": invitation.unit.name},
        message=render_to_string("org/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> None:
    if not user_can(actor, Action.MANAGE_PEOPLE, invitation.unit):
        raise PermissionDenied
    if invitation.revoked_at is None and invitation.accepted_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])


def _invitation_claim(invitation: Invitation) -> Invitation:
    """Lock the invitation row and check it can still be used (inside a transaction)."""
    locked = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("unit", "invited_by")
        .get(pk=invitation.pk)
    )
    if not locked.is_usable:
        raise ValidationError(_("This invitation has expired or was already used."))
    return locked


def _invitation_close(*, invitation: Invitation, user: User) -> None:
    membership_set(actor=None, user=user, unit=invitation.unit, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    if invitation.invited_by is not None:
        # Imported here: notifications builds on org, not the other way round.
        from serentak.notifications.services import notify

        notify(
            recipients=[invitation.invited_by],
            kind="org.invitation_accepted",
            title=_("%(name)s joined %(unit)s")
            % {"name": user.display_name, "unit": invitation.unit.name},
            url=reverse("org:person-detail", args=[user.pk]),
            unit=invitation.unit,
        )


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, username: str, full_name: str, password: str
) -> User:
    """Create the invited person's account and membership; the link works once."""
    locked = _invitation_claim(invitation)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("This username is taken."))
    if User.objects.filter(email__iexact=locked.email).exists():
        raise ValidationError(_("An account with this email exists: sign in to accept."))
    user = User.objects.create_user(
        username=username, email=locked.email, password=password, full_name=full_name
    )
    _invitation_close(invitation=locked, user=user)
    return user


@transaction.atomic
def invitation_accept_as(*, invitation: Invitation, user: User) -> Membership:
    """A person who already has an account joins the invited unit with the invited role."""
    locked = _invitation_claim(invitation)
    if not user.is_active or user.email.strip().lower() != locked.email.lower():
        raise PermissionDenied(_("This invitation was sent to another email address."))
    _invitation_close(invitation=locked, user=user)
    return Membership.objects.get(user=user, unit=locked.unit)
