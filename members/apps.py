from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from orgs.rollups import register_rebuilder

        from .record import counts_rebuilt

        register_rebuilder(counts_rebuilt)
