"""Notifications to users (in the app), and the browsers that allowed Web Push for them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # What it is about, for grouping and icons ("document", "meeting", "report"…): never shown.
    kind = models.CharField(max_length=40)
    title = models.CharField(_("tiêu đề"), max_length=200)
    body = models.TextField(_("nội dung"), blank=True)
    # Where it leads (a path on this site).
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Still to be pushed to the recipient's browsers by the worker (notices/push.py).
    push_pending = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notice_recipient_recent"),
            models.Index(
                fields=["id"],
                name="notice_push_pending",
                condition=models.Q(push_pending=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PushSubscription(models.Model):
    """One browser's Web Push subscription (the PushSubscription JSON the browser gave)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField()
    last_ok_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"push {self.user_id}"
