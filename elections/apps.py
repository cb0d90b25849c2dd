from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "elections"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from congresses.links import register_link

        from .views import congress_day_link

        # The congress's page offers its day (the monitor does not know this floor).
        register_link(congress_day_link)
