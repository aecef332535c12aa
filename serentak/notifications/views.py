from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from serentak.core.http import AuthedRequest
from serentak.core.selectors import viewer_timezone
from serentak.core.timefmt import zone_label
from serentak.notifications import selectors, services
from serentak.notifications.forms import PreferencesForm
from serentak.notifications.kinds import groups_all
from serentak.notifications.models import Notification

PER_PAGE = 25


@login_required
def notification_list(request: AuthedRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_for(user=request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def notification_read(request: AuthedRequest, pk: int) -> HttpResponse:
    try:
        notification = selectors.notification_get(user=request.user, pk=pk)
    except Notification.DoesNotExist as exc:
        raise Http404(_("No such notification.")) from exc
    services.notifications_mark_read(user=request.user, ids=[notification.pk])
    if not getattr(request, "htmx", False):
        return redirect("notifications:list")
    notification.refresh_from_db(fields=["read_at"])
    context = {
        "n": notification,
        "unread_count": selectors.notifications_unread_count(user=request.user),
        "update_count": True,
    }
    return render(request, "notifications/partials/notification_row.html", context)


@login_required
@require_POST
def notification_read_all(request: AuthedRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications marked as read."))
    return redirect("notifications:list")


@login_required
def preferences(request: AuthedRequest) -> HttpResponse:
    current = selectors.preferences_for(user=request.user)
    initial: dict[str, object] = {"digest_hour": current.digest_hour}
    initial.update({f"channel_{p.group.code}": p.channel for p in current.groups})
    form = PreferencesForm(
        request.POST or None,
        initial=initial,
        groups=groups_all(),
        zone_label=zone_label(viewer_timezone(request.user)),
    )
    if request.method == "POST" and form.is_valid():
        services.preferences_save(
            user=request.user,
            channels=form.channels(),
            digest_hour=form.cleaned_data["digest_hour"],
        )
        messages.success(request, _("Notification preferences saved."))
        return redirect("notifications:preferences")
    context = {
        "form": form,
        "emails": selectors.email_deliveries_recent(user=request.user),
    }
    return render(request, "notifications/preferences.html", context)
