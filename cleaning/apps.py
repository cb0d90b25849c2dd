from django.apps import AppConfig


class CleaningConfig(AppConfig):
    name = "cleaning"
    default_auto_field = "django.db.models.BigAutoField"
