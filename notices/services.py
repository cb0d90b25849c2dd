"""Telling users something: a notification in the app, pushed to the browsers that allowed it.

Other apps call `notify()` inside their own transaction (a document published, a meeting
scheduled): the rows commit with what they announce, or not at all. The push itself leaves
from the worker (notices/push.py), so a request never waits on a push service.
"""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.services import AuditContext, audit_log

from .models import Notification, PushSubscription

BATCH = 2000


def notify(
    users: Iterable[Any],
    *,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    ctx: AuditContext | None = None,
) -> int:
    """Create one notification per user (users or user ids); returns how many.

    Those with a push subscription get theirs pushed by the worker.
    """
    ids = sorted({getattr(user, "pk", user) for user in users})
    if not ids:
        return 0
    pushing = set(
        PushSubscription.objects.filter(user_id__in=ids).values_list("user_id", flat=True)
    )
    now = timezone.now()
    rows = [
        Notification(
            recipient_id=user_id,
            kind=kind[:40],
            title=title[:200],
            body=body,
            url=url[:500],
            created_at=now,
            push_pending=user_id in pushing,
        )
        for user_id in ids
    ]
    with transaction.atomic():
        Notification.objects.bulk_create(rows, batch_size=BATCH)
        audit_log(
            actor=None,
            action="notices.notify",
            object_type="notification",
            detail={"kind": kind, "recipients": len(ids)},
            ctx=ctx,
        )
    return len(ids)


def notification_mark_read(user: Any, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (those named, or all); returns how many changed."""
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())


def push_subscribe(user: Any, *, endpoint: str, p256dh: str, auth: str) -> PushSubscription:
    """Record (or move to this user) a browser's subscription."""
    sub, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={
            "user": user,
            "p256dh": p256dh,
            "auth": auth,
            "created_at": timezone.now(),
            "failures": 0,
        },
    )
    return sub


def push_unsubscribe(user: Any, *, endpoint: str) -> int:
    deleted, _by_model = PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
    return deleted
