from django.apps import AppConfig


class PartyorgConfig(AppConfig):
    name = "partyorg"

    def ready(self) -> None:
        from .lookups import register

        register()
