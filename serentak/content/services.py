"""Writes on packages and adaptations: authoring, sending, adapting, approving.

Who may do what:

* **Authoring and sending** a package needs WRITE *and* APPROVE on the author unit — the
  central admins for the centre, the unit admins of a province (or above) for a province —
  and the author unit must have units below it. Editors (WRITE on their own unit only) and
  approvers (no WRITE) cannot send content to other units. ``actor=None`` is the system
  (the ``serentak content send`` command).
* **Adapting** (saving, submitting) needs WRITE on the adaptation's unit: its editors and
  the unit admins of it or above.
* **Approving** or requesting changes follows the institution's approval route (see
  ``selectors``): APPROVE on the unit ("unit") or on a unit above it ("province"). The
  person who submitted an adaptation never reviews it (four eyes); a unit that needs no
  second pair of eyes is listed in ``trusted_units`` or the route is "auto".

The adaptation's state machine (``ALLOWED_MOVES``); every move is an
``AdaptationTransition`` row (who, when, from, to, comment) and is applied with a
conditional UPDATE, so two people acting at once cannot both move it::

    (created) → draft                       adapt mode
    (created) → approved                    broadcast mode: rendered and approved as is
    draft | changes_requested → submitted   adaptation_submit
    submitted → approved | changes_requested
    approved → scheduled → published        the publishing hooks

Sending to 553 units costs a constant number of SQL statements (see ``package_send``).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import connections, models, router, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from serentak.accounts.models import User
from serentak.content import notifications as kinds
from serentak.content.models import (
    Adaptation,
    AdaptationStatus,
    AdaptationTransition,
    Mode,
    OriginalityPolicy,
    Package,
    PackageStatus,
    Priority,
)
from serentak.content.originality import originality
from serentak.content.selectors import (
    ROUTE_PROVINCE,
    approval_is_automatic,
    approval_route,
    user_may_review,
)
from serentak.content.targets import targets_parse, targets_resolve
from serentak.content.templating import (
    TemplateInvalid,
    UnitVars,
    render_for_units,
    template_blocks,
    template_check,
    unit_context,
)
from serentak.core.services import changelog_record
from serentak.notifications.kinds import Priority as NoticePriority
from serentak.notifications.services import notify
from serentak.org.models import Institution, Membership, Unit
from serentak.org.scoping import ROLE_GRANTS, Action, user_can

S = AdaptationStatus

ALLOWED_MOVES: dict[str, frozenset[str]] = {
    "": frozenset({S.DRAFT, S.APPROVED}),
    S.DRAFT: frozenset({S.SUBMITTED}),
    S.CHANGES_REQUESTED: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.APPROVED, S.CHANGES_REQUESTED}),
    S.APPROVED: frozenset({S.SCHEDULED}),
    S.SCHEDULED: frozenset({S.PUBLISHED}),
    S.PUBLISHED: frozenset(),
}
EDITABLE = (S.DRAFT, S.CHANGES_REQUESTED)

TITLE_MAX_LENGTH = Package._meta.get_field("title").max_length or 200
SOURCE = "content"

# Roles whose people adapt a unit's content (and so receive its packages), and those who
# approve it: read from the grants, so a new role needs no change here.
WRITER_ROLES = tuple(
    role for role, (actions, _sub) in ROLE_GRANTS.items() if Action.WRITE in actions
)
APPROVER_ROLES = tuple(
    role for role, (actions, _sub) in ROLE_GRANTS.items() if Action.APPROVE in actions
)


class TransitionNotAllowed(ValidationError):
    """A move the state machine does not allow (approving a draft, editing a published post)."""


# --- Packages ---------------------------------------------------------------------------------


def _check_author(*, actor: User | None, unit: Unit) -> None:
    if actor is not None and not (
        user_can(actor, Action.WRITE, unit) and user_can(actor, Action.APPROVE, unit)
    ):
        raise PermissionDenied(_("You cannot send content on behalf of %(unit)s.") % {"unit": unit})
    if not unit.numchild:
        raise ValidationError(
            _("%(unit)s has no units below it to send content to.") % {"unit": unit},
            code="author_leaf",
        )


def _template_error(problems: list[Any]) -> ValidationError:
    return ValidationError([str(problem) for problem in problems], code="template")


def _check_template(body: str, moments: dict[str, Any]) -> None:
    problems = template_check(body, moments=moments)
    if problems:
        raise _template_error(problems)


@transaction.atomic
def package_create(
    *,
    actor: User | None,
    author_unit: Unit,
    title: str,
    body: str,
    link: str = "",
    guidance: str = "",
    mode: str = Mode.ADAPT,
    priority: str = Priority.NORMAL,
    deadline: dt.datetime | None = None,
    moments: dict[str, Any] | None = None,
    targets: Any,
    originality_policy: str = OriginalityPolicy.WARN,
    originality_threshold: float = 0.3,
    now: dt.datetime | None = None,
) -> Package:
    """Write a package (not sent yet): every field is checked, the template compiled against
    ``moments`` and the targets resolved, so a package that was created can be sent.

    Raises ``PermissionDenied`` (see the module's rules on authoring) or ``ValidationError``
    (template problems come with their line and column).
    """
    _check_author(actor=actor, unit=author_unit)
    now = now or timezone.now()
    moments = moments or {}
    title = title.strip()
    errors: list[str] = []
    if not title:
        errors.append(_("Give the package a title."))
    elif len(title) > TITLE_MAX_LENGTH:
        errors.append(_("The title is longer than %(max)d characters.") % {"max": TITLE_MAX_LENGTH})
    if not body.strip():
        errors.append(_("The package has no body."))
    if mode not in Mode.values:
        errors.append(_("Unknown mode “%(value)s”.") % {"value": mode})
    if priority not in Priority.values:
        errors.append(_("Unknown priority “%(value)s”.") % {"value": priority})
    if originality_policy not in OriginalityPolicy.values:
        errors.append(_("Unknown originality policy “%(value)s”.") % {"value": originality_policy})
    if not 0.0 <= originality_threshold <= 1.0:
        errors.append(_("The originality threshold is a number between 0 and 1."))
    if deadline is not None:
        if timezone.is_naive(deadline):
            errors.append(_("Give the deadline with its time zone offset."))
        elif deadline <= now:
            errors.append(_("The deadline has passed already."))
    if link:
        try:
            URLValidator(schemes=["http", "https"])(link)
        except ValidationError:
            errors.append(_("The link is not a web address."))
    if not isinstance(moments, dict):
        errors.append(_("Moments are a mapping of names to instants."))
    if errors:
        raise ValidationError(errors)
    _check_template(body, moments)
    targets = targets_parse(targets)
    targets_resolve(author_unit=author_unit, targets=targets)

    package = Package.objects.create(
        institution_id=author_unit.institution_id,
        author_unit=author_unit,
        author=actor,
        title=title,
        body=body,
        link=link,
        guidance=guidance.strip(),
        mode=mode,
        priority=priority,
        deadline=deadline,
        moments=moments,
        targets=targets,
        originality_policy=originality_policy,
        originality_threshold=originality_threshold,
    )
    changelog_record(obj=package, action="create", actor=actor, source=SOURCE)
    return package


@transaction.atomic
def package_send(*, actor: User | None, package: Package) -> int:
    """Send ``package``: one adaptation per target unit, pre-rendered; the number created.

    Everything happens in one transaction and in a constant number of SQL statements,
    whatever the number of units (about 15 for 553 units, notices included): the package
    is claimed with a conditional UPDATE (so sending twice sends once), the targets
    resolved in one or two queries, the template rendered for every unit in memory, the
    adaptations inserted with one statement and their first transitions with another (see
    ``_adaptations_insert``), and the editors and admins of the target units are told with
    one ``notify`` (digest by default; emailed at once for an urgent package).

    In broadcast mode the adaptations are created approved, text as rendered, ready for
    the publishing planner.
    """
    _check_author(actor=actor, unit=package.author_unit)
    now = timezone.now()
    claimed = Package.objects.filter(pk=package.pk, status=PackageStatus.DRAFT).update(
        status=PackageStatus.SENT, sent_at=now, updated_at=now
    )
    if not claimed:
        raise ValidationError(_("This package was sent already."), code="sent")
    units = targets_resolve(author_unit=package.author_unit, targets=package.targets)
    try:
        rendered = render_for_units(
            package.body,
            units=_template_units(units, institution=package.institution),
            moments=package.moments,
        )
    except TemplateInvalid as exc:
        raise _template_error(exc.problems) from exc

    broadcast = package.mode == Mode.BROADCAST
    status = S.APPROVED if broadcast else S.DRAFT
    actor_id = actor.pk if actor is not None else None
    _adaptations_insert(
        package=package,
        rendered=[(unit.pk, rendered[unit.pk]) for unit in units],
        status=status,
        approved_by_id=actor_id if broadcast else None,
        now=now,
    )
    _transitions_insert(
        package=package,
        status=status,
        actor_id=actor_id,
        comment=_("broadcast: approved as rendered") if broadcast else "",
        now=now,
    )
    package.status, package.sent_at = PackageStatus.SENT, now
    changelog_record(
        obj=package, action="send", actor=actor, source=SOURCE, changes={"units": len(units)}
    )
    recipients = User.objects.filter(
        is_active=True,
        memberships__role__in=WRITER_ROLES,
        memberships__unit__in=Adaptation.objects.filter(package=package).values("unit_id"),
    ).distinct()
    title = (
        gettext_lazy("New notice to post: {title}")
        if broadcast
        else gettext_lazy("New content to adapt: {title}")
    )
    notify(
        recipients=recipients,
        kind=kinds.PACKAGE_RECEIVED,
        title=format_lazy(title, title=package.title),
        body=package.guidance,
        priority=_notice_priority(package),
        unit=package.author_unit,
        reference=f"package:{package.pk}",
    )
    return len(units)


def _template_units(units: list[Unit], *, institution: Institution) -> list[UnitVars]:
    """What the template knows of each unit; the provinces not among ``units`` are read in
    one query (none when sending to whole provinces or to "all")."""
    province_depth = 2

    def province_path(unit: Unit) -> str:
        return unit.path[: province_depth * unit.steplen]

    known = {unit.path: unit for unit in units if unit.depth == province_depth}
    missing = {province_path(u) for u in units if u.depth > province_depth} - known.keys()
    if missing:
        known.update((p.path, p) for p in Unit.objects.filter(path__in=missing))
    return [
        unit_context(
            unit,
            province_name=known[province_path(unit)].region_name
            if unit.depth > province_depth and province_path(unit) in known
            else None,
            institution=unit.short_name or institution.short_name,
        )
        for unit in units
    ]


def _adaptations_insert(
    *,
    package: Package,
    rendered: list[tuple[int, str]],
    status: str,
    approved_by_id: int | None,
    now: dt.datetime,
) -> None:
    """Insert one adaptation per ``(unit id, rendered text)`` in a single statement.

    ``bulk_create`` cannot promise that: Django caps an SQLite statement at 999 parameters,
    so 553 adaptations of 12 columns would take 7 INSERTs, more as the tree grows. Here
    the rows travel as one JSON parameter that the database unpacks (``json_each`` on
    SQLite, ``json_array_elements`` on PostgreSQL) into ``INSERT … SELECT``. Every other
    value is prepared by its model field, as the ORM would. Another database falls back
    to ``bulk_create``.
    """
    connection = connections[router.db_for_write(Adaptation)]
    approved_at = now if status == S.APPROVED else None
    if connection.vendor == "sqlite":
        source = (
            "SELECT json_extract(value, '$[0]') AS unit_id, json_extract(value, '$[1]') AS body"
            " FROM json_each(%s)"
        )
    elif connection.vendor == "postgresql":
        source = (
            "SELECT (value->>0)::bigint AS unit_id, value->>1 AS body"
            " FROM json_array_elements(%s::json)"
        )
    else:  # pragma: no cover - Serentak runs on SQLite and PostgreSQL
        Adaptation.objects.bulk_create(
            Adaptation(
                package=package,
                unit_id=unit_id,
                status=status,
                rendered=text,
                text=text,
                approved_at=approved_at,
                approved_by_id=approved_by_id,
            )
            for unit_id, text in rendered
        )
        return

    _insert_select(
        Adaptation,
        constants={
            "package": package.pk,
            "status": status,
            "blocks": {},
            "originality": 0.0,
            "submitted_at": None,
            "approved_at": approved_at,
            "approved_by": approved_by_id,
            "created_at": now,
            "updated_at": now,
        },
        from_source={"unit": "src.unit_id", "rendered": "src.body", "text": "src.body"},
        source=source,
        source_params=[json.dumps(rendered, ensure_ascii=False)],
    )


def _transitions_insert(
    *, package: Package, status: str, actor_id: int | None, comment: str, now: dt.datetime
) -> None:
    """The creation transition of every adaptation of ``package``, in one statement."""
    quote = connections[router.db_for_write(AdaptationTransition)].ops.quote_name
    source = (
        f"SELECT {quote(Adaptation._meta.pk.column)} AS adaptation_id"  # noqa: S608 - names come from the model
        f" FROM {quote(Adaptation._meta.db_table)}"
        f" WHERE {quote(Adaptation.package.field.column)} = %s"
    )
    _insert_select(
        AdaptationTransition,
        constants={
            "from_status": "",
            "to_status": status,
            "actor": actor_id,
            "comment": comment,
            "at": now,
        },
        from_source={"adaptation": "src.adaptation_id"},
        source=source,
        source_params=[package.pk],
    )


def _insert_select(
    model: type[models.Model],
    *,
    constants: dict[str, Any],
    from_source: dict[str, str],
    source: str,
    source_params: list[Any],
) -> None:
    """``INSERT INTO <model> (<every column but the key>) SELECT … FROM (<source>) AS src``.

    A column takes the expression ``from_source`` names for it (a column of ``src``) or
    else its value in ``constants``, prepared by the model field as the ORM would; a field
    added to the model fails here (KeyError) until it is given a value.
    """
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    columns, values, params = [], [], []
    for model_field in model._meta.concrete_fields:
        if model_field.primary_key:
            continue
        columns.append(quote(model_field.column))
        if model_field.name in from_source:
            values.append(from_source[model_field.name])
        else:
            values.append("%s")
            params.append(model_field.get_db_prep_save(constants[model_field.name], connection))
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(columns)})"  # noqa: S608 - names come from the model, values are parameters
        f" SELECT {', '.join(values)} FROM ({source}) AS src"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *source_params])


# --- Adaptations ------------------------------------------------------------------------------


def _fresh(adaptation: Adaptation) -> Adaptation:
    return Adaptation.objects.select_related("package__institution", "unit").get(pk=adaptation.pk)


def _check_move(adaptation: Adaptation, to: str) -> None:
    source = adaptation.status
    if to not in ALLOWED_MOVES.get(source, frozenset()):
        raise TransitionNotAllowed(
            _("An adaptation cannot go from “%(from)s” to “%(to)s”.")
            % {"from": S(source).label if source else "—", "to": S(to).label},
            code="transition",
        )


def _transition(
    *,
    adaptation: Adaptation,
    to: str,
    actor: User | None,
    comment: str = "",
    now: dt.datetime | None = None,
    **fields: Any,
) -> AdaptationTransition:
    """Move ``adaptation`` to ``to`` if the state machine allows it, and record the move.

    The UPDATE is conditional on the status read, so a concurrent move makes this one fail
    instead of both happening. ``fields`` are set in the same UPDATE.
    """
    source = adaptation.status
    _check_move(adaptation, to)
    now = now or timezone.now()
    moved = Adaptation.objects.filter(pk=adaptation.pk, status=source).update(
        status=to, updated_at=now, **fields
    )
    if not moved:
        raise ValidationError(
            _("This adaptation was changed meanwhile: reload it and try again."),
            code="stale",
        )
    adaptation.status = to
    adaptation.updated_at = now
    for name, value in fields.items():
        setattr(adaptation, name, value)
    return AdaptationTransition.objects.create(
        adaptation=adaptation,
        from_status=source,
        to_status=to,
        actor=actor if actor is not None and actor.pk else None,
        comment=comment,
    )


@transaction.atomic
def adaptation_save(
    *,
    actor: User,
    adaptation: Adaptation,
    text: str | None,
    blocks: dict[str, str] | None = None,
) -> Adaptation:
    """Save the unit's version and its local blocks (``blok("name")`` of the template:
    text by block name); only while it is to adapt or sent back for changes.

    ``text=None`` composes the version from the blocks: the package rendered for the unit
    with its blocks filled in. Originality is computed again, the version against
    ``rendered`` — the package as rendered for the unit with no block filled, so what the
    unit wrote in its blocks counts as its own. Returns the adaptation as saved.
    """
    current = _fresh(adaptation)
    if not user_can(actor, Action.WRITE, current.unit):
        raise PermissionDenied(
            _("You cannot edit the content of %(unit)s.") % {"unit": current.unit}
        )
    if current.status not in EDITABLE:
        raise TransitionNotAllowed(
            _("This adaptation is “%(status)s”: it can no longer be edited.")
            % {"status": current.get_status_display()},
            code="transition",
        )
    blocks = blocks or {}
    if not isinstance(blocks, dict) or not all(
        isinstance(name, str) and isinstance(value, str) for name, value in blocks.items()
    ):
        raise ValidationError(_("Local blocks are texts by name."), code="blocks")
    offered = {
        block.name for block in template_blocks(current.package.body) if block.kind == "text"
    }
    unknown = sorted(set(blocks) - offered)
    if unknown:
        raise ValidationError(
            _("This package has no text block named %(names)s."),
            code="blocks",
            params={"names": ", ".join(unknown)},
        )
    if text is None:
        text = _render_with_blocks(current, blocks)
    if not text.strip():
        raise ValidationError(_("The post cannot be empty."), code="empty")
    score = originality(current.rendered, text)
    now = timezone.now()
    saved = Adaptation.objects.filter(pk=current.pk, status__in=EDITABLE).update(
        text=text, blocks=blocks, originality=score, updated_at=now
    )
    if not saved:
        raise ValidationError(
            _("This adaptation was changed meanwhile: reload it and try again."), code="stale"
        )
    current.text, current.blocks, current.originality, current.updated_at = (
        text,
        blocks,
        score,
        now,
    )
    return current


def _render_with_blocks(adaptation: Adaptation, blocks: dict[str, str]) -> str:
    package, unit = adaptation.package, adaptation.unit
    try:
        rendered = render_for_units(
            package.body,
            units=_template_units([unit], institution=package.institution),
            moments=package.moments,
            blocks_by_unit={unit.pk: blocks},
        )
    except TemplateInvalid as exc:
        raise _template_error(exc.problems) from exc
    return rendered[unit.pk]


@transaction.atomic
def adaptation_submit(
    *, actor: User, adaptation: Adaptation, acknowledge_warnings: bool = False
) -> Adaptation:
    """Submit the unit's version for approval.

    Under the "require" originality policy a version below the package's threshold is
    refused with the score and the threshold; under "warn" it goes through (the form shows
    the warning). Then the approval route decides: approved at once ("auto", or a trusted
    unit), or the nearest approvers are told. Returns the adaptation as it now stands.
    """
    current = _fresh(adaptation)
    package, unit = current.package, current.unit
    if not user_can(actor, Action.WRITE, unit):
        raise PermissionDenied(_("You cannot submit the content of %(unit)s.") % {"unit": unit})
    _check_move(current, S.SUBMITTED)
    if (
        package.originality_policy == OriginalityPolicy.REQUIRE
        and current.originality < package.originality_threshold
    ):
        raise ValidationError(
            _(
                "Originality is %(score)d%%, below the %(threshold)d%% this package requires:"
                " adapt it further before submitting."
            ),
            code="originality",
            params={
                "score": round(current.originality * 100),
                "threshold": round(package.originality_threshold * 100),
            },
        )
    now = timezone.now()
    acknowledged = _compliance_gate(
        text=current.text, unit=unit, at=now, acknowledge_warnings=acknowledge_warnings
    )
    _transition(
        adaptation=current,
        to=S.SUBMITTED,
        actor=actor,
        now=now,
        submitted_at=now,
        comment=acknowledged,
    )
    institution = package.institution
    if approval_is_automatic(institution=institution, unit=unit):
        _transition(
            adaptation=current,
            to=S.APPROVED,
            actor=None,
            comment=_("approved automatically (approval route or trusted unit)"),
            now=now,
            approved_at=now,
            approved_by=None,
        )
        return current
    reviewers = _nearest_reviewers(unit=unit, route=approval_route(institution), exclude=actor)
    notify(
        recipients=reviewers,
        kind=kinds.ADAPTATION_SUBMITTED,
        title=format_lazy(
            gettext_lazy("{unit} submitted “{title}” for approval"),
            unit=unit.name,
            title=package.title,
        ),
        priority=_notice_priority(package),
        unit=unit,
        reference=f"adaptation:{current.pk}",
    )
    return current


def _check_reviewer(*, actor: User, adaptation: Adaptation) -> None:
    if not user_may_review(actor, institution=adaptation.package.institution, unit=adaptation.unit):
        raise PermissionDenied(
            _("You cannot approve the content of %(unit)s.") % {"unit": adaptation.unit}
        )
    submitter = _submitter(adaptation)
    if submitter is not None and submitter.pk == actor.pk:
        raise PermissionDenied(_("Someone else reviews what you submitted."))


@transaction.atomic
def adaptation_approve(*, actor: User, adaptation: Adaptation, comment: str = "") -> Adaptation:
    """Approve a submitted adaptation; its author is told. See the module on who may."""
    current = _fresh(adaptation)
    _check_reviewer(actor=actor, adaptation=current)
    now = timezone.now()
    _transition(
        adaptation=current,
        to=S.APPROVED,
        actor=actor,
        comment=comment.strip(),
        now=now,
        approved_at=now,
        approved_by=actor,
    )
    _tell_author(
        adaptation=current,
        kind=kinds.ADAPTATION_APPROVED,
        title=format_lazy(gettext_lazy("Approved: {title}"), title=current.package.title),
        body=comment.strip(),
    )
    return current


@transaction.atomic
def adaptation_request_changes(*, actor: User, adaptation: Adaptation, comment: str) -> Adaptation:
    """Send a submitted adaptation back to its unit, saying what to change (required)."""
    comment = comment.strip()
    if not comment:
        raise ValidationError(_("Say what should change."), code="comment")
    current = _fresh(adaptation)
    _check_reviewer(actor=actor, adaptation=current)
    _transition(adaptation=current, to=S.CHANGES_REQUESTED, actor=actor, comment=comment)
    _tell_author(
        adaptation=current,
        kind=kinds.CHANGES_REQUESTED,
        title=format_lazy(gettext_lazy("Changes requested: {title}"), title=current.package.title),
        body=comment,
    )
    return current


@transaction.atomic
def adaptation_mark_scheduled(
    *, adaptation: Adaptation, actor: User | None = None, comment: str = ""
) -> Adaptation:
    """Hook for publishing: the planner gave the approved adaptation a slot."""
    current = _fresh(adaptation)
    _transition(adaptation=current, to=S.SCHEDULED, actor=actor, comment=comment)
    return current


@transaction.atomic
def adaptation_mark_published(
    *, adaptation: Adaptation, actor: User | None = None, comment: str = ""
) -> Adaptation:
    """Hook for publishing: the scheduled adaptation is on its Page."""
    current = _fresh(adaptation)
    _transition(adaptation=current, to=S.PUBLISHED, actor=actor, comment=comment)
    return current


# --- Who is told ------------------------------------------------------------------------------


def _notice_priority(package: Package) -> str:
    return NoticePriority.HIGH if package.priority == Priority.URGENT else NoticePriority.NORMAL


def _submitter(adaptation: Adaptation) -> User | None:
    transition = (
        AdaptationTransition.objects.filter(adaptation=adaptation, to_status=S.SUBMITTED)
        .select_related("actor")
        .order_by("-at", "-pk")
        .first()
    )
    return transition.actor if transition is not None else None


def _nearest_reviewers(*, unit: Unit, route: str, exclude: User | None) -> list[User]:
    """The approvers closest above (or at) ``unit`` under ``route``, not ``exclude``.

    Only the nearest level is told, so the centre is not told of 552 regencies' posts when
    the provinces approve them; anyone higher may still approve. One query.
    """
    paths = unit.ancestor_paths()
    if route != ROUTE_PROVINCE:
        paths.append(unit.path)
    memberships = Membership.objects.filter(
        unit__path__in=paths,
        unit__is_active=True,
        role__in=APPROVER_ROLES,
        user__is_active=True,
    ).select_related("user", "unit")
    candidates = [
        membership
        for membership in memberships
        if (ROLE_GRANTS[membership.role][1] or membership.unit_id == unit.pk)
        and (exclude is None or membership.user_id != exclude.pk)
    ]
    if not candidates:
        return []
    nearest = max(membership.unit.depth for membership in candidates)
    return [membership.user for membership in candidates if membership.unit.depth == nearest]


def _tell_author(*, adaptation: Adaptation, kind: str, title: Any, body: str) -> None:
    """Tell whoever submitted the adaptation, or else the unit's writers."""
    submitter = _submitter(adaptation)
    if submitter is not None:
        recipients: list[User] = [submitter]
    else:
        recipients = [
            membership.user
            for membership in Membership.objects.filter(
                unit=adaptation.unit, role__in=WRITER_ROLES
            ).select_related("user")
        ]
    notify(
        recipients=recipients,
        kind=kind,
        title=title,
        body=body,
        priority=_notice_priority(adaptation.package),
        unit=adaptation.unit,
        reference=f"adaptation:{adaptation.pk}",
    )


