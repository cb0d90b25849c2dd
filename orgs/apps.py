from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "orgs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.tick import register_drain

        from .rollups import rollups_fold

        register_drain(rollups_fold)
