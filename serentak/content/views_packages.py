"""The author's side of packages: write one, check it, send it, follow it.

Who sees what: composing needs the right to author (``selectors.package_author_units``:
WRITE and APPROVE on a unit with units below it), so an editor gets 403. A package's pages
are for its author side (``selectors.packages_visible``); a unit that received it works
on its adaptation in the inbox, and gets 404 here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from serentak.content import selectors
from serentak.content.forms_packages import PackageCheckForm, PackageForm
from serentak.content.models import AdaptationStatus, Package, PackageStatus, UnitGroup
from serentak.content.services import package_create, package_images_add, package_preview
from serentak.content.services import package_send as package_send_service
from serentak.content.targets import targets_resolve
from serentak.content.templating import VARIABLES
from serentak.core.http import AuthedRequest
from serentak.org.models import Unit
from serentak.org.scoping import Action, user_can

PER_PAGE = 50
# Approved by the unit's reviewers: as far as the unit's own work goes.
DONE = (AdaptationStatus.APPROVED, AdaptationStatus.SCHEDULED, AdaptationStatus.PUBLISHED)


def _is_htmx(request: AuthedRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _progress_rows(counts: dict[str, int], total: int) -> list[dict[str, Any]]:
    return [
        {
            "status": status,
            "label": label,
            "count": counts.get(status, 0),
            "percent": round(100 * counts.get(status, 0) / total) if total else 0,
        }
        for status, label in AdaptationStatus.choices
    ]


@login_required
def package_list(request: AuthedRequest) -> HttpResponse:
    """The packages of the author side, newest first, with the units' progress."""
    page = Paginator(selectors.packages_with_progress(user=request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = []
    for package in page:
        counts = {
            status: getattr(package, f"progress_{status}") for status in AdaptationStatus.values
        }
        total = getattr(package, "progress_total", 0)
        done = sum(counts[status] for status in DONE)
        rows.append(
            {
                "package": package,
                "total": total,
                "done": done,
                "progress": [row for row in _progress_rows(counts, total) if row["count"]],
            }
        )
    return render(
        request,
        "content/packages.html",
        {
            "page": page,
            "rows": rows,
            "can_author": selectors.package_author_units(user=request.user).exists(),
        },
    )


def _form_kwargs(request: AuthedRequest) -> dict[str, Any]:
    author_units = selectors.package_author_units(user=request.user)
    if not author_units.exists():
        raise PermissionDenied(_("Only the admins of a unit with units below it write packages."))
    return {
        "author_units": author_units,
        "provinces": selectors.package_target_provinces(user=request.user),
    }


def _render_form(
    request: AuthedRequest, form: PackageForm, *, check: dict[str, Any] | None = None
) -> HttpResponse:
    return render(
        request,
        "content/package_form.html",
        {"form": form, "variables": VARIABLES, "check": check},
    )


@login_required
def package_new(request: AuthedRequest) -> HttpResponse:
    """Write a package; it is saved as a draft, to be sent from its page."""
    kwargs = _form_kwargs(request)
    if request.method != "POST":
        first = kwargs["author_units"].first()
        return _render_form(request, PackageForm(initial={"author_unit": first}, **kwargs))
    form = PackageForm(request.POST, request.FILES, **kwargs)
    if form.is_valid():
        try:
            with transaction.atomic():
                package = package_create(actor=request.user, **form.package_arguments())
                if form.cleaned_data["images"]:
                    package_images_add(
                        actor=request.user, package=package, images=form.cleaned_data["images"]
                    )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Draft saved. Check it below, then send it to the units."))
            return redirect("content:package-detail", pk=package.pk)
    return _render_form(request, form)


def _check_context(form: PackageCheckForm, request: AuthedRequest) -> dict[str, Any]:
    if not form.is_valid():
        errors = [str(e) for field in form.errors.values() for e in field]
        return {"form_errors": errors, "preview": None}
    data = form.cleaned_data
    preview = package_preview(
        actor=request.user,
        author_unit=data["author_unit"],
        body=data["body"],
        moments=data["moments"],
        targets=data["targets"],
    )
    return {"form_errors": [], "preview": preview}


@login_required
@require_POST
def package_check(request: AuthedRequest) -> HttpResponse:
    """The editor's "Check": template problems with line and column, or the text as three
    units in WIB, WITA and WIT would receive it, and how many units the targets reach."""
    kwargs = _form_kwargs(request)
    check = _check_context(PackageCheckForm(request.POST, **kwargs), request)
    if _is_htmx(request):
        return render(request, "content/partials/package_check.html", {"check": check})
    return _render_form(request, PackageForm(request.POST, **kwargs), check=check)


def _package_or_404(request: AuthedRequest, pk: int) -> Package:
    return get_object_or_404(selectors.packages_visible(user=request.user), pk=pk)


def _may_send(request: AuthedRequest, package: Package) -> bool:
    unit = package.author_unit
    return user_can(request.user, Action.WRITE, unit) and user_can(
        request.user, Action.APPROVE, unit
    )


def _targets_text(package: Package) -> str:
    targets = package.targets or {}
    if targets.get("all"):
        return _("every unit below %(unit)s") % {"unit": package.author_unit.name}
    if "provinces" in targets:
        names = Unit.objects.filter(
            institution_id=package.institution_id, code__in=targets["provinces"]
        ).values_list("name", flat=True)
        return _("provinces: %(names)s") % {"names": ", ".join(names)}
    if "units" in targets:
        return _("units: %(codes)s") % {"codes": ", ".join(targets["units"])}
    if "group" in targets:
        group = UnitGroup.objects.filter(pk=targets["group"]).first()
        return _("the group %(name)s") % {"name": group.name if group else targets["group"]}
    return ""


def _moments(package: Package) -> list[tuple[str, dt.datetime]]:
    moments = []
    for name, value in (package.moments or {}).items():
        try:
            moments.append((name, dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))))
        except ValueError:
            continue
    return moments