# --- Composing a package (the web editor) -----------------------------------------------------


class PreviewSample:
    """The package as one sample unit would receive it."""

    def __init__(self, *, unit: Unit, zone: str, text: str) -> None:
        self.unit, self.zone, self.text = unit, zone, text


class PackagePreview:
    """What the editor's "Check" shows: template problems, else the text for sample units,
    and how many units the targets reach (or why they reach none)."""

    def __init__(
        self,
        *,
        problems: list[Any],
        target_count: int | None,
        target_errors: list[str],
        samples: list[PreviewSample],
    ) -> None:
        self.problems, self.target_count = problems, target_count
        self.target_errors, self.samples = target_errors, samples

    @property
    def ok(self) -> bool:
        return not self.problems and not self.target_errors


PREVIEW_ZONES = ("WIB", "WITA", "WIT")


def package_preview(
    *,
    actor: User | None,
    author_unit: Unit,
    body: str,
    moments: dict[str, Any],
    targets: Any,
) -> PackagePreview:
    """Check a package being written, writing nothing: the template's problems (with line
    and column), the number of units the targets reach, and — when the template is sound —
    its text for one target unit of each of WIB, WITA and WIT (the first in tree order; the
    author's whole subtree stands in while the targets are wrong). Dates are Indonesian, as
    in the posts. A few queries, whatever the number of targets.
    """
    from serentak.core.timefmt import zone_label

    _check_author(actor=actor, unit=author_unit)
    problems = template_check(body, moments=moments)
    target_errors: list[str] = []
    pool: list[Unit] = []
    try:
        pool = targets_resolve(author_unit=author_unit, targets=targets)
    except ValidationError as exc:
        target_errors = list(exc.messages)
    target_count = None if target_errors else len(pool)
    samples: list[PreviewSample] = []
    if not problems:
        if not pool:
            pool = list(
                Unit.objects.filter(path__startswith=author_unit.path, is_active=True).exclude(
                    pk=author_unit.pk
                )
            )
        first: dict[str, Unit] = {}
        for candidate in pool:
            first.setdefault(zone_label(candidate.timezone), candidate)
        picked = [first[zone] for zone in PREVIEW_ZONES if zone in first]
        picked += [unit for zone, unit in first.items() if zone not in PREVIEW_ZONES]
        try:
            texts = render_for_units(
                body,
                units=_template_units(picked, institution=author_unit.institution),
                moments=moments,
            )
        except TemplateInvalid as exc:
            problems = exc.problems
        else:
            samples = [
                PreviewSample(unit=unit, zone=zone_label(unit.timezone), text=texts[unit.pk])
                for unit in picked
            ]
    return PackagePreview(
        problems=problems, target_count=target_count, target_errors=target_errors, samples=samples
    )


