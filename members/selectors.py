"""Reads of member records, always scoped to what the viewer may see."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Role, User
from accounts.selectors import can, scope_q
from orgs.models import Org
from orgs.rollups import counts_of

from .models import ACTIVE_STATUSES, FieldChange, Member, MemberEvent, Status
from .search import MemberSearch


@dataclass
class MemberFilters:
    q: str = ""
    status: str = "active"  # "active", "all", or one Status value
    sex: str = ""


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


def _search(org: Org, filters: MemberFilters) -> MemberSearch:
    q = filters.q.strip()
    digits = _cccd_digits(q)
    return MemberSearch(
        path=org.path,
        q="" if digits else q,
        cccd=digits,
        statuses=_statuses(filters.status),
        sex=filters.sex,
    )


def members_for(*, viewer: User, org: Org, filters: MemberFilters) -> QuerySet[Member]:
    """Members in `org`'s subtree that `viewer` may see, filtered, in Vietnamese name order."""
    scope = scope_q(viewer, Role.VIEWER, field="org__path")
    if scope is None or not can(viewer, org.path, Role.VIEWER):
        return Member.objects.none()
    # On PostgreSQL one GIN index answers "in this subtree, with these words" without touching
    # the rest of the country; SQLite has its own index of the list's filters (members.search).
    members = _search(org, filters).rows(Member.objects.all())
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


def members_found(*, viewer: User, org: Org, filters: MemberFilters) -> Found:
    """How many members `members_for` lists, without counting a large subtree's rows: a list
    without a search reads the subtree's counters, a search counts at most FOUND_AT_MOST + 1."""
    if scope_q(viewer, Role.VIEWER, field="org__path") is None or not can(
        viewer, org.path, Role.VIEWER
    ):
        return Found(0, exact=True)
    search = _search(org, filters)
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


def get_member_for_user(user: User, member_id: int | str, role: str = Role.VIEWER) -> Member:
    """A member the user may act on with `role`: within their grants, or themselves (read only)."""
    try:
        pk = int(member_id)
    except (TypeError, ValueError):
        raise Http404 from None
    member = Member.objects.filter(pk=pk).select_related("org", "temporary_org").first()
    if member is None:
        raise Http404
    if can(user, member.org.path, role):
        return member
    if role == Role.VIEWER and getattr(user, "member_id", None) == member.pk:
        return member
    raise Http404


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
