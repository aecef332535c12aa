from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from serentak.org.models import Institution, Invitation, Membership, Unit


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "short_name")


@admin.register(Unit)
class UnitAdmin(TreeAdmin):
    form = movenodeform_factory(Unit)
    list_display = ("name", "code", "kind", "timezone", "is_active")
    search_fields = ("name", "code", "region_name")
    list_filter = ("kind", "institution", "is_active")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "unit", "role")
    list_filter = ("role",)
    raw_id_fields = ("user", "unit")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "unit", "role", "created_at", "accepted_at", "revoked_at")
    raw_id_fields = ("unit", "invited_by", "accepted_by")
    exclude = ("token",)
