"""Reads of correction requests, always scoped to the viewer: a member reads their own, an
official those of members in their granted subtrees."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from access.models import Role
from access.scope import Actor, can, own_member_id, scope_q
from orgs.models import Org
from orgs.rollups import counts_of

from .models import OPEN_STATUSES, Request, Status
from .policy import policy_on
from .services import DECIDED, OPENED, OVERDUE, REVIEW, WAITING


def requests_visible_to(actor: Actor) -> QuerySet[Request]:
    """Requests on members of the actor's subtrees (any step), or on the actor's own record."""
    q = scope_q(actor, Role.VIEWER, field="member__org_path")
    own = own_member_id(actor)
    if q is None and own is None:
        return Request.objects.none()
    if q is None:
        q = Q(member_id=own)
    elif own is not None:
        q |= Q(member_id=own)
    return Request.objects.filter(q)


def get_request_for_user(actor: Actor, request_id: int) -> Request:
    """The request if the actor may read it; 404 for missing and forbidden alike."""
    request = (
        requests_visible_to(actor)
        .select_related("member", "member__org", "org", "unit", "filed_by")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise Http404
    return request


def get_own_request(actor: Actor, request_id: int) -> Request:
    """One of the member's own requests (the handbook's pages); 404 otherwise."""
    own = own_member_id(actor)
    request = (
        Request.objects.select_related("member", "org").filter(pk=request_id, member_id=own).first()
        if own
        else None
    )
    if request is None:
        raise Http404
    return request


def handles(actor: Actor, request: Request) -> bool:
    """Whether the actor handles the request: enters data where it sits or where the member is."""
    return can(actor, request.org_path, Role.EDITOR) or can(
        actor, request.member.org_path, Role.EDITOR
    )


def may_see_attachment(actor: Actor, request: Request) -> bool:
    return request.member_id == own_member_id(actor) or handles(actor, request)


def own_requests(actor: Actor) -> list[Request]:
    own = own_member_id(actor)
    if own is None:
        return []
    return list(
        Request.objects.filter(member_id=own).select_related("org").order_by("-filed_at", "-id")
    )


def open_fields(member_id: int) -> set[str]:
    """The fields of a member's record with a request in progress (the handbook tags them)."""
    return set(
        Request.objects.filter(member_id=member_id, status__in=OPEN_STATUSES).values_list(
            "field", flat=True
        )
    )


def correctable_fields() -> frozenset[str]:
    """The fields a request may correct today (the policy in effect)."""
    return frozenset(policy_on(timezone.localdate()))


@dataclass
class QueueFilters:
    state: str = "review"  # review, waiting, overdue, open, decided
    field: str = ""
    older_than: int = 0  # days since filing
    unit: str = ""  # an organisation's code in the subtree


def queue(org: Org, filters: QueueFilters) -> QuerySet[Request]:
    """Requests sitting in the organisation's subtree (decided ones: of its members)."""
    if filters.state == "decided":
        rows = Request.objects.filter(member__org_path__startswith=org.path).exclude(
            status__in=OPEN_STATUSES
        )
    else:
        rows = Request.objects.filter(org_path__startswith=org.path)
        if filters.state == "waiting":
            rows = rows.filter(status=Status.WAITING)
        elif filters.state == "overdue":
            rows = rows.filter(status=Status.REVIEW, overdue=True)
        elif filters.state == "open":
            rows = rows.filter(status__in=OPEN_STATUSES)
        else:
            rows = rows.filter(status=Status.REVIEW)
    if filters.field:
        rows = rows.filter(field=filters.field)
    if filters.older_than:
        rows = rows.filter(filed_at__lt=timezone.now() - timedelta(days=filters.older_than))
    if filters.unit:
        unit = Org.objects.filter(code=filters.unit, path__startswith=org.path).first()
        rows = rows.filter(member__org_path__startswith=unit.path) if unit else rows.none()
    return rows.select_related("member", "org", "unit").order_by("filed_at", "id")


def queue_counts(org: Org) -> dict[str, int]:
    """The live figures of a subtree, from its counters (no scan of requests)."""
    counts = counts_of([org.id], [REVIEW, WAITING, OVERDUE, OPENED, DECIDED]).get(org.id, {})
    return {
        "review": counts.get(REVIEW, 0),
        "waiting": counts.get(WAITING, 0),
        "overdue": counts.get(OVERDUE, 0),
        "opened": counts.get(OPENED, 0),
        "decided": counts.get(DECIDED, 0),
    }


@dataclass(frozen=True, slots=True)
class UnitRow:
    code: str
    name: str
    opened: int
    decided: int
    overdue: int


def units_summary(org: Org) -> list[UnitRow]:
    """Per child unit: requests opened, decided and overdue (the campaign dashboard's section)."""
    children = list(
        Org.objects.filter(parent=org, status=Org.Status.ACTIVE)
        .order_by("sort_name", "code")
        .values_list("id", "code", "name")
    )
    counts = counts_of([c[0] for c in children], [OPENED, DECIDED, OVERDUE])
    return [
        UnitRow(
            code,
            name,
            counts.get(pk, {}).get(OPENED, 0),
            counts.get(pk, {}).get(DECIDED, 0),
            counts.get(pk, {}).get(OVERDUE, 0),
        )
        for pk, code, name in children
    ]
