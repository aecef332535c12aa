"""What the API sends. Every field is typed so that the OpenAPI document is exact."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from serentak.api.selectors import Me, MembershipRow, PermissionRow, unit_children_codes
from serentak.org.models import Role, Unit, UnitKind
from serentak.org.scoping import Action


class ErrorSerializer(serializers.Serializer[dict[str, str]]):
    """DRF's error body: ``{"detail": "..."}``."""

    detail = serializers.CharField()


class UnitFilterSerializer(serializers.Serializer[dict[str, str]]):
    """Query parameters of the unit list (an empty value means "no filter")."""

    kind = serializers.ChoiceField(choices=UnitKind.choices, required=False, allow_blank=True)
    # DRF pops declared fields off the class, so "parent" does not shadow Field.parent at
    # run time; only the stubs see a clash.
    parent = serializers.CharField(  # type: ignore[assignment]
        required=False,
        allow_blank=True,
        help_text="Only the children of the unit with this code, e.g. 74.",
    )
    q = serializers.CharField(
        source="query",
        required=False,
        allow_blank=True,
        help_text="Words that must all match a unit's name or region, or start its code.",
    )
    institution = serializers.SlugField(
        required=False, allow_blank=True, help_text="Only units of this institution, e.g. kpu."
    )


class UnitSerializer(serializers.ModelSerializer[Unit]):
    institution = serializers.CharField(
        source="institution.slug", read_only=True, help_text="The institution's slug, e.g. kpu."
    )
    parent = serializers.CharField(  # type: ignore[assignment]  # see UnitFilterSerializer
        source="parent_code",
        read_only=True,
        allow_null=True,
        help_text=(
            "The parent unit's code; null for a root, and for a parent outside your scope "
            "(every code here is one you can open)."
        ),
    )
    tz_label = serializers.CharField(read_only=True, help_text="WIB, WITA or WIT.")
    depth = serializers.IntegerField(read_only=True, help_text="1 for the centre.")
    url = serializers.SerializerMethodField(help_text="This unit in the API.")
    web_url = serializers.SerializerMethodField(help_text="This unit's page in Serentak.")

    class Meta:
        model = Unit
        fields = [
            "institution",
            "code",
            "name",
            "region_name",
            "kind",
            "parent",
            "timezone",
            "tz_label",
            "depth",
            "is_active",
            "url",
            "web_url",
        ]
        read_only_fields = fields

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, unit: Unit) -> str:
        return self._absolute(reverse("api:unit-detail", args=[unit.institution.slug, unit.code]))

    @extend_schema_field(OpenApiTypes.URI)
    def get_web_url(self, unit: Unit) -> str:
        return self._absolute(reverse("org:unit-detail", args=[unit.institution.slug, unit.code]))


class UnitDetailSerializer(UnitSerializer):
    emails = serializers.ListField(
        child=serializers.EmailField(), read_only=True, help_text="The PR desk's email addresses."
    )
    phones = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="The PR desk's phone numbers."
    )
    children = serializers.SerializerMethodField(
        help_text="Codes of the child units you may see, in tree order."
    )
    children_count = serializers.SerializerMethodField(help_text="How many codes `children` has.")

    class Meta(UnitSerializer.Meta):
        fields = [*UnitSerializer.Meta.fields, "emails", "phones", "children", "children_count"]
        read_only_fields = fields

    def _children(self, unit: Unit) -> list[str]:
        cache: dict[int, list[str]] = self.context.setdefault("_children", {})
        if unit.pk not in cache:
            cache[unit.pk] = unit_children_codes(user=self.context["request"].user, unit=unit)
        return cache[unit.pk]

    def get_children(self, unit: Unit) -> list[str]:
        return self._children(unit)

    def get_children_count(self, unit: Unit) -> int:
        return len(self._children(unit))


class MembershipSerializer(serializers.Serializer[MembershipRow]):
    institution = serializers.CharField()
    unit_code = serializers.CharField()
    unit_name = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)


class PermissionSerializer(serializers.Serializer[PermissionRow]):
    institution = serializers.CharField()
    unit_code = serializers.CharField()
    unit_name = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)
    reach = serializers.ChoiceField(
        choices=[("unit", "unit"), ("subtree", "subtree")],
        help_text="`unit`: this unit only; `subtree`: this unit and every unit below it.",
    )
    actions = serializers.ListField(
        child=serializers.ChoiceField(choices=[(a.value, a.value) for a in Action]),
        help_text="What you may do over the reach.",
    )


class MeSerializer(serializers.Serializer[Me]):
    username = serializers.CharField()
    full_name = serializers.CharField()
    email = serializers.EmailField(allow_blank=True)
    language = serializers.CharField(help_text="id, en, or empty for the site default.")
    is_superuser = serializers.BooleanField(
        help_text="A superuser may see and do everything, whatever `permissions` says."
    )
    memberships = MembershipSerializer(many=True, help_text="Every unit you belong to.")
    permissions = PermissionSerializer(
        many=True,
        help_text=(
            "Your effective permissions per top unit: one row per membership that adds "
            "something to the ones above it."
        ),
    )
