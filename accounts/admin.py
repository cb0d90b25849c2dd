from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Grant, User


@admin.register(User)
class PartyUserAdmin(UserAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        ("partyorg", {"fields": ("cccd", "member", "assurance_level")}),
    )  # type: ignore[misc]
    raw_id_fields = ("member",)


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = ("user", "org", "role", "granted_by", "granted_at", "expires_at", "revoked_at")
    raw_id_fields = ("user", "org", "granted_by", "revoked_by")
    list_filter = ("role",)
