"""The change feed for other systems: member writes in the order the audit chain sealed them.

The cursor is the audit seal's sequence number: seals are assigned in the order changes became
visible (never a later-committing lower id behind a consumer's back), so reading "after N" is
stable, and a consumer that reads the same page twice applies the same state twice (idempotent).
"""

from dataclasses import dataclass
from datetime import datetime

from audit.models import AuditSeal
from orgs.models import Org

from .models import Member

# Reads of personal data are in the same chain; these are the writes.
NOT_WRITES = ("member.view", "member.list", "member.export")


# A member who moved out of a consumer's subtree: it is told the id, not the record.
LEFT_SCOPE = "member.left_scope"


@dataclass
class Change:
    cursor: int
    action: str
    at: datetime
    member_id: int
    member: Member | None  # None when the member left the subtree (LEFT_SCOPE)


def _within(path: str, roots: list[str]) -> bool:
    return any(path.startswith(root) for root in roots)


def changes_after(*, cursor: int, roots: list[str], limit: int = 500) -> tuple[list[Change], int]:
    """Member changes after `cursor` within the subtrees `roots`; and the cursor to ask next.

    A transfer out of the subtrees is a LEFT_SCOPE change (the member's id only), so a
    consumer's copy drops the member rather than keep a stale record of someone it may no
    longer see. Other changes of members outside the subtrees are skipped.
    """
    limit = max(1, min(limit, 1000))
    seals = list(
        AuditSeal.objects.filter(seq__gt=cursor, event__object_type="member")
        .order_by("seq")
        .values_list("seq", "event__action", "event__at", "event__object_id", "event__detail")[
            : limit * 4
        ]
    )
    writes = [s for s in seals if not s[1].startswith(NOT_WRITES) and s[3].isdigit()]
    members = {
        m.pk: m
        for m in Member.objects.filter(pk__in={int(s[3]) for s in writes}).select_related("org")
    }
    # Transfers recorded before their audit detail named the old path name its code.
    codes = {
        (s[4] or {}).get("from")
        for s in writes
        if s[1] == "member.transfer" and not (s[4] or {}).get("from_path")
    }
    paths = dict(Org.objects.filter(code__in=codes - {None}).values_list("code", "path"))
    out: list[Change] = []
    next_cursor = cursor
    for seq, action, at, object_id, detail in seals:
        if len(out) >= limit:
            break
        next_cursor = seq
        if action.startswith(NOT_WRITES) or not object_id.isdigit():
            continue
        member = members.get(int(object_id))
        if member is None:
            continue
        if _within(member.org.path, roots):
            out.append(Change(seq, action, at, member.pk, member))
        elif action == "member.transfer":
            detail = detail or {}
            old = detail.get("from_path") or paths.get(str(detail.get("from")), "")
            if old and _within(old, roots):
                out.append(Change(seq, LEFT_SCOPE, at, member.pk, None))
        # Other out-of-scope changes are skipped, but the cursor moves past them.
    return out, next_cursor
