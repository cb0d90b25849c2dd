from django.contrib import admin

from .models import AdminUnit, Org, OrgEvent


@admin.register(Org)
class OrgAdmin(admin.ModelAdmin):
    """Read-only: the tree changes only through orgs.services, which keep history and counters."""

    list_display = ("code", "name", "kind", "status", "depth")
    search_fields = ("code", "name")
    list_filter = ("kind", "status")
    readonly_fields = [f.name for f in Org._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OrgEvent)
class OrgEventAdmin(admin.ModelAdmin):
    list_display = ("org", "kind", "on", "by")
    raw_id_fields = ("org", "by")


@admin.register(AdminUnit)
class AdminUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "division_type", "province_code")
    search_fields = ("name",)
    list_filter = ("level",)
