from django.contrib import admin

from .models import Member


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    """Read-only: member changes go through members.services (events, provenance, audit)."""

    list_display = ("full_name", "org", "status", "sex", "birth_date")
    search_fields = ("search_name", "cccd")
    raw_id_fields = ("org", "temporary_org")
    readonly_fields = [f.name for f in Member._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
