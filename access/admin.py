from django.contrib import admin

from .models import ApiToken, Grant


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = ("user", "org", "role", "granted_by", "granted_at", "expires_at", "revoked_at")
    raw_id_fields = ("user", "org", "granted_by", "revoked_by")
    list_filter = ("role",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "prefix",
        "org",
        "can_write",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )
    raw_id_fields = ("org", "created_by", "revoked_by")
    readonly_fields = ("digest", "prefix")
