from django.apps import AppConfig


class CongressesConfig(AppConfig):
    name = "congresses"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.periodic import register_periodic
        from orgs.rollups import register_rebuilder

        from .services import congresses_mark_late_all, rebuild_counts

        register_rebuilder(rebuild_counts)
        # Time alone makes a congress late: the worker looks once a minute.
        register_periodic("congresses.late", congresses_mark_late_all, every=60.0)
