from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from orgs.rollups import register_rebuilder

        from .services import rebuild_counts

        register_rebuilder(rebuild_counts)
