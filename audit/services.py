"""Writing to the audit log, sealing it into a hash chain, and verifying the chain."""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.utils import timezone

from core.db import bulk_insert
from core.tick import tick_after_commit

from .models import AuditEvent, AuditSeal

GENESIS = "0" * 64
# Sealing looks back this many ids for events that committed late (a long transaction took an
# id earlier than events already sealed).
LATE_WINDOW = 5000


@dataclass(frozen=True, slots=True)
class AuditContext:
    """Where an action came from, as its audit row records it (besides who did it).

    Views make one from the request (`AuditContext.of(request)`); commands, tasks and tests
    pass none. Services take it rather than the request, so they never read HTTP themselves.
    """

    ip: str | None = None

    @classmethod
    def of(cls, request: HttpRequest | None) -> "AuditContext":
        if request is None:
            return cls()
        return cls(ip=request.META.get("REMOTE_ADDR") or None)


def actor_user(actor: Any) -> Any:
    """The user behind an actor, for "by" columns: None for an API token, a command, a task."""
    return actor if getattr(actor, "is_authenticated", False) else None


def audit_log(
    *,
    actor: Any,
    action: str,
    object_type: str = "",
    object_id: object = "",
    detail: dict[str, Any] | None = None,
    ctx: AuditContext | None = None,
) -> AuditEvent:
    """Record one action in the caller's transaction; the chain seals it after commit."""
    user = actor_user(actor)
    event = AuditEvent.objects.create(
        at=timezone.now(),
        actor=user,
        actor_label=(user.get_username() if user else str(actor or "system"))[:150],
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        ip=ctx.ip if ctx else None,
        detail=detail or {},
    )
    tick_after_commit()
    return event


# An event's columns as bulk paths write them (COPY), in this order.
AUDIT_COLUMNS = (
    "at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "ip",
    "detail",
)
# What an event's digest covers, in this order (values_list(..., named=True) rows have these
# attributes too, so sealing needs no model instances).
DIGESTED = ("id", *AUDIT_COLUMNS)


# json.dumps with these arguments, made once rather than per event (the same text, byte for
# byte: json.dumps builds exactly this encoder each call). Old chains must verify.
_DIGEST_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def event_digest(event: Any, previous: str) -> str:
    at = event.at.astimezone(UTC).isoformat(timespec="microseconds")
    body = _DIGEST_JSON.encode(
        [
            event.id,
            at,
            event.actor_id,
            event.actor_label,
            event.action,
            event.object_type,
            event.object_id,
            event.ip,
            event.detail,
        ]
    )
    return hashlib.sha256((previous + body).encode()).hexdigest()


def audit_seal(limit: int = 5000) -> int:
    """Chain up to `limit` unsealed events; returns how many (0 = all sealed)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # One sealer at a time; writers of events never take this lock.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(7262001)")
        last = AuditSeal.objects.order_by("-seq").values_list("hash", "event_id").first()
        previous = last[0] if last else GENESIS
        floor = (last[1] - LATE_WINDOW) if last else 0
        # NOT EXISTS over the seals past the floor only: "seal__isnull" joined every seal ever
        # made, and each call read the whole seal index from its start (0.5 s per 5,000 events
        # once a million were sealed, growing with the chain).
        sealed = AuditSeal.objects.filter(event_id=OuterRef("pk"), event_id__gt=floor)
        events = (
            AuditEvent.objects.filter(id__gt=floor)
            .exclude(Exists(sealed))
            .order_by("id")
            .values_list(*DIGESTED, named=True)[:limit]
        )
        seals = []
        for event in events:
            previous = event_digest(event, previous)
            seals.append((event.id, previous))
        # COPY on PostgreSQL: each seal takes the next sequence number in this order.
        bulk_insert(AuditSeal._meta.db_table, ["event_id", "hash"], seals)
        return len(seals)


@dataclass
class VerifyResult:
    checked: int
    ok: bool
    problem: str = ""
    unsealed: int = 0


def audit_verify(*, unsealed_grace: timedelta = timedelta(minutes=5)) -> VerifyResult:
    """Walk the whole chain: every seal must match its event and its predecessor."""
    previous = GENESIS
    checked = 0
    seals = AuditSeal.objects.order_by("seq").values_list("seq", "event_id", "hash")
    events_by_id: dict[int, AuditEvent] = {}
    batch: list[tuple[int, int, str]] = []

    def check(rows: list[tuple[int, int, str]]) -> str:
        nonlocal previous, checked
        ids = [event_id for _seq, event_id, _hash in rows]
        events_by_id.clear()
        events_by_id.update(AuditEvent.objects.in_bulk(ids))
        for seq, event_id, stored in rows:
            event = events_by_id.get(event_id)
            if event is None:
                return f"seal {seq}: event {event_id} is missing (deleted)"
            expected = event_digest(event, previous)
            if expected != stored:
                return f"seal {seq}: event {event_id} was changed, or the chain was edited"
            previous = stored
            checked += 1
        return ""

    for row in seals.iterator(chunk_size=5000):
        batch.append(row)
        if len(batch) >= 5000:
            if problem := check(batch):
                return VerifyResult(checked, False, problem)
            batch = []
    if batch and (problem := check(batch)):
        return VerifyResult(checked, False, problem)
    old_unsealed = AuditEvent.objects.filter(
        seal__isnull=True, at__lt=timezone.now() - unsealed_grace
    ).count()
    if old_unsealed:
        return VerifyResult(
            checked,
            False,
            f"{old_unsealed} events older than the grace period are not sealed",
            old_unsealed,
        )
    return VerifyResult(checked, True)
