"""Campaigns: units, milestones, publishing the units that are done, and the live counts of who
is done (and on time)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from access.models import Role
from access.scope import can
from accounts.models import User
from audit.services import AuditContext, audit_log
from cleaning.models import REVIEWED, Batch, DuplicateCandidate
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
    ctx: AuditContext | None = None,
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
            ctx=ctx,
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
    """A batch of `org` was committed (with no blocking problem, or it could not have been) or
    cancelled: each campaign unit above it that has committed a batch and has none left
    unfinished has submitted its data ('submitted' milestones reached). A unit whose cells
    send their own files is done when the last of them is in, not at the first."""
    today = timezone.localtime(on).date()
    for milestone in Milestone.objects.filter(
        condition=Milestone.Condition.SUBMITTED, campaign__starts_on__lte=today
    ).select_related("campaign__root"):
        unit = unit_of(milestone.campaign, org)
        if unit is None:
            continue
        batches = Batch.objects.filter(org__path__startswith=unit.path)
        if batches.filter(status__in=UNFINISHED).exists():
            continue
        if batches.filter(status=Batch.Status.COMMITTED).exists():
            milestone_reached(milestone=milestone, unit=unit, at=on)


# Batches that have not reached the registry yet: while one of them is open, the unit is still at
# work (a failed or cancelled batch changed nothing, so it does not hold the unit back).
UNFINISHED = [
    Batch.Status.QUEUED,
    Batch.Status.PROCESSING,
    Batch.Status.REVIEW,
    Batch.Status.COMMITTING,
]


@dataclass
class UnitReadiness:
    unit: Org
    published: bool  # it has already reached every 'published' milestone of the campaign
    reasons: list[str] = field(default_factory=list)  # why it may not be published yet

    @property
    def ready(self) -> bool:
        return not self.published and not self.reasons


@dataclass
class PublishResult:
    published: list[Org]  # published by this call
    already: list[Org]  # published before: left as they were
    not_ready: list[UnitReadiness]  # each with its reasons


def units_readiness(campaign: Campaign, units: list[Org]) -> list[UnitReadiness]:
    """Whether each unit may be published, and if not, why (in the order of `units`).

    Read from the data itself, not from the live counters `q.open_problems` and
    `q.open_duplicates`: counters lag behind commits until the next fold (about a second with
    the worker), a publishing decision must see what is committed now, and a pair of records in
    two units counts only at their common ancestor, which would let both units through.
    """
    milestones = list(campaign.milestones.all())
    submitted = [m for m in milestones if m.condition == Milestone.Condition.SUBMITTED]
    published = [m for m in milestones if m.condition == Milestone.Condition.PUBLISHED]
    done: defaultdict[int, set[int]] = defaultdict(set)
    for unit_id, milestone_id in MilestoneDone.objects.filter(
        milestone__campaign=campaign
    ).values_list("unit_id", "milestone_id"):
        done[unit_id].add(milestone_id)
    # Paths of units have one length: a record's unit is the prefix of its path of that length.
    length = (campaign.root.depth + campaign.unit_depth + 1) * PATH_STEP
    root = campaign.root.path
    batches: defaultdict[str, int] = defaultdict(int)
    problems: defaultdict[str, int] = defaultdict(int)
    for path, status, summary in Batch.objects.filter(
        status__in=UNFINISHED, org__path__startswith=root
    ).values_list("org__path", "status", "summary"):
        batches[path[:length]] += 1
        if status in REVIEWED:
            problems[path[:length]] += sum(summary.values())
    # An open pair counts in every unit it touches: where it is decided, where the uploaded row
    # is, and where the member it may duplicate is.
    duplicates: defaultdict[str, int] = defaultdict(int)
    for paths in (
        DuplicateCandidate.objects.filter(decision=DuplicateCandidate.Decision.OPEN)
        .filter(
            Q(decider__path__startswith=root)
            | Q(batch__org__path__startswith=root)
            | Q(member_b__org__path__startswith=root)
        )
        .values_list("decider__path", "batch__org__path", "member_b__org__path")
    ):
        for unit_path in {p[:length] for p in paths if p and p.startswith(root)}:
            if len(unit_path) == length:
                duplicates[unit_path] += 1
    out = []
    for unit in units:
        reasons = [
            _("Chưa đạt mốc “%(name)s”: chưa ghi vào hồ sơ một lô dữ liệu sạch.") % {"name": m.name}
            for m in submitted
            if m.id not in done[unit.id]
        ]
        if n := batches[unit.path]:
            reasons.append(
                ngettext(
                    "Còn %(n)d lô dữ liệu đang xử lý hoặc chờ rà soát, chưa ghi vào hồ sơ.",
                    "Còn %(n)d lô dữ liệu đang xử lý hoặc chờ rà soát, chưa ghi vào hồ sơ.",
                    n,
                )
                % {"n": n}
            )
        if n := problems[unit.path]:
            reasons.append(
                ngettext("Còn %(n)d vấn đề chưa xử lý.", "Còn %(n)d vấn đề chưa xử lý.", n)
                % {"n": n}
            )
        if n := duplicates[unit.path]:
            reasons.append(
                ngettext(
                    "Còn %(n)d cặp nghi trùng chưa quyết định.",
                    "Còn %(n)d cặp nghi trùng chưa quyết định.",
                    n,
                )
                % {"n": n}
            )
        is_published = bool(published) and all(m.id in done[unit.id] for m in published)
        out.append(UnitReadiness(unit=unit, published=is_published, reasons=reasons))
    return out


def units_publish(
    *,
    campaign: Campaign,
    units: list[Org] | None,
    by: User,
    ctx: AuditContext | None = None,
) -> PublishResult:
    """The level above publishes the units that are done to the member handbook.

    Publishes every given unit (all units of the campaign when None) that is ready: it has
    reached the campaign's 'submitted' milestones, has no batch still in processing or review,
    and no open problem or undecided duplicate pair. Each reaches every 'published' milestone
    (on time or late by its due date) and is audited; the others are returned with their
    reasons. All or nothing, in one transaction; a unit already published is left alone, so
    publishing twice is harmless. Refused for anyone but an approver over the campaign's root,
    for a campaign without a 'published' milestone, and outside the campaign's period.
    """
    if not can(by, campaign.root.path, Role.APPROVER):
        raise ValidationError(
            {
                "by": _(
                    "Chỉ người có quyền phê duyệt tại %(org)s mới được tổng hợp và công bố dữ liệu của đợt."
                )
                % {"org": campaign.root.name}
            }
        )
    milestones = [
        m for m in campaign.milestones.all() if m.condition == Milestone.Condition.PUBLISHED
    ]
    if not milestones:
        raise ValidationError(
            {"campaign": _("Đợt này không có mốc tổng hợp và đồng bộ sang Sổ tay đảng viên.")}
        )
    today = timezone.localdate()
    if today > campaign.ends_on:
        raise ValidationError(
            {
                "campaign": _("Đợt đã kết thúc ngày %(date)s: không công bố thêm được nữa.")
                % {"date": campaign.ends_on.strftime("%d/%m/%Y")}
            }
        )
    if today < campaign.starts_on:
        raise ValidationError(
            {
                "campaign": _("Đợt bắt đầu ngày %(date)s: chưa công bố được.")
                % {"date": campaign.starts_on.strftime("%d/%m/%Y")}
            }
        )
    with transaction.atomic():
        # Two approvers publishing the same campaign at once take turns here (PostgreSQL).
        Campaign.objects.select_for_update().get(pk=campaign.pk)
        chosen = campaign_units(campaign)
        if units is not None:
            ids = {u.id for u in chosen}
            stray = [u for u in units if u.id not in ids]
            if stray:
                raise ValidationError(
                    {"units": _("%(org)s không phải đơn vị của đợt này.") % {"org": stray[0].name}}
                )
            wanted = {u.id for u in units}
            chosen = [u for u in chosen if u.id in wanted]
        result = PublishResult(published=[], already=[], not_ready=[])
        now = timezone.now()
        for readiness in units_readiness(campaign, chosen):
            if readiness.published:
                result.already.append(readiness.unit)
            elif readiness.reasons:
                result.not_ready.append(readiness)
            else:
                for milestone in milestones:
                    milestone_reached(milestone=milestone, unit=readiness.unit, at=now)
                audit_log(
                    actor=by,
                    action="campaign.publish",
                    object_type="campaign",
                    object_id=campaign.pk,
                    detail={"unit": readiness.unit.code, "milestones": [m.pk for m in milestones]},
                    ctx=ctx,
                )
                result.published.append(readiness.unit)
    return result


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
