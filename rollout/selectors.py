"""Reads: sheets, officials, coverage per unit, difficulty queues and the FAQ, all through the
actor's scope (access.scope); 404 for not found and not allowed alike."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from access.models import Grant, Role
from access.scope import acts_as_superuser, can, granted_paths, scope_q
from lib.vn.text import fold
from orgs.models import Org
from orgs.rollups import counts_of
from orgs.selectors import org_children

from .coverage import EXPIRING_DAYS, KEY_COVERED, KEY_EDITOR, KEY_LOGGED_IN
from .models import Difficulty, FaqEntry, Official, SheetUpload

OPEN_STATUSES = (Difficulty.Status.OPEN, Difficulty.Status.ESCALATED, Difficulty.Status.ASKED)


def get_upload_for_user(actor: Any, upload_id: int) -> SheetUpload:
    """A sheet its uploader may check and apply (nobody else's)."""
    upload = SheetUpload.objects.filter(pk=upload_id, by_id=getattr(actor, "pk", None)).first()
    if upload is None or (not granted_paths(actor, Role.ADMIN) and not acts_as_superuser(actor)):
        raise Http404
    return upload


# Coverage ------------------------------------------------------------------------------------


@dataclass
class CoverageRow:
    org: Org
    units: int
    editor: int
    covered: int
    logged_in: int
    expiring: int

    @property
    def uncovered(self) -> int:
        return self.units - self.editor


def _expiring(paths: list[str]) -> dict[str, int]:
    """Current grants ending within 30 days under each path."""
    now = timezone.now()
    soon = now + timedelta(days=EXPIRING_DAYS)
    ends = list(
        Grant.objects.filter(revoked_at__isnull=True, expires_at__gt=now, expires_at__lte=soon)
        .filter(_under(paths, "org__path"))
        .values_list("org__path", flat=True)
    )
    return {path: sum(1 for end in ends if end.startswith(path)) for path in paths}


def _under(paths: list[str], field: str) -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def coverage_rows(orgs: list[Org]) -> list[CoverageRow]:
    counts = counts_of([o.pk for o in orgs], ["orgs", KEY_EDITOR, KEY_COVERED, KEY_LOGGED_IN])
    expiring = _expiring([o.path for o in orgs])
    return [
        CoverageRow(
            org=o,
            units=counts.get(o.pk, {}).get("orgs", 0),
            editor=counts.get(o.pk, {}).get(KEY_EDITOR, 0),
            covered=counts.get(o.pk, {}).get(KEY_COVERED, 0),
            logged_in=counts.get(o.pk, {}).get(KEY_LOGGED_IN, 0),
            expiring=expiring.get(o.path, 0),
        )
        for o in orgs
    ]


def coverage_of(org: Org) -> tuple[CoverageRow, list[CoverageRow]]:
    rows = coverage_rows([org, *org_children(org)])
    return rows[0], rows[1:]


def units_without_editor(org: Org, limit: int = 200) -> list[Org]:
    """Active units of the subtree where nobody may enter data (no current editor grant held at
    the unit), with their parent (whose contact is shown)."""
    return list(
        Org.objects.filter(path__startswith=org.path, status=Org.Status.ACTIVE)
        .exclude(coverage__has_editor=True)
        .select_related("parent")
        .order_by("path")[:limit]
    )


def expiring_grants(org: Org, limit: int = 200) -> list[Grant]:
    now = timezone.now()
    return list(
        Grant.objects.filter(
            org__path__startswith=org.path,
            revoked_at__isnull=True,
            expires_at__gt=now,
            expires_at__lte=now + timedelta(days=EXPIRING_DAYS),
        )
        .select_related("org", "user")
        .order_by("expires_at")[:limit]
    )


# Difficulties --------------------------------------------------------------------------------


def difficulties_visible_to(actor: Any) -> QuerySet[Difficulty]:
    """The actor's own reports, and those at desks where they answer (approver or above)."""
    if not getattr(actor, "is_authenticated", False):
        return Difficulty.objects.none()
    q = Q(reporter=actor) if granted_paths(actor) else Q(pk__in=[])
    # The desk answering now, and the province's desk after it escalated (it follows it).
    for field in ("desk__path", "province__path"):
        desks = scope_q(actor, Role.APPROVER, field=field)
        if desks is not None:
            q |= desks
    return Difficulty.objects.filter(q).select_related("reporter", "org", "desk", "province")


def get_difficulty_for_user(actor: Any, difficulty_id: int) -> Difficulty:
    difficulty = difficulties_visible_to(actor).filter(pk=difficulty_id).first()
    if difficulty is None:
        raise Http404
    return difficulty


def _at_desk(desk: Org) -> Q:
    return Q(desk__path__startswith=desk.path) | Q(province__path__startswith=desk.path)


def queue_of(desk: Org, status: str = "") -> QuerySet[Difficulty]:
    """The difficulties at this desk or the desks under it, and those they escalated."""
    rows = Difficulty.objects.filter(_at_desk(desk)).select_related("reporter", "org", "desk")
    if status == "overdue":
        rows = rows.filter(status__in=OPEN_STATUSES, due_at__lt=timezone.now())
    elif status:
        rows = rows.filter(status=status)
    return rows.order_by("due_at")


def queue_counts(desk: Org) -> dict[str, int]:
    rows = Difficulty.objects.filter(_at_desk(desk))
    now = timezone.now()
    return {
        "open": rows.filter(status=Difficulty.Status.OPEN).count(),
        "asked": rows.filter(status=Difficulty.Status.ASKED).count(),
        "escalated": rows.filter(status=Difficulty.Status.ESCALATED).count(),
        "overdue": rows.filter(status__in=OPEN_STATUSES, due_at__lt=now).count(),
        "answered": rows.filter(status=Difficulty.Status.ANSWERED).count(),
    }


# FAQ -----------------------------------------------------------------------------------------


def faq_visible_to(actor: Any, query: str = "") -> QuerySet[FaqEntry]:
    """Questions published by a desk at or above the actor's units (every level below sees
    them), and by desks inside the actor's subtrees; searched without diacritics."""
    roots = granted_paths(actor)
    if not roots:
        return FaqEntry.objects.none()
    q = Q(pk__in=[])
    for root in roots:
        q |= Q(org__path__in=[root[:end] for end in range(4, len(root) + 1, 4)])
        q |= Q(org__path__startswith=root)
    rows = FaqEntry.objects.filter(q).select_related("org")
    for word in fold(query).split()[:8]:
        rows = rows.filter(search__contains=word)
    return rows.order_by("-published_at")


def may_see_queue(actor: Any, org: Org) -> bool:
    return can(actor, org.path, Role.APPROVER)


def officials_manageable_by(actor: Any) -> QuerySet[Official]:
    """Officials holding a grant inside the subtrees the actor administers (all: superuser)."""
    if acts_as_superuser(actor):
        rows = Official.objects.all()
    else:
        q = scope_q(actor, Role.ADMIN, field="user__grants__org__path")
        if q is None:
            return Official.objects.none()
        rows = Official.objects.filter(q)
    return rows.distinct().select_related("user", "user__level2_login").order_by("-created_at")


def get_official_for_user(actor: Any, official_id: int) -> Official:
    official = officials_manageable_by(actor).filter(pk=official_id).first()
    if official is None:
        raise Http404
    return official
