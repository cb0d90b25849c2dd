"""Adoption and study figures of organisations, from the subtree counters (orgs/rollups.py)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from orgs.models import Org
from orgs.rollups import counts_of

from .counting import ACTIVATED, INSTALLED, studied_key
from .models import MemberActivity


@dataclass(frozen=True)
class Share:
    """Of the members the handbook is for (active, not exempted), how many did something."""

    code: str
    name: str
    eligible: int
    done: int
    installed: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.eligible) if self.eligible else 0

    @property
    def exact(self) -> float:
        return 100 * self.done / self.eligible if self.eligible else 0.0

    @property
    def width(self) -> int:
        return min(100, self.percent)


def _eligible(counts: dict[str, int]) -> int:
    return max(0, counts.get("members", 0) - counts.get("exempt", 0))


def _children(org: Org) -> list[Org]:
    return list(
        Org.objects.filter(parent=org, status=Org.Status.ACTIVE)
        .only("id", "code", "name", "sort_name")
        .order_by("sort_name", "code")
    )


def shares(org: Org, key: str = ACTIVATED) -> tuple[Share, list[Share]]:
    """The organisation's own share and each active child's, for one counter key."""
    children = _children(org)
    keys = ["members", "exempt", key, INSTALLED]
    counts = counts_of([org.pk, *(c.pk for c in children)], keys)

    def share(o: Org) -> Share:
        c = counts.get(o.pk, {})
        return Share(o.code, o.name, _eligible(c), c.get(key, 0), c.get(INSTALLED, 0))

    return share(org), [share(child) for child in children]


@dataclass(frozen=True)
class Thresholds:
    units: int  # children with members the handbook is for
    above_low: int  # strictly above LOW percent
    at_high: int  # at or above HIGH percent
    low: int
    high: int


def thresholds(children: list[Share]) -> Thresholds:
    low, high = settings.PARTYORG_ADOPTION_LOW, settings.PARTYORG_ADOPTION_HIGH
    units = [c for c in children if c.eligible]
    return Thresholds(
        units=len(units),
        above_low=sum(1 for c in units if c.exact > low),
        at_high=sum(1 for c in units if c.exact >= high),
        low=low,
        high=high,
    )


def studied_shares(org: Org, document_id: int) -> tuple[Share, list[Share]]:
    return shares(org, studied_key(document_id))


@dataclass(frozen=True)
class Day:
    day: date
    total: int  # activated members by the end of the day (those counted in the subtree now)
    height: int  # percent of the chart's height


def activation_days(org: Org, days: int = 30) -> list[Day]:
    """Activated members of the subtree by day over the last `days` days (members counted in it
    now, by the day they first logged in)."""
    today = timezone.localdate()
    start = today - timedelta(days=days - 1)
    rows = MemberActivity.objects.filter(counted_org__path__startswith=org.path)
    before = rows.filter(activated_at__date__lt=start).count()
    per_day = dict(
        rows.filter(activated_at__date__gte=start)
        .annotate(day=TruncDate("activated_at"))
        .values_list("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    running = before
    totals = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        running += per_day.get(day, 0)
        totals.append((day, running))
    top = max((t for _d, t in totals), default=0) or 1
    return [Day(day, total, round(100 * total / top)) for day, total in totals]
