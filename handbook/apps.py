from typing import Any

from django.apps import AppConfig


def _activated_at_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A member is "activated" in the handbook at their first login."""
    from audit.services import AuditContext

    from .services import member_seen

    if getattr(user, "member_id", None):
        member_seen(user=user, ctx=AuditContext.of(request))


class HandbookConfig(AppConfig):
    name = "handbook"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from core.periodic import register_periodic
        from orgs.rollups import register_rebuilder

        from .counting import RECONCILE_EVERY, counts_rebuilt, reconcile

        user_logged_in.connect(_activated_at_login, dispatch_uid="handbook.activated")
        register_rebuilder(counts_rebuilt)
        # Members move and leave through writers that know nothing of the handbook.
        register_periodic("handbook.reconcile", reconcile, every=RECONCILE_EVERY)
