from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from serentak.core.selectors import viewer_timezone


class UserTimezoneMiddleware:
    """Shows times in the viewer's unit time zone, and their saved language when no cookie says."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        zone = viewer_timezone(user)
        request.viewer_timezone = zone  # type: ignore[attr-defined]
        timezone.activate(zone)
        language = getattr(user, "language", "") if user is not None else ""
        if language and not request.COOKIES.get("serentak_language"):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
