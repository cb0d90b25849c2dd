from django.apps import AppConfig


class RolloutConfig(AppConfig):
    name = "rollout"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.tick import register_drain
        from orgs.rollups import register_rebuilder

        from . import coverage

        register_rebuilder(coverage.rebuild_counts)
        register_drain(coverage.expiry_drain)
        coverage.connect_signals()
