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

from .models import ACTIVE_STATUSES, FieldChange, Member, MemberEvent
from .search import by_name


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


def members_for(*, viewer: Actor, org: Org, filters: MemberFilters) -> QuerySet[Member]:
    """Members in `org`'s subtree that `viewer` may see, filtered, in Vietnamese name order.

    A query of digits only is a CCCD: its first digits find people only for a viewer who sees
    full numbers there (access.scope.may_search_cccd_prefix); anyone else must type all 12.
    """
    if not can(viewer, org.path, Role.VIEWER):
        return Member.objects.none()
    members = Member.objects.all()
    q = filters.q.strip()
    digits = "".join(ch for ch in q if ch.isdigit())
    if q and len(digits) >= 4 and len(digits) == len(q.replace(" ", "")):
        members = members.filter(org_path__startswith=org.path)
        if len(digits) < 12 and may_search_cccd_prefix(viewer, org.path):
            members = members.filter(cccd__startswith=digits)
        else:
            members = members.filter(cccd=digits)
    elif q:
        # The subtree and the name in one condition: on PostgreSQL one GIN index answers "in
        # this subtree, with these words" without touching the rest of the country.
        members = by_name(members, path=org.path, q=q)
    else:
        members = members.filter(org_path__startswith=org.path)
    if filters.status == "active":
        members = members.filter(status__in=ACTIVE_STATUSES)
    elif filters.status and filters.status != "all":
        members = members.filter(status=filters.status)
    if filters.sex:
        members = members.filter(sex=filters.sex)
    return members.select_related("org").order_by("sort_key", "id")


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
