"""Reads of member records, always scoped to what the viewer may see."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from access.models import Role
from access.scope import (
    Actor,
    can,
    may_search_cccd_prefix,
    own_member_id,
    scope_q,
    sees_cccd,
)
from orgs.models import Org
from orgs.rollups import counts_of

from .models import ACTIVE_STATUSES, FieldChange, Member, MemberEvent, Status
from .search import MemberSearch


@dataclass
class MemberFilters:
    q: str = ""
    status: str = "active"  # "active", "all", or one Status value
    sex: str = ""


def members_visible_to(actor: Actor, role: str = Role.VIEWER) -> QuerySet[Member]:
    """Every member record `actor` may act on with `role`: the one start of every query over
    people. An official (or an API token) reaches the members of its granted subtrees; a member
    reads their own record, and nobody else's."""
    q = scope_q(actor, role, field="org_path")
    if q is not None:
        return Member.objects.filter(q)
    own = own_member_id(actor)
    if own is not None and role == Role.VIEWER:
        return Member.objects.filter(pk=own)
    return Member.objects.none()


def _statuses(status: str) -> frozenset[str] | None:
    """The statuses a list filter keeps: None for any; none at all for an unknown one."""
    if status == "active":
        return ACTIVE_STATUSES
    if status in ("all", ""):
        return None
    return frozenset({status}) & frozenset(Status.values)


def _cccd_digits(q: str) -> str:
    """The digits of a search typed as a CCCD (4 digits or more, spaces allowed), else ""."""
    digits = "".join(ch for ch in q if ch.isdigit())
    return digits if len(digits) >= 4 and len(digits) == len(q.replace(" ", "")) else ""


def _search(viewer: Actor, org: Org, filters: MemberFilters) -> MemberSearch:
    q = filters.q.strip()
    digits = _cccd_digits(q)
    return MemberSearch(
        path=org.path,
        q="" if digits else q,
        cccd=digits,
        # Only a viewer who sees full numbers finds people by their first digits: anyone else
        # would read masked digits back one query at a time (access.scope).
        cccd_prefix=may_search_cccd_prefix(viewer, org.path),
        statuses=_statuses(filters.status),
        sex=filters.sex,
    )


def members_for(*, viewer: Actor, org: Org, filters: MemberFilters) -> QuerySet[Member]:
    """Members in `org`'s subtree that `viewer` may see, filtered, in Vietnamese name order.

    A query of digits only is a CCCD: its first digits find people only for a viewer who sees
    full numbers there (access.scope.may_search_cccd_prefix); anyone else must type all 12.
    """
    if not can(viewer, org.path, Role.VIEWER):
        return Member.objects.none()
    # On PostgreSQL one GIN index answers "in this subtree, with these words" without touching
    # the rest of the country; SQLite has its own index of the list's filters (members.search).
    members = _search(viewer, org, filters).rows(Member.objects.all())
    return members.select_related("org").order_by("sort_key", "id")


# A search's count is exact up to this many; past it the list says "more than" (typing more
# narrows it down). A count reads at most this many rows (SQLite: entries of its search index for
# a name), at every keystroke: 10,000 made a CCCD prefix's count cost more than its page.
FOUND_AT_MOST = 1_000


@dataclass(frozen=True)
class Found:
    count: int
    exact: bool  # False: more than `count`


def _counter_key(statuses: frozenset[str] | None, sex: str) -> str | None:
    """The subtree counter (orgs.rollups) that counts a list without a search, if one does."""
    if statuses == ACTIVE_STATUSES:
        return f"sex.{sex}" if sex else "members"
    if statuses is not None and len(statuses) == 1 and statuses <= ACTIVE_STATUSES and not sex:
        return f"status.{next(iter(statuses))}"
    return None


def members_found(*, viewer: Actor, org: Org, filters: MemberFilters) -> Found:
    """How many members `members_for` lists, without counting a large subtree's rows: a list
    without a search reads the subtree's counters, a search counts at most FOUND_AT_MOST + 1."""
    if not can(viewer, org.path, Role.VIEWER):
        return Found(0, exact=True)
    search = _search(viewer, org, filters)
    key = None if search.q or search.cccd else _counter_key(search.statuses, search.sex)
    if key is not None:
        return Found(counts_of([org.id], [key]).get(org.id, {}).get(key, 0), exact=True)
    count = search.count(Member.objects.all(), at_most=FOUND_AT_MOST)
    return Found(min(count, FOUND_AT_MOST), exact=count <= FOUND_AT_MOST)


def page_of(rows: QuerySet[Any], *, page: int, size: int) -> tuple[list[Any], bool]:
    """One page without COUNT(*): fetch one row more than needed to know if there is a next."""
    page = max(page, 1)
    items = list(rows[(page - 1) * size : page * size + 1])
    return items[:size], len(items) > size


def get_member_for_user(actor: Actor, member_id: int | str, role: str = Role.VIEWER) -> Member:
    """A member the actor may act on with `role`: within its grants, or itself (read only).
    Not found and not allowed are both 404."""
    try:
        pk = int(member_id)
    except (TypeError, ValueError):
        raise Http404 from None
    member = (
        members_visible_to(actor, role).filter(pk=pk).select_related("org", "temporary_org").first()
    )
    if member is None:
        raise Http404
    return member


def sees_cccd_of(actor: Actor, member: Member) -> bool:
    """Whether `actor` reads this member's full CCCD (else it is shown masked)."""
    return sees_cccd(actor, member.org_path, member_id=member.pk)


def member_events(member: Member) -> list[MemberEvent]:
    return list(
        MemberEvent.objects.filter(member=member).select_related("org", "by").order_by("-on", "-id")
    )


def member_history(member: Member) -> list[FieldChange]:
    return list(
        FieldChange.objects.filter(member=member).select_related("by").order_by("-at", "-id")
    )


def provenance_of(member: Member) -> dict[str, FieldChange]:
    """For each field, the change that set its current value (the creation row otherwise)."""
    result: dict[str, FieldChange] = {}
    creation = None
    for change in FieldChange.objects.filter(member=member).order_by("at", "id"):
        if change.field == "*":
            creation = change
        else:
            result[change.field] = change
    if creation is not None:
        result["*"] = creation
    return result
