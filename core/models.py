from django.db import models


class LiveEvent(models.Model):
    """Organisations that changed, as SQLite tells web processes (core/live.py): PostgreSQL uses
    NOTIFY instead. Only the newest rows are kept."""

    paths = models.TextField()

    def __str__(self) -> str:
        return self.paths