@transaction.atomic
def package_images_add(*, actor: User | None, package: Package, images: list[Any]) -> list[Any]:
    """Attach prepared images (``images.image_prepare``) to a draft package, after any it has.

    Who may: as for writing the package. Files go to ``MEDIA_ROOT/packages/<year>/<month>/``.
    """
    from django.core.files.base import ContentFile

    from serentak.content.images import PreparedImage
    from serentak.content.models import PackageImage

    _check_author(actor=actor, unit=package.author_unit)
    if package.status != PackageStatus.DRAFT:
        raise ValidationError(_("Images can be added to a draft only."), code="sent")
    last = PackageImage.objects.filter(package=package).aggregate(last=models.Max("position"))
    position = -1 if last["last"] is None else last["last"]
    added = []
    for image in images:
        if not isinstance(image, PreparedImage):
            raise TypeError("package_images_add takes images from images.image_prepare")
        position += 1
        record = PackageImage(
            package=package, width=image.width, height=image.height, position=position
        )
        record.image.save(image.name, ContentFile(image.content), save=False)
        record.save()
        added.append(record)
    return added


@transaction.atomic
def adaptation_image_set(
    *, actor: User, adaptation: Adaptation, block: str, image: Any, alt_text: str = ""
) -> Any:
    """Put the unit's photo (``images.image_prepare``) in one of the package's photo blocks.

    A second photo for the same block replaces the first. Who may: as for editing the text.
    """
    from django.core.files.base import ContentFile

    from serentak.content.images import PreparedImage
    from serentak.content.models import AdaptationImage
    from serentak.content.templating import template_blocks

    if not isinstance(image, PreparedImage):
        raise TypeError("adaptation_image_set takes an image from images.image_prepare")
    current = (
        Adaptation.objects.select_for_update(of=("self",))
        .select_related("unit", "package")
        .get(pk=adaptation.pk)
    )
    if not user_can(actor, Action.WRITE, current.unit):
        raise PermissionDenied(
            _("You cannot edit the content of %(unit)s.") % {"unit": current.unit.name}
        )
    if current.status not in EDITABLE:
        raise ValidationError(_("Images can be added to a draft only."), code="status")
    photo_blocks = {b.name for b in template_blocks(current.package.body) if b.kind == "photo"}
    if block not in photo_blocks:
        raise ValidationError(
            _("This package has no photo block named %(name)s.") % {"name": block}, code="block"
        )
    for old in AdaptationImage.objects.filter(adaptation=current, block=block):
        old.image.delete(save=False)
        old.delete()
    record = AdaptationImage(
        adaptation=current,
        block=block,
        width=image.width,
        height=image.height,
        alt_text=alt_text[:300],
    )
    record.image.save(image.name, ContentFile(image.content), save=False)
    record.save()
    changelog_record(
        obj=current, action="update", actor=actor, source="web", changes={"photo": [None, block]}
    )
    return record


def _compliance_gate(*, text: str, unit: Unit, at: dt.datetime, acknowledge_warnings: bool) -> str:
    """Run the rulebook on a version: a block refuses it, a warning needs an acknowledgement.

    Returns the comment that records the acknowledged warnings ("" when there were none).
    """
    from serentak.compliance.services import text_check

    findings = text_check(text=text, unit=unit, at=at)
    blocks = [f for f in findings if f.severity == "block"]
    if blocks:
        raise ValidationError(
            [
                _("Not allowed: “%(excerpt)s”. %(explanation)s")
                % {"excerpt": f.excerpt, "explanation": f.explanation}
                for f in blocks
            ],
            code="compliance",
        )
    warnings = [f for f in findings if f.severity == "warn"]
    if warnings and not acknowledge_warnings:
        raise ValidationError(
            [
                _("Check: “%(excerpt)s”. %(explanation)s")
                % {"excerpt": f.excerpt, "explanation": f.explanation}
                for f in warnings
            ]
            + [_("Tick “I have read the warnings” to submit anyway.")],
            code="compliance_warning",
        )
    if not warnings:
        return ""
    return _("Compliance warnings acknowledged: %(rules)s") % {
        "rules": ", ".join(sorted({f.rule for f in warnings}))
    }
