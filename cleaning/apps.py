from django.apps import AppConfig


class CleaningConfig(AppConfig):
    name = "cleaning"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from orgs.rollups import register_rebuilder

        from . import services

        register_rebuilder(services.rebuild_counts)
