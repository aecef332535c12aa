"""The audit's pages: the national table and map, a province's units, a unit's checklist,
and the run-now button (htmx). Reads go through ``selectors_audit`` (scoped with
``for_user``), the button through ``services.audit.audit_request``. No token is ever
rendered: the pages show a token's state (valid, expiry, tasks), never its value."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from serentak.core.http import AuthedRequest
from serentak.org.models import Unit, UnitKind
from serentak.org.scoping import Action, user_can
from serentak.org.selectors import home_units
from serentak.pages import mapsvg, selectors_audit
from serentak.pages.models import AuditRun
from serentak.pages.services.audit import audit_request

OPEN_FINDINGS_SHOWN = 300


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _unit_or_404(request: AuthedRequest, institution: str, code: str) -> Unit:
    try:
        return (
            Unit.objects.for_user(request.user)
            .select_related("institution")
            .get(institution__slug=institution, code=code)
        )
    except Unit.DoesNotExist as exc:
        raise Http404(_("No such unit.")) from exc


def _run_context(request: AuthedRequest, unit: Unit, run: AuditRun | None) -> dict[str, object]:
    # A run's totals are about its whole scope: show them only on that scope's own page.
    same_scope = run is not None and (
        run.unit_id == unit.pk if run.unit_id is not None else unit.depth == 1
    )
    return {
        "run": run,
        "run_unit": unit,
        "run_totals_visible": same_scope,
        "can_run": user_can(request.user, Action.CHANGE, unit),
    }


@login_required
def audit_national(request: AuthedRequest) -> HttpResponse:
    """The national audit for those who see the root; others go to their own unit's page."""
    user = request.user
    root = (
        Unit.objects.for_user(user)
        .filter(depth=1)
        .select_related("institution")
        .order_by("path")
        .first()
    )
    if root is None:
        homes = home_units(user=user)
        if not homes:
            raise PermissionDenied
        home = homes[0]
        return redirect("pages:audit-unit", institution=home.institution.slug, code=home.code)
    area = selectors_audit.audit_area(user=user, unit=root)
    slug = root.institution.slug
    provinces = {
        row.unit.code: row.average for row in area.children if row.unit.kind == UnitKind.PROVINCE
    }
    province_map = mapsvg.province_map(
        scores=provinces,
        link=lambda code: reverse("pages:audit-unit", args=[slug, code]),
        label=_("Map of the provinces by average audit score"),
    )
    context = {
        "root": root,
        "area": area,
        "province_map": province_map if provinces else None,
        **_run_context(request, root, selectors_audit.audit_run_latest(unit=root)),
    }
    return render(request, "pages/audit_national.html", context)


@login_required
def audit_unit(request: AuthedRequest, institution: str, code: str) -> HttpResponse:
    """A unit's checklist; for a province (any unit with units below), also their table."""
    unit = _unit_or_404(request, institution, code)
    if unit.depth == 1:
        return redirect("pages:audit-national")
    user = request.user
    area = None
    findings: list[selectors_audit.FindingView] = []
    if not unit.is_leaf():
        area = selectors_audit.audit_area(user=user, unit=unit)
        below = selectors_audit.audit_findings_open(user=user, within=unit).exclude(unit=unit)
        findings = selectors_audit.finding_views(below[:OPEN_FINDINGS_SHOWN])
    ancestors = [a for a in unit.ancestors() if user_can(user, Action.VIEW, a)]
    checklist = selectors_audit.audit_checklist(user=user, unit=unit)
    # The button's row: this unit's own last run, else the last (national) run covering it.
    run = selectors_audit.audit_run_latest(unit=unit) or checklist.last_run
    context = {
        "unit": unit,
        "ancestors": ancestors,
        "checklist": checklist,
        "area": area,
        "findings": findings,
        "findings_limit": OPEN_FINDINGS_SHOWN,
        **_run_context(request, unit, run),
    }
    return render(request, "pages/audit_unit.html", context)


@login_required
@require_POST
def audit_run(request: AuthedRequest) -> HttpResponse:
    """The run-now button: queue an audit of a unit (the root's code: the national audit)."""
    unit = _unit_or_404(request, request.POST.get("institution", ""), request.POST.get("code", ""))
    run = audit_request(actor=request.user, unit=unit)  # PermissionDenied without CHANGE
    if _is_htmx(request):
        return render(request, "pages/partials/audit_run.html", _run_context(request, unit, run))
    messages.success(request, _("The audit is queued; this page shows its progress."))
    if unit.depth == 1:
        return redirect("pages:audit-national")
    return redirect("pages:audit-unit", institution=unit.institution.slug, code=unit.code)


@login_required
def audit_run_status(request: AuthedRequest, pk: int) -> HttpResponse:
    """The run row, polled by the button's fragment while the run is queued or running."""
    try:
        run = selectors_audit.audit_run_get(user=request.user, pk=pk)
    except AuditRun.DoesNotExist as exc:
        raise Http404(_("No such audit run.")) from exc
    unit = run.unit or Unit.objects.filter(institution_id=run.institution_id, depth=1).first()
    if unit is None:
        raise Http404(_("No such audit run."))
    unit.institution = run.institution
    context = {**_run_context(request, unit, run), "just_finished": True}
    return render(request, "pages/partials/audit_run.html", context)
