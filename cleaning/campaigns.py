"""Campaigns: units, milestones, and the live counts of who is done (and on time)."""

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_log
from orgs.models import PATH_STEP, Org
from orgs.rollups import counts_changed

from .models import Campaign, Milestone, MilestoneDone


def campaign_units(campaign: Campaign) -> list[Org]:
    depth = campaign.root.depth + campaign.unit_depth
    return list(
        Org.objects.filter(
            path__startswith=campaign.root.path, depth=depth, status=Org.Status.ACTIVE
        ).order_by("path")
    )


def campaign_create(
    *,
    root: Org,
    name: str,
    starts_on: date,
    ends_on: date,
    milestones: list[tuple[str, date, str]],
    unit_depth: int = 1,
    by: Any = None,
    request: HttpRequest | None = None,
) -> Campaign:
    """Open a campaign; every unit is expected to reach every milestone."""
    if not name.strip():
        raise ValidationError({"name": _("Tên đợt không được để trống.")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("Ngày kết thúc không được trước ngày bắt đầu.")})
    if not milestones:
        raise ValidationError({"milestones": _("Cần ít nhất một mốc.")})
    for _name, due, condition in milestones:
        if condition not in Milestone.Condition.values:
            raise ValidationError({"milestones": _("Điều kiện của mốc không hợp lệ.")})
        if not starts_on <= due <= ends_on:
            raise ValidationError(
                {"milestones": _("Hạn của mốc phải nằm trong thời gian của đợt.")}
            )
    with transaction.atomic():
        campaign = Campaign.objects.create(
            root=root,
            name=name.strip(),
            starts_on=starts_on,
            ends_on=ends_on,
            unit_depth=unit_depth,
            created_by=by if getattr(by, "is_authenticated", False) else None,
        )
        units = campaign_units(campaign)
        if not units:
            raise ValidationError({"unit_depth": _("Không có đơn vị nào ở cấp này.")})
        deltas: defaultdict[tuple[int, str], int] = defaultdict(int)
        for order, (label, due, condition) in enumerate(milestones, start=1):
            milestone = Milestone.objects.create(
                campaign=campaign, order=order, name=label, due_on=due, condition=condition
            )
            for unit in units:
                deltas[(unit.id, milestone.key("expected"))] += 1
        counts_changed(deltas)
        audit_log(
            actor=by,
            action="campaign.create",
            object_type="campaign",
            object_id=campaign.pk,
            detail={"root": root.code, "units": len(units)},
            request=request,
        )
    return campaign


def unit_of(campaign: Campaign, org: Org) -> Org | None:
    """The campaign unit that `org` belongs to (itself or an ancestor), if any."""
    if not org.path.startswith(campaign.root.path):
        return None
    length = (campaign.root.depth + campaign.unit_depth + 1) * PATH_STEP
    if len(org.path) < length:
        return None
    return Org.objects.filter(path=org.path[:length]).first()


def milestone_reached(*, milestone: Milestone, unit: Org, at: datetime) -> bool:
    """Record that a unit reached a milestone; the first time only. Returns whether it was new."""
    if MilestoneDone.objects.filter(milestone=milestone, unit=unit).exists():
        return False
    on_time = timezone.localtime(at).date() <= milestone.due_on
    MilestoneDone.objects.create(milestone=milestone, unit=unit, done_at=at, on_time=on_time)
    deltas = {(unit.id, milestone.key("done")): 1}
    if on_time:
        deltas[(unit.id, milestone.key("on_time"))] = 1
    counts_changed(deltas)
    return True


def unit_submitted(*, org: Org, on: datetime) -> None:
    """A batch of `org` was committed with no blocking problem: 'submitted' milestones reached."""
    today = timezone.localtime(on).date()
    for milestone in Milestone.objects.filter(
        condition=Milestone.Condition.SUBMITTED, campaign__starts_on__lte=today
    ).select_related("campaign__root"):
        unit = unit_of(milestone.campaign, org)
        if unit is not None:
            milestone_reached(milestone=milestone, unit=unit, at=on)


def rebuild_counts() -> list[tuple[tuple[int, str], int]]:
    """Milestone counters recomputed from the data (for `partyorg rollups rebuild`)."""
    out: list[tuple[tuple[int, str], int]] = []
    for campaign in Campaign.objects.select_related("root"):
        units = campaign_units(campaign)
        for milestone in campaign.milestones.all():
            out += [((u.id, milestone.key("expected")), 1) for u in units]
            for done in MilestoneDone.objects.filter(milestone=milestone):
                out.append(((done.unit_id, milestone.key("done")), 1))
                if done.on_time:
                    out.append(((done.unit_id, milestone.key("on_time")), 1))
    return out
