"""Reads for the campaign dashboard: milestones done per level, late units, quality, history."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Max, QuerySet
from django.db.models.functions import Left
from django.utils import timezone

from access.models import Role
from access.scope import scope_q
from accounts.models import User
from cleaning.models import Batch
from members.record import complete_keys, complete_of
from orgs.models import Org
from orgs.rollups import counts_of
from orgs.selectors import org_children

from .models import Campaign, Milestone, MilestoneDone


@dataclass
class MilestoneFigures:
    milestone: Milestone
    expected: int
    done: int
    on_time: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.expected) if self.expected else 0

    @property
    def overdue(self) -> bool:
        return (
            self.milestone.counted
            and timezone.localdate() > self.milestone.due_on
            and self.done < self.expected
        )


@dataclass
class OrgFigures:
    org: Org
    milestones: list[MilestoneFigures]
    quality: dict[str, int] = field(default_factory=dict)
    last_submission: datetime | None = None  # the subtree's latest committed batch

    def share(self, key: str) -> int:
        """A quality count as a whole percentage of the members."""
        members = self.quality.get("members", 0)
        return round(100 * self.quality.get(key, 0) / members) if members else 0

    @property
    def complete_percent(self) -> int:
        return self.share("q_complete")

    @property
    def cccd_percent(self) -> int:
        return self.share("q_cccd_ok")


QUALITY_KEYS = ["members", "q.complete", "q.cccd_ok", "q.open_problems", "q.open_duplicates"]


def campaigns_for(user: User, org: Org) -> QuerySet[Campaign]:
    """Campaigns that cover `org` (their root is above it) or run inside its subtree."""
    ancestors = org.ancestor_paths()
    scope = scope_q(user, Role.VIEWER, field="root__path")
    inside = Campaign.objects.filter(root__path__startswith=org.path)
    above = Campaign.objects.filter(root__path__in=ancestors)
    if scope is None:
        return Campaign.objects.none()
    return (inside | above).distinct().select_related("root").order_by("-starts_on")


def figures_for(
    campaign: Campaign, orgs: list[Org], *, today: date | None = None
) -> list[OrgFigures]:
    """Milestones and quality of each organisation's subtree, from its counters alone.

    "Complete" depends on `today` (a probation over without an official date): it is the
    counter less the members whose probation ended by then (members.record.complete_of).
    """
    today = today or timezone.localdate()
    milestones = list(campaign.milestones.all())
    keys = [m.key(w) for m in milestones for w in ("expected", "done", "on_time")]
    keys += QUALITY_KEYS + complete_keys(today)
    counts = counts_of([o.id for o in orgs], keys)
    submitted = last_submissions(orgs)
    out = []
    for org in orgs:
        c = counts.get(org.id, {})
        out.append(
            OrgFigures(
                org=org,
                milestones=[
                    MilestoneFigures(
                        m,
                        c.get(m.key("expected"), 0),
                        c.get(m.key("done"), 0),
                        c.get(m.key("on_time"), 0),
                    )
                    for m in milestones
                ],
                quality={
                    **{k.replace(".", "_"): c.get(k, 0) for k in QUALITY_KEYS},
                    "q_complete": complete_of(c, today),
                },
                last_submission=submitted.get(org.id),
            )
        )
    return out


def children_figures(
    campaign: Campaign, org: Org, *, today: date | None = None
) -> list[OrgFigures]:
    children = [
        c
        for c in org_children(org)
        if c.path.startswith(campaign.root.path) or campaign.root.path.startswith(c.path)
    ]
    return [
        f
        for f in figures_for(campaign, children, today=today)
        if any(m.expected for m in f.milestones)
    ]


def late_units(campaign: Campaign, org: Org, *, limit: int = 200) -> list[dict[str, Any]]:
    """Units of `org`'s subtree that have passed a milestone's due date without reaching it."""
    today = timezone.localdate()
    due = [m for m in campaign.milestones.all() if m.due_on < today and m.counted]
    if not due:
        return []
    depth = campaign.root.depth + campaign.unit_depth
    units = (
        list(
            Org.objects.filter(path__startswith=org.path, depth=depth, status=Org.Status.ACTIVE)
            .filter(path__startswith=campaign.root.path)
            .order_by("sort_name")
        )
        if len(org.path) <= (depth + 1) * 4
        else [org]
    )
    done = defaultdict(set)
    for milestone_id, unit_id in MilestoneDone.objects.filter(
        milestone__in=due, unit__in=units
    ).values_list("milestone_id", "unit_id"):
        done[milestone_id].add(unit_id)
    out: list[dict[str, Any]] = []
    for unit in units:
        missed = [m for m in due if unit.id not in done[m.id]]
        if missed:
            out.append(
                {
                    "unit": unit,
                    "missed": missed,
                    "days_late": (today - min(m.due_on for m in missed)).days,
                }
            )
    out.sort(key=lambda row: (-row["days_late"], row["unit"].sort_name))
    return out[:limit]


def progress_series(campaign: Campaign, org: Org) -> dict[str, Any]:
    """Cumulative units done per day and milestone, for the chart."""
    start = campaign.starts_on
    end = min(campaign.ends_on, max(timezone.localdate(), start))
    days = [start.fromordinal(d) for d in range(start.toordinal(), end.toordinal() + 1)]
    series = []
    for milestone in campaign.milestones.all():
        per_day: dict[date, int] = defaultdict(int)
        for done_at in MilestoneDone.objects.filter(
            milestone=milestone, unit__path__startswith=org.path
        ).values_list("done_at", flat=True):
            per_day[timezone.localtime(done_at).date()] += 1
        running, points = 0, []
        for day in days:
            running += per_day.get(day, 0)
            points.append(running)
        series.append({"name": milestone.name, "data": points})
    return {"days": [d.strftime("%d/%m") for d in days], "series": series}


def _common_path(paths: list[str]) -> str:
    """The longest path all of `paths` lie under (paths are 4-character steps)."""
    first, last = min(paths), max(paths)  # what the first and last share, all share
    n = 0
    while n < len(first) and first[n : n + 4] == last[n : n + 4]:
        n += 4
    return first[:n]


def last_submissions(orgs: list[Org]) -> dict[int, datetime]:
    """When each organisation's subtree last had a batch committed, in one query per depth
    (a dashboard asks for one organisation and its children)."""
    out: dict[int, datetime] = {}
    by_length: defaultdict[int, dict[str, int]] = defaultdict(dict)
    for org in orgs:
        by_length[len(org.path)][org.path] = org.id
    for length, ids in by_length.items():
        rows = (
            Batch.objects.filter(
                org__path__startswith=_common_path(list(ids)),
                status=Batch.Status.COMMITTED,
            )
            .annotate(subtree=Left("org__path", length))
            .filter(subtree__in=list(ids))
            .values("subtree")
            .annotate(last=Max("committed_at"))
            .values_list("subtree", "last")
        )
        out.update({ids[subtree]: last for subtree, last in rows})
    return out
