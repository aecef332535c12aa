from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from serentak.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "email", "is_active", "is_staff", "is_demo")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Serentak", {"fields": ("full_name", "phone", "language")}),
    )  # type: ignore[misc]
