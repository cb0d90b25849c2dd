from django.apps import AppConfig


class CleaningConfig(AppConfig):
    name = "cleaning"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.periodic import register_periodic
        from orgs.rollups import register_rebuilder

        from . import services
        from .leases import reap

        register_rebuilder(services.rebuild_counts)
        # A worker that stopped mid-batch leaves its lease to go stale: hand its batch back.
        register_periodic("cleaning.reap", reap, every=30.0)