@login_required
def package_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The package, its targets and how far the units are with it."""
    package = _package_or_404(request, pk)
    progress = selectors.package_progress(package=package)
    target_count: int | None = progress["total"]
    target_error = ""
    if package.status == PackageStatus.DRAFT:
        try:
            target_count = len(
                targets_resolve(author_unit=package.author_unit, targets=package.targets)
            )
        except ValidationError as exc:
            target_count, target_error = None, " ".join(exc.messages)
    return render(
        request,
        "content/package_detail.html",
        {
            "package": package,
            "images": package.images.all(),
            "progress": _progress_rows(progress, progress["total"]),
            "total": progress["total"],
            "target_count": target_count,
            "target_error": target_error,
            "targets_text": _targets_text(package),
            "moments": _moments(package),
            "threshold_percent": round(package.originality_threshold * 100),
            "may_send": package.status == PackageStatus.DRAFT and _may_send(request, package),
        },
    )


@login_required
@require_POST
def package_send(request: AuthedRequest, pk: int) -> HttpResponse:
    """Send a draft: one adaptation per target unit, and the units are told."""
    package = _package_or_404(request, pk)
    try:
        count = package_send_service(actor=request.user, package=package)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            ngettext(
                "Sent: %(count)d adaptation created, one per unit.",
                "Sent: %(count)d adaptations created, one per unit.",
                count,
            )
            % {"count": count},
        )
    return redirect("content:package-detail", pk=package.pk)


@login_required
def package_originality(request: AuthedRequest, pk: int) -> HttpResponse:
    """How much the units made the package their own, per province and per unit."""
    package = _package_or_404(request, pk)
    sort = request.GET.get("sort", "unit")
    if sort not in selectors.ORIGINALITY_SORTS:
        sort = "unit"
    report = selectors.package_originality(package=package, sort=sort)
    context = {"package": package, "report": report, "sort": sort}
    if _is_htmx(request):
        return render(request, "content/partials/package_originality_units.html", context)
    return render(request, "content/package_originality.html", context)
