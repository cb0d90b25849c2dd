from django.apps import AppConfig


class CleaningConfig(AppConfig):
    name = "cleaning"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from orgs.rollups import register_rebuilder

        from .campaigns import rebuild_counts

        register_rebuilder(rebuild_counts)
