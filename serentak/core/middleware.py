from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers

from serentak.core.selectors import viewer_timezone


class LanguageMiddleware:
    """Indonesian unless the person chose otherwise (the switch's cookie, or their profile).

    Django's LocaleMiddleware would follow the browser's Accept-Language, and many humas
    use browsers set to English: the product's language is a choice made in the product.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        available = dict(settings.LANGUAGES)
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in available:
            user = getattr(request, "user", None)
            language = getattr(user, "language", "") or settings.LANGUAGE_CODE
        if language not in available:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class UserTimezoneMiddleware:
    """Shows times in the time zone of the viewer's unit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = viewer_timezone(getattr(request, "user", None))
        request.viewer_timezone = zone  # type: ignore[attr-defined]
        timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
