from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import User


@admin.register(User)
class PartyUserAdmin(UserAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        ("partyorg", {"fields": ("cccd", "member", "assurance_level")}),
    )  # type: ignore[misc]
    raw_id_fields = ("member",)
