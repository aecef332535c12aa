from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from serentak.accounts.forms import ProfileForm
from serentak.accounts.services import user_update_profile
from serentak.core.http import AuthedRequest
from serentak.org.selectors import home_units


@login_required
def profile(request: AuthedRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        user_update_profile(
            user=user,
            full_name=form.cleaned_data["full_name"],
            phone=form.cleaned_data["phone"],
            email=form.cleaned_data["email"],
        )
        messages.success(request, _("Your profile was saved."))
        return redirect("accounts:profile")
    memberships = user.memberships.select_related("unit").order_by("unit__path")
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "memberships": memberships, "home_units": home_units(user=user)},
    )
