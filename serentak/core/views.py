from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.views.decorators.http import require_POST

from serentak.accounts.services import user_set_language
from serentak.core.http import AuthedRequest
from serentak.org import selectors as org_selectors


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    sections = []
    for unit in org_selectors.home_units(user=request.user):
        sections.append(
            {
                "unit": unit,
                "counts": org_selectors.kind_counts(user=request.user, within=unit),
                "children": (
                    org_selectors.children_with_counts(user=request.user, unit=unit)
                    if not unit.is_leaf()
                    else []
                ),
            }
        )
    return render(request, "core/home.html", {"sections": sections})


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES) and check_for_language(language):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=settings.PRODUCTION,
        )
        if request.user.is_authenticated:
            user_set_language(user=request.user, language=language)
    return response


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
