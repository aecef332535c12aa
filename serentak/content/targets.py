"""Which units a package goes to.

A package stores its targets as data, in one of four shapes:

    {"all": true}                  every active unit below the author unit
    {"provinces": ["74", "73"]}    those provinces and every active unit below them
    {"units": ["74.06", "74.02"]}  exactly those units
    {"group": 12}                  the units of a saved ``UnitGroup`` of the institution

Rules, the same for every shape:

* Only active units of the author unit's institution are targets. A code that names no
  active unit is an error listing it; a group's or a province's unit deactivated since is
  left out silently (nobody typed its code).
* The author unit is never a target of its own package: the centre sending to "all" reaches
  the 38 provinces and 514 regencies and cities (552 units), not KPU RI; a province sending
  to ``{"provinces": [its own code]}`` reaches its regencies.
* An author reaches only its own subtree: a province listing a unit of another province is
  an error naming the offending codes.
* "provinces" means provinces (units of kind ``province``) with everything below them;
  another kind of unit there is an error naming it. Use "units" for exact lists.

Resolution costs one query ("all", "units"), or two ("provinces": the provinces, then their
subtrees; "group": the group, then its units), whatever the number of units.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from serentak.content.models import UnitGroup
from serentak.org.models import Unit, UnitKind, UnitQuerySet

SHAPES = ("all", "provinces", "units", "group")


def targets_parse(raw: Any) -> dict[str, Any]:
    """Check the shape of ``raw`` and return it normalised (``"all"`` → ``{"all": True}``)."""
    if raw == "all":
        return {"all": True}
    if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in SHAPES:
        raise ValidationError(
            _(
                'Targets must be "all", {"provinces": [codes]}, {"units": [codes]} '
                'or {"group": id}.'
            ),
            code="targets_shape",
        )
    ((shape, value),) = raw.items()
    if shape == "all":
        if value is not True:
            raise ValidationError(_('Targets "all" must be true.'), code="targets_shape")
        return {"all": True}
    if shape == "group":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(_("A target group is given by its id."), code="targets_shape")
        return {"group": value}
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(code, str) and code.strip() for code in value)
    ):
        raise ValidationError(
            _("List at least one unit code (as text) in the targets."), code="targets_shape"
        )
    return {shape: list(dict.fromkeys(code.strip() for code in value))}


def targets_resolve(*, author_unit: Unit, targets: Any) -> list[Unit]:
    """The active units ``targets`` names for a package written by ``author_unit``, by path.

    Raises ``ValidationError`` (with the offending codes) for a bad shape, unknown or
    inactive codes, units outside the author's subtree, a "provinces" entry that is not a
    province, an unknown group, or targets that reach no unit at all.
    """
    spec = targets_parse(targets)
    own_tree = Unit.objects.filter(institution_id=author_unit.institution_id, is_active=True)
    if "all" in spec:
        units = list(own_tree.filter(path__startswith=author_unit.path))
    elif "units" in spec:
        units = _by_codes(own_tree, spec["units"], author_unit=author_unit)
    elif "provinces" in spec:
        provinces = _by_codes(own_tree, spec["provinces"], author_unit=author_unit)
        not_provinces = [unit.code for unit in provinces if unit.kind != UnitKind.PROVINCE]
        if not_provinces:
            raise ValidationError(
                _('Not provinces (list them under "units" instead): %(codes)s'),
                code="targets_not_provinces",
                params={"codes": ", ".join(not_provinces)},
            )
        subtrees = Q()
        for province in provinces:
            subtrees |= Q(path__startswith=province.path)
        units = list(own_tree.filter(subtrees))
    else:
        units = _group_units(own_tree, spec["group"], author_unit=author_unit)
    units = [unit for unit in units if unit.pk != author_unit.pk]
    if not units:
        raise ValidationError(_("These targets reach no active unit."), code="targets_empty")
    return units


def _by_codes(own_tree: UnitQuerySet, codes: list[str], *, author_unit: Unit) -> list[Unit]:
    found = {unit.code: unit for unit in own_tree.filter(code__in=codes)}
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise ValidationError(
            _("Unknown or inactive unit codes: %(codes)s"),
            code="targets_unknown",
            params={"codes": ", ".join(unknown)},
        )
    _check_inside(found.values(), author_unit=author_unit)
    return sorted(found.values(), key=lambda unit: unit.path)


def _group_units(own_tree: UnitQuerySet, group_id: int, *, author_unit: Unit) -> list[Unit]:
    group = UnitGroup.objects.filter(pk=group_id, institution_id=author_unit.institution_id).first()
    if group is None:
        raise ValidationError(
            _("There is no unit group %(id)s."), code="targets_group", params={"id": group_id}
        )
    units = list(own_tree.filter(pk__in=group.units.values("pk")))
    _check_inside(units, author_unit=author_unit)
    return units


def _check_inside(units: Iterable[Unit], *, author_unit: Unit) -> None:
    outside = sorted(unit.code for unit in units if not unit.path.startswith(author_unit.path))
    if outside:
        raise ValidationError(
            _("Outside %(unit)s, so not yours to send to: %(codes)s"),
            code="targets_outside",
            params={"unit": author_unit.name, "codes": ", ".join(outside)},
        )
