"""The handbook's writes: activation and activity of members."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.services import AuditContext, audit_log

from .models import MemberActivity


def member_seen(
    *, user: Any, installed: bool = False, ctx: AuditContext | None = None
) -> MemberActivity | None:
    """Record that the user's member used the handbook now: activated the first time, installed
    when the app says it runs installed, last activity at most once per ACTIVITY_EVERY."""
    member_id = getattr(user, "member_id", None)
    if not member_id:
        return None
    now = timezone.now()
    with transaction.atomic():
        activity = MemberActivity.objects.select_for_update().filter(member_id=member_id).first()
        if activity is None:
            activity = MemberActivity.objects.create(
                member_id=member_id,
                activated_at=now,
                last_seen_at=now,
                installed_at=now if installed else None,
            )
            audit_log(
                actor=user,
                action="handbook.activated",
                object_type="member",
                object_id=member_id,
                ctx=ctx,
            )
            return activity
        changed = []
        if installed and activity.installed_at is None:
            activity.installed_at = now
            changed.append("installed_at")
        if now - activity.last_seen_at >= timedelta(seconds=settings.PARTYORG_ACTIVITY_EVERY):
            activity.last_seen_at = now
            changed.append("last_seen_at")
        if changed:
            activity.save(update_fields=changed)
        return activity
