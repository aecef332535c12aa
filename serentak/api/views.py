"""The read-only JSON API and the web page where a person gets their API token.

Every queryset comes from ``serentak.api.selectors``, which scope it with ``for_user``: a
unit outside the caller's reach is a 404, exactly like a unit that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework import generics
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from serentak.accounts.models import User
from serentak.api import selectors, services
from serentak.api.serializers import (
    ErrorSerializer,
    MeSerializer,
    UnitDetailSerializer,
    UnitFilterSerializer,
    UnitSerializer,
)
from serentak.core.http import AuthedRequest
from serentak.org.models import Unit

UNAUTHORIZED = OpenApiResponse(
    ErrorSerializer,
    description=(
        "Not authenticated: no `Authorization: Token <key>` header and no signed-in session, "
        "an unknown or revoked token, or a deactivated account."
    ),
)
NOT_FOUND = OpenApiResponse(
    ErrorSerializer,
    description="No such unit, or one outside your scope: the API does not tell them apart.",
)


class UnitPagination(LimitOffsetPagination):
    max_limit = 1000


@extend_schema_view(
    get=extend_schema(
        summary="Units you may see",
        description="Every unit in your scope, in tree order, `limit`/`offset` paginated.",
        parameters=[UnitFilterSerializer],
        responses={
            200: UnitSerializer(many=True),
            400: OpenApiResponse(
                OpenApiTypes.OBJECT, description="A filter has a bad value (per-field messages)."
            ),
            401: UNAUTHORIZED,
        },
    )
)
class UnitList(generics.ListAPIView[Unit]):
    serializer_class = UnitSerializer
    pagination_class = UnitPagination

    def get_queryset(self) -> QuerySet[Unit]:
        filters = UnitFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.units_for_api(user=self.request.user, **filters.validated_data)


@extend_schema_view(
    get=extend_schema(
        summary="One unit",
        parameters=[
            OpenApiParameter("institution", str, OpenApiParameter.PATH, description="e.g. kpu"),
            OpenApiParameter("code", str, OpenApiParameter.PATH, description="e.g. 74.06"),
        ],
        responses={200: UnitDetailSerializer, 401: UNAUTHORIZED, 404: NOT_FOUND},
    )
)
class UnitDetail(generics.RetrieveAPIView[Unit]):
    serializer_class = UnitDetailSerializer

    def get_object(self) -> Unit:
        try:
            unit = selectors.unit_get_for_api(
                user=self.request.user,
                institution=self.kwargs["institution"],
                code=self.kwargs["code"],
            )
        except Unit.DoesNotExist as exc:
            raise NotFound from exc
        self.check_object_permissions(self.request, unit)
        return unit


class MeDetail(APIView):
    @extend_schema(
        summary="You",
        description="Who you are, the units you belong to and what you may do in them.",
        responses={200: MeSerializer, 401: UNAUTHORIZED},
    )
    def get(self, request: Request) -> Response:
        assert isinstance(request.user, User)  # IsAuthenticated let only a real user in
        return Response(MeSerializer(selectors.me_get(user=request.user)).data)


class Schema(SpectacularJSONAPIView):
    """The OpenAPI document as JSON, in English unless ``?lang=id`` asks otherwise.

    Field titles come from the models' translated verbose names; without this the document
    would follow the caller's language and mix it with the English descriptions.
    """

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        lang = request.GET.get("lang")
        # Only the site's languages: each code activated stays in Django's catalogue cache.
        if lang is not None and lang not in dict(settings.LANGUAGES):
            raise ValidationError({"lang": [f"Use one of {', '.join(dict(settings.LANGUAGES))}."]})
        with translation.override(lang or "en"):
            response: Response = super().get(request, *args, **kwargs)
            return response


# --- The token page (HTML, for people) ----------------------------------------------------------


@never_cache  # the page may carry a freshly made key: no cache may keep it
@login_required
@require_http_methods(["GET", "POST"])
def token_page(request: AuthedRequest) -> HttpResponse:
    key = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "rotate":
            # Shown in this response only, never stored in the session or a message.
            key = services.api_token_rotate(user=request.user)
        elif action == "revoke":
            if services.api_token_revoke(user=request.user):
                messages.success(request, _("Your API token was revoked."))
            return redirect("api:token")
        else:
            return HttpResponseBadRequest()
    context = {
        "key": key,
        "token_created": selectors.api_token_created(user=request.user),
        "units_url": request.build_absolute_uri(reverse("api:unit-list")),
        "schema_url": request.build_absolute_uri(reverse("api:schema")),
    }
    return render(request, "api/token.html", context)
