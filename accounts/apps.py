from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deploy checks)


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin, whose site logs in through our login only (accounts/admin_site.py)."""

    # Not the default configuration of `accounts`: settings name this class in INSTALLED_APPS.
    default = False
    default_site = "accounts.admin_site.PartyAdminSite"
