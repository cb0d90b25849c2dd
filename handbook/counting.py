"""The handbook's subtree counters, and keeping them true when members move or leave.

Keys, added in the member's organisation (orgs/rollups.py sums them up every subtree):
- "hb.activated": members who logged in to the handbook at least once;
- "hb.installed": of those, members whose app was seen installed;
- "hb.studied.<document id>": members who marked a document studied.
Only members the handbook is for count: official or probationary, not exempted from party
activities; the same members make the denominator ("members" − "exempt").

Each counted row remembers where it was counted (`counted_org`). A member moves (transfer,
reorganisation, import) through writers that know nothing of the handbook, so `reconcile`,
run by the worker every RECONCILE_EVERY seconds, compares what was counted with where each
member is now and moves (or removes) the counts; `counts_rebuilt` gives a full rebuild the
counts as recorded, which the next reconciliation then corrects like any other drift.
"""

from collections import defaultdict
from collections.abc import Iterator

from django.db import transaction
from django.db.models import F, Q

from members.models import ACTIVE_STATUSES, Member
from orgs.rollups import counts_changed

from .models import DocumentRead, MemberActivity

ACTIVATED = "hb.activated"
INSTALLED = "hb.installed"
RECONCILE_EVERY = 60.0
BATCH = 5000


def studied_key(document_id: int) -> str:
    return f"hb.studied.{document_id}"


def counting_org(member: Member) -> int | None:
    """The organisation a member's handbook counts go to, or None if they do not count."""
    if member.status in ACTIVE_STATUSES and not member.exempt:
        return member.org_id
    return None


def _eligible_q(prefix: str = "member__") -> Q:
    return Q(**{f"{prefix}status__in": list(ACTIVE_STATUSES), f"{prefix}exempt": False})


def reconcile() -> int:
    """Move the counts of members who moved, drop those of members who stopped counting, add
    those of members who started; returns how many rows it corrected."""
    fixed = 0
    with transaction.atomic():
        deltas: defaultdict[tuple[int, str], int] = defaultdict(int)
        eligible = _eligible_q()
        drifted = (
            MemberActivity.objects.filter(
                (eligible & (~Q(counted_org=F("member__org")) | Q(counted_org__isnull=True)))
                | (~eligible & Q(counted_org__isnull=False))
                | (eligible & Q(counted_installed=False, installed_at__isnull=False))
                | Q(counted_installed=True, installed_at__isnull=True)
            )
            .select_related("member")
            .select_for_update(of=("self",))[:BATCH]
        )
        for activity in drifted:
            target = counting_org(activity.member)
            if activity.counted_org_id is not None:
                deltas[(activity.counted_org_id, ACTIVATED)] -= 1
                if activity.counted_installed:
                    deltas[(activity.counted_org_id, INSTALLED)] -= 1
            installed = target is not None and activity.installed_at is not None
            if target is not None:
                deltas[(target, ACTIVATED)] += 1
                if installed:
                    deltas[(target, INSTALLED)] += 1
            MemberActivity.objects.filter(pk=activity.pk).update(
                counted_org_id=target, counted_installed=installed
            )
            fixed += 1
        reads = (
            DocumentRead.objects.filter(studied_at__isnull=False)
            .filter(
                (eligible & (~Q(counted_org=F("member__org")) | Q(counted_org__isnull=True)))
                | (~eligible & Q(counted_org__isnull=False))
            )
            .select_related("member")
            .select_for_update(of=("self",))[:BATCH]
        )
        for read in reads:
            target = counting_org(read.member)
            key = studied_key(read.document_id)
            if read.counted_org_id is not None:
                deltas[(read.counted_org_id, key)] -= 1
            if target is not None:
                deltas[(target, key)] += 1
            DocumentRead.objects.filter(pk=read.pk).update(counted_org_id=target)
            fixed += 1
        counts_changed(deltas)
    return fixed


def counts_rebuilt() -> Iterator[tuple[tuple[int, str], int]]:
    """The handbook's counters as its rows record them (orgs.rollups.rollups_rebuild)."""
    activities = MemberActivity.objects.filter(counted_org__isnull=False).values_list(
        "counted_org_id", "counted_installed"
    )
    for org_id, installed in activities.iterator(chunk_size=20000):
        yield (org_id, ACTIVATED), 1
        if installed:
            yield (org_id, INSTALLED), 1
    reads = DocumentRead.objects.filter(counted_org__isnull=False).values_list(
        "counted_org_id", "document_id"
    )
    for org_id, document_id in reads.iterator(chunk_size=20000):
        yield (org_id, studied_key(document_id)), 1
