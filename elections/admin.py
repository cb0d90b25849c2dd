from django.contrib import admin

from .models import Rulebook


@admin.register(Rulebook)
class RulebookAdmin(admin.ModelAdmin):
    """A versioned table: a new regulation (or a corrected reading of one) is a new row from its
    effective date; a row is never changed or deleted, since elections were counted under it."""

    list_display = (
        "name",
        "effective_from",
        "max_surplus_percent",
        "blank_valid",
        "agree_columns",
    )

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False
