"""Web Push, sent by the worker (`partyorg worker` runs `push_pending` every few seconds).

VAPID keys come from settings (PARTYORG_VAPID_PRIVATE_KEY, PARTYORG_VAPID_PUBLIC_KEY); without
them nothing is pushed and pending notifications simply stay in the app. A subscription the push
service says is gone (404/410) is deleted; one failing repeatedly is dropped after
PUSH_MAX_FAILURES.
"""

import json
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Notification, PushSubscription

logger = logging.getLogger(__name__)

PUSH_MAX_FAILURES = 5
BATCH = 200

Sender = Callable[[PushSubscription, str], int]


def _webpush_send(sub: PushSubscription, payload: str) -> int:
    """Send one push; the push service's HTTP status."""
    from pywebpush import WebPushException, webpush

    try:
        response = webpush(
            subscription_info={
                "endpoint": sub.endpoint,
                "keys": {"p256dh": sub.p256dh, "auth": sub.auth},
            },
            data=payload,
            vapid_private_key=settings.PARTYORG_VAPID_PRIVATE_KEY,
            vapid_claims={"sub": settings.PARTYORG_VAPID_SUBJECT},
            timeout=10,
            ttl=24 * 3600,
        )
    except WebPushException as exc:
        return int(getattr(exc.response, "status_code", 0) or 0)
    return int(getattr(response, "status_code", 201) or 201)


_sender: Sender = _webpush_send


def set_sender(sender: Sender | None) -> None:
    """Tests replace the network with a function; None puts pywebpush back."""
    global _sender
    _sender = sender or _webpush_send


def push_enabled() -> bool:
    return bool(settings.PARTYORG_VAPID_PRIVATE_KEY and settings.PARTYORG_VAPID_PUBLIC_KEY)


def push_pending(limit: int = BATCH) -> int:
    """Push a batch of pending notifications; returns how many notifications it handled."""
    if not push_enabled():
        return 0
    with transaction.atomic():
        batch = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(push_pending=True)
            .order_by("id")[:limit]
        )
        if not batch:
            return 0
        Notification.objects.filter(pk__in=[n.pk for n in batch]).update(push_pending=False)
    subs: dict[int, list[PushSubscription]] = {}
    for sub in PushSubscription.objects.filter(user_id__in={n.recipient_id for n in batch}):
        subs.setdefault(sub.user_id, []).append(sub)
    for note in batch:
        payload = json.dumps(payload_of(note))
        for sub in subs.get(note.recipient_id, []):
            _deliver(sub, payload)
    return len(batch)


def _deliver(sub: PushSubscription, payload: str) -> None:
    try:
        status = _sender(sub, payload)
    except Exception:
        logger.exception("push failed")
        status = 0
    if status in (404, 410):
        sub.delete()
        return
    if 200 <= status < 300:
        PushSubscription.objects.filter(pk=sub.pk).update(last_ok_at=timezone.now(), failures=0)
        return
    sub.failures += 1
    if sub.failures >= PUSH_MAX_FAILURES:
        sub.delete()
    else:
        PushSubscription.objects.filter(pk=sub.pk).update(failures=sub.failures)


def payload_of(note: Notification) -> dict[str, Any]:
    return {"title": note.title, "body": note.body[:300], "url": note.url}
