"""Reads of import batches and duplicates, scoped to the viewer's grants."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from access.models import Role
from access.scope import can, scope_q
from accounts.models import User
from lib.cleaning.rules import RULES
from members.models import Member
from orgs.models import Org

from .display import rule_title, severity_word
from .models import Batch, BatchRow, DuplicateCandidate


def batches_of(org: Org) -> QuerySet[Batch]:
    return (
        Batch.objects.filter(org__path__startswith=org.path)
        .select_related("org", "created_by")
        .order_by("-created_at")
    )


def get_batch_for_user(user: User, batch_id: int, role: str = Role.VIEWER) -> Batch:
    batch = Batch.objects.filter(pk=batch_id).select_related("org").first()
    if batch is None or not can(user, batch.org.path, role):
        raise Http404
    return batch


def get_row_for_user(user: User, batch: Batch, row_id: int) -> BatchRow:
    row = (
        BatchRow.objects.filter(pk=row_id, batch=batch).select_related("file", "batch__org").first()
    )
    if row is None:
        raise Http404
    return row


def batch_rows(
    batch: Batch, *, code: str = "", severity: str = "", file_id: int | None = None
) -> QuerySet[BatchRow]:
    rows = (
        BatchRow.objects.filter(batch=batch)
        .select_related("file", "member")
        .order_by("file_id", "row_number")
    )
    if severity == "error":
        rows = rows.filter(errors__gt=0)
    elif severity == "warning":
        rows = rows.filter(warnings__gt=0)
    elif severity == "ok":
        rows = rows.filter(errors=0, warnings=0)
    if file_id:
        rows = rows.filter(file_id=file_id)
    if code:
        # JSON containment differs between backends; a text match on the code is portable.
        rows = rows.filter(problems__icontains=f'"{code}"')
    return rows


def rule_summary(batch: Batch) -> list[dict[str, Any]]:
    """Open problems of a batch grouped by rule, most frequent first."""
    out = []
    for code, count in sorted(batch.summary.items(), key=lambda item: -item[1]):
        info = RULES.get(code)
        out.append(
            {
                "code": code,
                "count": count,
                "severity": info.severity if info else "warning",
                "title": rule_title(code),
                # The command line prints both languages (cleaning/management/commands/import).
                "title_en": info.title_en if info else code,
                "severity_word": severity_word(info.severity if info else "warning"),
            }
        )
    return out


def candidates_for(user: User, org: Org) -> QuerySet[DuplicateCandidate]:
    """Open duplicate candidates that `org`'s subtree must decide, within the user's grants."""
    scope = scope_q(user, Role.EDITOR, field="decider__path")
    if scope is None:
        return DuplicateCandidate.objects.none()
    return (
        DuplicateCandidate.objects.filter(
            scope, decider__path__startswith=org.path, decision=DuplicateCandidate.Decision.OPEN
        )
        .select_related("row_a__file", "row_b__file", "member_b__org", "decider", "batch")
        .order_by("-score", "id")
    )


def pairs_to_follow(org: Org) -> QuerySet[DuplicateCandidate]:
    """Open pairs between `org`'s subtree and another unit, decided above it (a transfer never
    closed): the unit that uploaded the person and the unit that holds them both follow them.
    The caller has checked that the user may see `org`."""
    involved = Q(batch__org__path__startswith=org.path) | Q(member_b__org_path__startswith=org.path)
    return (
        DuplicateCandidate.objects.filter(involved, decision=DuplicateCandidate.Decision.OPEN)
        .exclude(decider__path__startswith=org.path)
        .select_related("row_a__file", "member_b__org", "decider", "batch__org")
        .order_by("-score", "id")
    )


def get_candidate_for_user(user: User, candidate_id: int) -> DuplicateCandidate:
    candidate = (
        DuplicateCandidate.objects.filter(pk=candidate_id)
        .select_related("decider", "row_a__file", "row_b__file", "member_b__org", "batch__org")
        .first()
    )
    if candidate is None:
        raise Http404
    # Both units see it; the nearest common ancestor (an editor there or above) decides.
    visible = can(user, candidate.decider.path, Role.VIEWER) or (
        candidate.batch is not None and can(user, candidate.batch.org.path, Role.VIEWER)
    )
    if candidate.member_b is not None:
        visible = visible or can(user, candidate.member_b.org.path, Role.VIEWER)
    if not visible:
        raise Http404
    return candidate


def with_created_members(batch: Batch, rows: list[BatchRow]) -> list[BatchRow]:
    """Rows of a committed batch with the members they created, found by CCCD.

    A commit does not go back to write the new member's id into each of its rows (that would
    rewrite every row of the batch once more); the CCCD the row was committed under finds it.
    """
    if batch.status != Batch.Status.COMMITTED:
        return rows
    wanted = {r.values.get("cccd"): r for r in rows if r.member_id is None and not r.skipped}
    wanted.pop(None, None)
    wanted.pop("", None)
    for member in Member.objects.filter(cccd__in=list(wanted)):
        wanted[member.cccd].member = member
    return rows
