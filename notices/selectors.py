"""Reading a user's notifications."""

from typing import Any

from django.db.models import QuerySet

from .models import Notification

# The badge says "99+" beyond this; counting further would read rows for nothing.
UNREAD_CAP = 100


def notifications_for(user: Any) -> QuerySet[Notification]:
    """The user's own notifications, newest first (never anyone else's)."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_count_for(user: Any) -> int:
    return len(
        Notification.objects.filter(recipient=user, read_at__isnull=True).values_list(
            "id", flat=True
        )[:UNREAD_CAP]
    )
