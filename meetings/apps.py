from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from handbook.home import register_card
        from orgs.rollups import register_rebuilder

        from .cards import next_meeting_card
        from .services import rebuild_counts

        register_rebuilder(rebuild_counts)
        register_card(next_meeting_card, order=10)
