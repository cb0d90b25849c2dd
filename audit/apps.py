from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.tick import register_drain

        from .services import audit_seal

        register_drain(audit_seal)
