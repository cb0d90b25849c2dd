from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cleaning.services import on_batch_finished
        from orgs.rollups import register_rebuilder

        from .services import rebuild_counts, unit_submitted

        register_rebuilder(rebuild_counts)
        on_batch_finished(unit_submitted)
