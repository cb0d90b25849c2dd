"""Reads of member records, always scoped to what the viewer may see."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Role, User
from accounts.selectors import can, scope_q
from orgs.models import Org

from .models import ACTIVE_STATUSES, FieldChange, Member, MemberEvent, Status
from .search import by_cccd, by_name, in_subtree


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


def members_for(*, viewer: User, org: Org, filters: MemberFilters) -> QuerySet[Member]:
    """Members in `org`'s subtree that `viewer` may see, filtered, in Vietnamese name order."""
    scope = scope_q(viewer, Role.VIEWER, field="org__path")
    if scope is None or not can(viewer, org.path, Role.VIEWER):
        return Member.objects.none()
    members = Member.objects.all()
    statuses = _statuses(filters.status)
    q = filters.q.strip()
    if digits := _cccd_digits(q):
        members = by_cccd(members, path=org.path, digits=digits, statuses=statuses, sex=filters.sex)
    elif q:
        # The subtree and the name in one condition: on PostgreSQL one GIN index answers "in
        # this subtree, with these words" without touching the rest of the country.
        members = by_name(members, path=org.path, q=q, statuses=statuses, sex=filters.sex)
    else:
        members = in_subtree(members, path=org.path, statuses=statuses, sex=filters.sex)
    return members.select_related("org").order_by("sort_key", "id")


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
