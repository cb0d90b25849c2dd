from django.apps import AppConfig


class CorrectionsConfig(AppConfig):
    name = "corrections"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.periodic import register_periodic
        from orgs.rollups import register_rebuilder

        from .services import attachments_purge, counts_rebuilt, requests_mark_overdue

        register_rebuilder(counts_rebuilt)
        register_periodic("corrections.overdue", requests_mark_overdue, every=600)
        register_periodic("corrections.purge", attachments_purge, every=3600)
