from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from serentak.accounts.models import User
from serentak.core.http import AuthedRequest
from serentak.core.services import changelog_for
from serentak.org import selectors, services
from serentak.org.forms import InvitationAcceptForm, InvitationForm, RoleForm, UnitContactsForm
from serentak.org.models import Invitation, Membership, Unit, UnitKind
from serentak.org.scoping import Action, user_can
from serentak.org.sections import unit_sections_render


def _unit_or_404(request: AuthedRequest, institution: str, code: str) -> Unit:
    try:
        return (
            selectors.units_visible(user=request.user)
            .select_related("institution")
            .get(institution__slug=institution, code=code)
        )
    except Unit.DoesNotExist as exc:
        raise Http404(_("No such unit.")) from exc


def _partial(request: HttpRequest, full: str, partial: str) -> str:
    return partial if getattr(request, "htmx", False) else full


@login_required
def unit_list(request: AuthedRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    if kind not in UnitKind.values:
        kind = ""
    units = selectors.units_search(user=request.user, query=query, kind=kind, limit=100)
    template = _partial(request, "org/unit_list.html", "org/partials/unit_results.html")
    return render(
        request, template, {"units": units, "q": query, "kind": kind, "kinds": UnitKind.choices}
    )


@login_required
def unit_detail(request: AuthedRequest, institution: str, code: str) -> HttpResponse:
    unit = _unit_or_404(request, institution, code)
    user = request.user
    context = {
        "unit": unit,
        "ancestors": [a for a in unit.ancestors() if user_can(user, Action.VIEW, a)],
        "children": selectors.children_with_counts(user=user, unit=unit)
        if not unit.is_leaf()
        else [],
        "members": selectors.unit_members(user=user, unit=unit),
        "can_change": user_can(user, Action.CHANGE, unit),
        "can_manage_people": user_can(user, Action.MANAGE_PEOPLE, unit),
        "history": changelog_for(unit)[:10] if user_can(user, Action.CHANGE, unit) else [],
        "sections": unit_sections_render(request, unit),
    }
    return render(request, "org/unit_detail.html", context)


@login_required
def unit_contacts(request: AuthedRequest, institution: str, code: str) -> HttpResponse:
    unit = _unit_or_404(request, institution, code)
    if not user_can(request.user, Action.CHANGE, unit):
        raise PermissionDenied
    initial = {"emails": "\n".join(unit.emails), "phones": "\n".join(unit.phones)}
    form = UnitContactsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.unit_update_contacts(
            actor=request.user,
            unit=unit,
            emails=form.cleaned_data["emails"],
            phones=form.cleaned_data["phones"],
        )
        messages.success(request, _("Contacts saved."))
        return redirect("org:unit-detail", institution=institution, code=code)
    return render(request, "org/unit_contacts.html", {"unit": unit, "form": form})


def _manageable_units(request: AuthedRequest) -> list[Unit]:
    return list(
        selectors.units_visible(user=request.user, action=Action.MANAGE_PEOPLE)
        .filter(is_active=True)
        .order_by("path")
    )


@login_required
def people(request: AuthedRequest) -> HttpResponse:
    manageable = selectors.units_visible(user=request.user, action=Action.MANAGE_PEOPLE)
    if not manageable.exists():
        raise PermissionDenied
    query = request.GET.get("q", "").strip()
    memberships = selectors.people_list(user=request.user, query=query)[:200]
    context = {
        "memberships": memberships,
        "q": query,
        "invitations": selectors.invitations_pending(user=request.user)[:100],
    }
    template = _partial(request, "org/people.html", "org/partials/people_rows.html")
    return render(request, template, context)


@login_required
def invite(request: AuthedRequest) -> HttpResponse:
    units = _manageable_units(request)
    if not units:
        raise PermissionDenied
    by_id = {str(unit.pk): unit for unit in units}
    preselected = request.GET.get("unit", "")
    form = InvitationForm(
        request.POST or None,
        initial={"unit": preselected, "role": "editor"},
        unit_choices=[(str(unit.pk), f"{unit.code} · {unit.name}") for unit in units],
    )
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                actor=request.user,
                email=form.cleaned_data["email"],
                unit=by_id[form.cleaned_data["unit"]],
                role=form.cleaned_data["role"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("org:people")
    return render(request, "org/invite.html", {"form": form})


@login_required
@require_POST
def invitation_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(selectors.invitations_pending(user=request.user), pk=pk)
    services.invitation_revoke(actor=request.user, invitation=invitation)
    messages.success(request, _("Invitation revoked."))
    return redirect("org:people")


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Create an account from an invitation, or join with the account one already has."""
    invitation = Invitation.objects.select_related("unit").filter(token=token).first()
    if invitation is None or not invitation.is_usable:
        return render(request, "org/invitation_invalid.html", status=410)
    context: dict[str, object] = {"invitation": invitation}
    user = request.user
    if user.is_authenticated:
        assert isinstance(user, User)
        if request.method == "POST":
            try:
                services.invitation_accept_as(invitation=invitation, user=user)
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            else:
                messages.success(
                    request, _("You joined %(unit)s.") % {"unit": invitation.unit.name}
                )
                return redirect("core:home")
        context["matches"] = user.email.strip().lower() == invitation.email.lower()
        return render(request, "org/invitation_join.html", context)
    if User.objects.filter(email__iexact=invitation.email).exists():
        return render(request, "org/invitation_join.html", context)
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_accept(
                invitation=invitation,
                username=form.cleaned_data["username"],
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your account is ready. Please sign in."))
            return redirect("accounts:login")
    context["form"] = form
    return render(request, "org/invitation_accept.html", context)


@login_required
def person_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    try:
        person = selectors.person_get(user=request.user, pk=pk)
    except User.DoesNotExist as exc:
        raise Http404(_("No such person.")) from exc
    memberships = [
        (membership, user_can(request.user, Action.MANAGE_PEOPLE, membership.unit))
        for membership in person.memberships.select_related("unit").order_by("unit__path")
    ]
    return render(
        request,
        "org/person_detail.html",
        {"person": person, "memberships": memberships, "role_form": RoleForm()},
    )


@login_required
@require_POST
def person_set_active(request: AuthedRequest, pk: int) -> HttpResponse:
    try:
        person = selectors.person_get(user=request.user, pk=pk)
    except User.DoesNotExist as exc:
        raise Http404 from exc
    active = request.POST.get("active") == "1"
    try:
        services.user_set_active(actor=request.user, person=person, active=active)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        text = _("%(name)s can sign in again.") if active else _("%(name)s was deactivated.")
        messages.success(request, text % {"name": person.display_name})
    return redirect("org:person-detail", pk=pk)


def _membership_or_404(request: AuthedRequest, pk: int) -> Membership:
    return get_object_or_404(selectors.memberships_visible(user=request.user), pk=pk)


@login_required
@require_POST
def membership_role(request: AuthedRequest, pk: int) -> HttpResponse:
    membership = _membership_or_404(request, pk)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.membership_set(
                actor=request.user,
                user=membership.user,
                unit=membership.unit,
                role=form.cleaned_data["role"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Role changed."))
    return redirect("org:person-detail", pk=membership.user_id)


@login_required
@require_POST
def membership_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    membership = _membership_or_404(request, pk)
    user_id = membership.user_id
    try:
        services.membership_remove(actor=request.user, membership=membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("org:person-detail", pk=user_id)
    messages.success(request, _("Membership removed."))
    return redirect("org:people")
