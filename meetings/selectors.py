"""Reads of meetings, scoped to what the viewer may see: officials the meetings of the cells in
their subtrees, a member the meetings of their own cell, and nothing else."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from access.models import Role
from access.scope import Actor, own_member_id, scope_q
from core.http import MAX_DB_INT
from members.models import ACTIVE_STATUSES, Member
from orgs.models import PATH_STEP, Org
from orgs.rollups import counts_of

from .models import Attendance, Meeting, MeetingDocument, Vote
from .services import MEETING_KINDS

ATTENDANCE_KEYS = ("mt.held", "mt.invited", "mt.present", "mt.excused", "mt.unexcused")


def own_member(actor: Actor) -> Member | None:
    """The actor's own member record, if it is an active member."""
    member_id = own_member_id(actor)
    if member_id is None:
        return None
    if "_own_member" not in actor.__dict__:
        actor.__dict__["_own_member"] = Member.objects.filter(
            pk=member_id, status__in=ACTIVE_STATUSES
        ).first()
    member: Member | None = actor.__dict__["_own_member"]
    return member


def _cell_paths(member: Member) -> list[str]:
    """The paths of the organisations the member belongs to: their cell and every one above."""
    path = member.org_path
    return [path[:end] for end in range(PATH_STEP, len(path) + 1, PATH_STEP)]


def _pk(value: int | str) -> int:
    """An id from a URL: a number the database can hold, else no page (404)."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < pk <= MAX_DB_INT:
        raise Http404
    return pk


def meetings_visible_to(actor: Actor, role: str = Role.VIEWER) -> QuerySet[Meeting]:
    """Every meeting `actor` may see (VIEWER) or run (EDITOR): the one start of every query over
    meetings. A member sees the meetings of their own cell, never another's."""
    q = scope_q(actor, role, field="cell__path")
    if role == Role.VIEWER and (member := own_member(actor)) is not None:
        own = Q(cell__path__in=_cell_paths(member))
        q = own if q is None else q | own
    if q is None:
        return Meeting.objects.none()
    return Meeting.objects.filter(q)


def get_meeting_for_user(actor: Actor, meeting_id: int | str, role: str = Role.VIEWER) -> Meeting:
    """A meeting the actor may see (or run, with EDITOR); 404 for not found and not allowed."""
    pk = _pk(meeting_id)
    meeting = meetings_visible_to(actor, role).filter(pk=pk).select_related("cell").first()
    if meeting is None:
        raise Http404
    return meeting


def get_vote_for_user(actor: Actor, vote_id: int | str, role: str = Role.VIEWER) -> Vote:
    pk = _pk(vote_id)
    vote = (
        Vote.objects.filter(pk=pk, meeting__in=meetings_visible_to(actor, role))
        .select_related("meeting__cell")
        .first()
    )
    if vote is None:
        raise Http404
    return vote


def get_document_for_user(actor: Actor, document_id: int | str) -> MeetingDocument:
    pk = _pk(document_id)
    document = (
        MeetingDocument.objects.filter(pk=pk, meeting__in=meetings_visible_to(actor))
        .select_related("meeting")
        .first()
    )
    if document is None:
        raise Http404
    return document


def member_meetings(member: Member) -> tuple[list[Meeting], list[Meeting]]:
    """A member's meetings: those coming up (soonest first) and the last twelve held."""
    meetings = Meeting.objects.filter(cell__path__in=_cell_paths(member)).select_related("cell")
    upcoming = list(
        meetings.filter(status=Meeting.Status.SCHEDULED).order_by("starts_at", "id")[:20]
    )
    past = list(meetings.filter(status=Meeting.Status.CLOSED).order_by("-starts_at", "-id")[:12])
    return upcoming, past


def next_meeting(member: Member) -> Meeting | None:
    """The member's next meeting that has not been closed (for the handbook's home page)."""
    upcoming, _past = member_meetings(member)
    return upcoming[0] if upcoming else None


def cell_meetings(cell: Org) -> list[Meeting]:
    return list(Meeting.objects.filter(cell=cell).order_by("-starts_at", "-id")[:50])


def attendance_of(meeting: Meeting) -> list[Attendance]:
    return list(
        Attendance.objects.filter(meeting=meeting)
        .select_related("member")
        .order_by("member__sort_key", "member_id")
    )


@dataclass
class AttendanceFigures:
    org: Org
    held: int
    invited: int
    present: int
    excused: int
    unexcused: int
    cells: int
    cells_met: int  # cells that held a meeting this month
    cells_met_before: int  # … and last month

    @property
    def rate(self) -> float | None:
        """Share of the invited who were present, in percent."""
        return 100 * self.present / self.invited if self.invited else None

    @property
    def cells_rate(self) -> float | None:
        return 100 * self.cells_met / self.cells if self.cells else None


def attendance_figures(orgs: list[Org], now: datetime | None = None) -> list[AttendanceFigures]:
    """Attendance at every level, read from the subtree counters (never from the meetings)."""
    today = timezone.localtime(now or timezone.now()).date()
    month = today.strftime("%Y-%m")
    before = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    cell_keys = [f"orgs.{kind}" for kind in MEETING_KINDS]
    keys = [*ATTENDANCE_KEYS, *cell_keys, f"mt.cells.{month}", f"mt.cells.{before}"]
    counts = counts_of([o.id for o in orgs], keys)
    out = []
    for org in orgs:
        c = counts.get(org.id, {})
        out.append(
            AttendanceFigures(
                org=org,
                held=c.get("mt.held", 0),
                invited=c.get("mt.invited", 0),
                present=c.get("mt.present", 0),
                excused=c.get("mt.excused", 0),
                unexcused=c.get("mt.unexcused", 0),
                cells=sum(c.get(k, 0) for k in cell_keys),
                cells_met=c.get(f"mt.cells.{month}", 0),
                cells_met_before=c.get(f"mt.cells.{before}", 0),
            )
        )
    return out
