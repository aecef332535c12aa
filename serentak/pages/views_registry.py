from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from serentak.core.http import AuthedRequest
from serentak.core.models import ChangeLogEntry
from serentak.core.services import changelog_for
from serentak.org.models import Institution, Unit
from serentak.org.scoping import Action, user_can
from serentak.pages import selectors
from serentak.pages.models import MatchStatus, Presence
from serentak.pages.services.registry import (
    Decision,
    DiscoveryFailed,
    pages_discover,
    presence_set_official,
    presences_confirm,
    presences_confirm_proposed,
)


def _institution_for_centre(request: AuthedRequest, slug: str) -> Institution:
    institution = get_object_or_404(Institution, slug=slug)
    if not selectors.is_central(user=request.user, institution=institution):
        raise Http404
    return institution


@login_required
def connect(request: AuthedRequest, institution: str) -> HttpResponse:
    """The centre's screen: discover the Pages, check the proposed units, confirm in bulk."""
    inst = _institution_for_centre(request, institution)
    status = request.GET.get("status", MatchStatus.PROPOSED)
    if status not in MatchStatus.values:
        status = ""
    query = request.GET.get("q", "").strip()
    page = Paginator(selectors.connect_queue(institution=inst, status=status, query=query), 100)
    context = {
        "institution": inst,
        "page": page.get_page(request.GET.get("page")),
        "status": status,
        "q": query,
        "statuses": MatchStatus.choices,
        "counts": selectors.connect_counts(institution=inst),
        "unit_codes": Unit.objects.filter(institution=inst, is_active=True)
        .order_by("path")
        .values_list("code", "name"),
    }
    return render(request, "pages/connect.html", context)


@login_required
@require_POST
def discover(request: AuthedRequest, institution: str) -> HttpResponse:
    inst = _institution_for_centre(request, institution)
    try:
        report = pages_discover(institution=inst, actor=request.user)
    except DiscoveryFailed as exc:
        messages.error(request, _("Facebook refused the listing: %(error)s") % {"error": exc})
    else:
        messages.success(
            request,
            _("%(reached)s Pages reached: %(new)s new, %(proposed)s with a proposed unit.")
            % {"reached": report.reached, "new": report.new, "proposed": report.proposed},
        )
    return redirect("pages:connect", institution=inst.slug)


@login_required
@require_POST
def confirm(request: AuthedRequest, institution: str) -> HttpResponse:
    inst = _institution_for_centre(request, institution)
    action = request.POST.get("action")
    if action == "confirm_all":
        try:
            done = presences_confirm_proposed(actor=request.user, institution=inst)
        except PermissionDenied:
            messages.error(request, _("You cannot change some of these Pages."))
        else:
            messages.success(request, _("%(count)s Pages saved.") % {"count": len(done)})
        return redirect("pages:connect", institution=inst.slug)
    chosen = request.POST.getlist("presence")
    ignore = action == "ignore"
    decisions = []
    for raw in chosen:
        if not raw.isdigit():
            continue
        code = request.POST.get(f"unit-{raw}", "").strip()
        if not ignore and not code:
            messages.error(request, _("Choose a unit for every Page you confirm."))
            return redirect(reverse("pages:connect", args=[inst.slug]))
        decisions.append(Decision(int(raw), None if ignore else code))
    try:
        done = presences_confirm(actor=request.user, institution=inst, decisions=decisions)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied:
        messages.error(request, _("You cannot change some of these Pages."))
    else:
        messages.success(request, _("%(count)s Pages saved.") % {"count": len(done)})
    back = reverse("pages:connect", args=[inst.slug])
    return redirect(f"{back}?{request.GET.urlencode()}" if request.GET else back)


@login_required
def unit_presences(request: AuthedRequest, institution: str, code: str) -> HttpResponse:
    unit: Unit = get_object_or_404(
        Unit.objects.for_user(request.user, Action.VIEW), institution__slug=institution, code=code
    )
    presences = list(selectors.presences_of_unit(user=request.user, unit=unit))
    history: list[ChangeLogEntry] = []
    if user_can(request.user, Action.CHANGE, unit):
        for presence in presences:
            history.extend(changelog_for(presence)[:5])
        history.sort(key=lambda entry: entry.time, reverse=True)
    return render(
        request,
        "pages/unit_presences.html",
        {
            "unit": unit,
            "presences": presences,
            "can_change": user_can(request.user, Action.CHANGE, unit),
            "history": history[:15],
        },
    )


@login_required
@require_POST
def make_official(request: AuthedRequest, pk: int) -> HttpResponse:
    try:
        presence = selectors.presence_get(user=request.user, pk=pk, action=Action.CHANGE)
    except Presence.DoesNotExist as exc:
        raise Http404 from exc
    try:
        presence_set_official(actor=request.user, presence=presence)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    assert presence.unit is not None
    return redirect(
        "pages:unit-presences", institution=presence.institution.slug, code=presence.unit.code
    )


def unit_section(request: AuthedRequest, unit: Unit) -> str:
    """The Facebook section of the unit page (see ``org.sections``)."""
    presences = list(selectors.presences_of_unit(user=request.user, unit=unit)[:10])
    return render_to_string(
        "pages/partials/unit_section.html", {"unit": unit, "presences": presences}, request
    )
