from django.contrib import admin

from .models import ApiToken


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
