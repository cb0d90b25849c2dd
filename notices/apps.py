from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings

        from core.periodic import register_periodic

        from .push import push_pending

        # Web Push leaves from the worker, never from the request that notified.
        register_periodic("notices.push", push_pending, every=settings.PARTYORG_PUSH_EVERY)
