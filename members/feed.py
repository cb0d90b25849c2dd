"""The change feed for other systems: member writes in the order the audit chain sealed them.

The cursor is the audit seal's sequence number: seals are assigned in the order changes became
visible (never a later-committing lower id behind a consumer's back), so reading "after N" is
stable, and a consumer that reads the same page twice applies the same state twice (idempotent).
"""

from dataclasses import dataclass
from datetime import datetime

from audit.models import AuditSeal

from .models import Member

# Reads of personal data are in the same chain; these are the writes.
NOT_WRITES = ("member.view", "member.list", "member.export")


@dataclass
class Change:
    cursor: int
    action: str
    at: datetime
    member: Member


def changes_after(*, cursor: int, roots: list[str], limit: int = 500) -> tuple[list[Change], int]:
    """Member changes after `cursor` within the subtrees `roots`; and the cursor to ask next."""
    limit = max(1, min(limit, 1000))
    seals = list(
        AuditSeal.objects.filter(seq__gt=cursor, event__object_type="member")
        .order_by("seq")
        .values_list("seq", "event__action", "event__at", "event__object_id")[: limit * 4]
    )
    writes = [s for s in seals if not s[1].startswith(NOT_WRITES)]
    ids = {int(s[3]) for s in writes if s[3].isdigit()}
    members = {m.pk: m for m in Member.objects.filter(pk__in=ids).select_related("org")}
    out: list[Change] = []
    next_cursor = cursor
    for seq, action, at, object_id in seals:
        if len(out) >= limit:
            break
        next_cursor = seq
        if action.startswith(NOT_WRITES) or not object_id.isdigit():
            continue
        member = members.get(int(object_id))
        # Out-of-scope changes are skipped, but the cursor moves past them.
        if member is not None and any(member.org.path.startswith(root) for root in roots):
            out.append(Change(seq, action, at, member))
    return out, next_cursor
