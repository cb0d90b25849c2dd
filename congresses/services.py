"""Every change to a term or a congress: the row, its timeline, its counters and its audit row,
in one transaction. Who may do what is checked here (access.scope), so pages, the API and
commands cannot differ."""

import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from access.models import ROLE_RANK, Grant, Role
from access.scope import Actor, can
from audit.services import AuditContext, actor_user, audit_log
from core.live import publish
from members.models import ACTIVE_STATUSES, Member
from notices.services import notify
from orgs.models import Org
from orgs.rollups import counts_changed

from .counts import PersonFacts, congress_counts, counts_delta, reached
from .models import (
    CONGRESS_KINDS,
    STEP_ORDER,
    TIER_OF_KIND,
    Congress,
    Person,
    ProgressUpdate,
    Step,
    Target,
    Term,
    Tier,
    TierSchedule,
)
from .selectors import approving_org, may_approve, may_update

# A congress's results may be entered this many days after the term's last congress date (some
# are reported late), and a plan no earlier than this before the term's first year.
MAX_SURPLUS = Decimal("0.30")


def _refuse(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _may(actor: Actor, org: Org, role: str) -> bool:
    return can(actor, org.path, role)


# -- Terms -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TierDates:
    tier: str
    starts_on: date
    deadline: date


def _check_schedule(first_year: int, last_year: int, schedule: Sequence[TierDates]) -> None:
    seen: set[str] = set()
    for item in schedule:
        if item.tier not in Tier.values:
            raise _refuse("schedule", _("Cấp đại hội không hợp lệ."))
        if item.tier in seen:
            raise _refuse("schedule", _("Mỗi cấp chỉ có một lịch."))
        seen.add(item.tier)
        if item.deadline < item.starts_on:
            raise _refuse(
                f"deadline_{item.tier}",
                _("Hạn hoàn thành của %(tier)s trước ngày bắt đầu.")
                % {"tier": Tier(item.tier).label},
            )
        if not first_year - 1 <= item.starts_on.year <= first_year + 1:
            raise _refuse(
                f"starts_on_{item.tier}",
                _("Lịch đại hội phải nằm quanh năm đầu nhiệm kỳ (%(year)s).")
                % {"year": first_year},
            )
    order = [t.value for t in Tier]
    dated = sorted(schedule, key=lambda s: order.index(s.tier))
    for lower, higher in itertools.pairwise(dated):
        if higher.deadline < lower.deadline:
            raise _refuse(
                f"deadline_{higher.tier}",
                _(
                    "Đại hội tiến hành từ dưới lên: hạn của %(higher)s không thể trước hạn của %(lower)s."
                )
                % {"higher": Tier(higher.tier).label, "lower": Tier(lower.tier).label},
            )


def term_create(
    *,
    by: Actor,
    organiser: Org,
    name: str,
    first_year: int,
    last_year: int,
    schedule: Sequence[TierDates],
    report_within_days: int = 7,
    ctx: AuditContext | None = None,
) -> Term:
    """Open a term: its schedule, and one congress for every organisation below the organiser
    that holds one (each counted at once, so every dashboard knows how many to expect)."""
    if not _may(by, organiser, Role.ADMIN):
        raise _refuse(
            "organiser", _("Bạn không có quyền mở nhiệm kỳ tại %(org)s.") % {"org": organiser.name}
        )
    name = (name or "").strip()
    if not name:
        raise _refuse("name", _("Hãy đặt tên nhiệm kỳ, ví dụ: Nhiệm kỳ 2025–2030."))
    if not 1930 <= first_year < last_year <= first_year + 10:
        raise _refuse("last_year", _("Năm cuối nhiệm kỳ phải sau năm đầu, không quá 10 năm."))
    if not 1 <= report_within_days <= 90:
        raise _refuse("report_within_days", _("Hạn báo cáo kết quả từ 1 đến 90 ngày."))
    _check_schedule(first_year, last_year, schedule)
    with transaction.atomic():
        term = Term.objects.create(
            name=name[:64],
            first_year=first_year,
            last_year=last_year,
            organiser=organiser,
            report_within_days=report_within_days,
            created_by=actor_user(by),
        )
        TierSchedule.objects.bulk_create(
            TierSchedule(term=term, tier=s.tier, starts_on=s.starts_on, deadline=s.deadline)
            for s in schedule
        )
        orgs = Org.objects.filter(
            path__startswith=organiser.path, status=Org.Status.ACTIVE, kind__in=CONGRESS_KINDS
        ).values_list("id", "kind")
        deltas: defaultdict[tuple[int, str], int] = defaultdict(int)
        rows = []
        for org_id, kind in orgs.iterator(chunk_size=20000):
            congress = Congress(term=term, org_id=org_id, tier=TIER_OF_KIND[kind])
            rows.append(congress)
            for key, value in congress_counts(congress, ()).items():
                deltas[(org_id, key)] += value
        Congress.objects.bulk_create(rows, batch_size=5000)
        counts_changed(deltas)
        audit_log(
            actor=by,
            action="term.create",
            object_type="term",
            object_id=term.pk,
            detail={"name": term.name, "organiser": organiser.code, "congresses": len(rows)},
            ctx=ctx,
        )
    return term


def schedule_set(
    *, by: Actor, term: Term, schedule: Sequence[TierDates], ctx: AuditContext | None = None
) -> Term:
    """Move the dates of one or more waves after the term opened (the organising level's
    admins): each start no later than its deadline and within the term's years, the whole
    schedule still bottom-up. A deadline moved later takes back the lateness it caused; one
    moved earlier makes units late on the worker's next look (congresses_mark_late)."""
    if not _may(by, term.organiser, Role.ADMIN):
        raise _refuse("term", _("Chỉ cấp tổ chức nhiệm kỳ mới sửa được lịch đại hội."))
    window = (date(term.first_year - 1, 1, 1), date(term.last_year, 12, 31))
    for item in schedule:
        if item.tier not in Tier.values:
            raise _refuse("tier", _("Cấp đại hội không hợp lệ."))
        for name, day in (("starts_on", item.starts_on), ("deadline", item.deadline)):
            if not isinstance(day, date):
                raise _refuse(f"{name}_{item.tier}", _("Ngày không hợp lệ (dd/mm/yyyy)."))
            if not window[0] <= day <= window[1]:
                raise _refuse(
                    f"{name}_{item.tier}",
                    _("Ngày phải trong các năm của nhiệm kỳ (%(a)s – %(b)s).")
                    % {"a": window[0].strftime("%d/%m/%Y"), "b": window[1].strftime("%d/%m/%Y")},
                )
    with transaction.atomic():
        Term.objects.select_for_update().filter(pk=term.pk).first()
        merged = {s.tier: TierDates(s.tier, s.starts_on, s.deadline) for s in term.schedule.all()}
        before = {tier: (d.starts_on, d.deadline) for tier, d in merged.items()}
        merged.update({item.tier: item for item in schedule})
        _check_schedule(term.first_year, term.last_year, list(merged.values()))
        changed = {
            item.tier: item
            for item in schedule
            if before.get(item.tier) != (item.starts_on, item.deadline)
        }
        for item in changed.values():
            TierSchedule.objects.update_or_create(
                term=term,
                tier=item.tier,
                defaults={"starts_on": item.starts_on, "deadline": item.deadline},
            )
        _unlate(term, {tier: item.deadline for tier, item in changed.items()})
        audit_log(
            actor=by,
            action="term.schedule",
            object_type="term",
            object_id=term.pk,
            detail={
                "tiers": {
                    tier: [item.starts_on.isoformat(), item.deadline.isoformat()]
                    for tier, item in changed.items()
                },
                "before": {
                    tier: [d.isoformat() for d in before[tier]]
                    for tier in changed
                    if tier in before
                },
            },
            ctx=ctx,
        )
    return term


def _unlate(term: Term, deadlines: Mapping[str, date]) -> None:
    """The late congresses of waves whose deadline moved, no longer late under it: unmarked,
    with their counters."""
    if not deadlines:
        return
    today = timezone.localdate()
    deltas: defaultdict[tuple[int, str], int] = defaultdict(int)
    cleared = []
    rows = Congress.objects.select_for_update(of=("self",)).filter(
        term=term, tier__in=list(deadlines), late=True
    )
    for congress in rows.iterator(chunk_size=5000):
        congress.term = term
        if is_late(
            congress,
            today=today,
            deadline=deadlines[congress.tier],
            report_within=term.report_within_days,
        ):
            continue
        before = congress_counts(congress, ())
        congress.late = False
        for key, value in counts_delta(before, congress_counts(congress, ())).items():
            deltas[(congress.org_id, key)] += value
        cleared.append(congress.pk)
    Congress.objects.filter(pk__in=cleared).update(late=False)
    counts_changed(deltas)


def congress_ensure(*, term: Term, org: Org) -> Congress:
    """The congress of an organisation founded after its term opened (created, and counted)."""
    congress = Congress.objects.filter(term=term, org=org).first()
    if congress is not None:
        return congress
    if org.kind not in CONGRESS_KINDS or not org.path.startswith(term.organiser.path):
        raise _refuse("org", _("Tổ chức này không tổ chức đại hội trong nhiệm kỳ."))
    with transaction.atomic():
        congress, created = Congress.objects.get_or_create(
            term=term, org=org, defaults={"tier": TIER_OF_KIND[org.kind]}
        )
        if created:
            _count(congress, {}, congress_counts(congress, ()))
    return congress


def target_set(
    *, by: Actor, term: Term, org: Org, key: str, percent: Any, ctx: AuditContext | None = None
) -> Target:
    """A level's target for its subtree (a lower level's own target overrides it below)."""
    if key not in Target.Key.values:
        raise _refuse("key", _("Chỉ tiêu không hợp lệ."))
    if not _may(by, org, Role.ADMIN) or not org.path.startswith(term.organiser.path):
        raise _refuse("org", _("Bạn không có quyền đặt chỉ tiêu tại %(org)s.") % {"org": org.name})
    try:
        value = Decimal(str(percent).replace(",", "."))
    except InvalidOperation:
        raise _refuse("percent", _("Tỷ lệ phải là một số, ví dụ 15 hoặc 12,5.")) from None
    if not Decimal(0) <= value <= Decimal(100):
        raise _refuse("percent", _("Tỷ lệ phải từ 0 đến 100."))
    with transaction.atomic():
        target, _created = Target.objects.update_or_create(
            term=term, org=org, key=key, defaults={"percent": value, "set_by": actor_user(by)}
        )
        audit_log(
            actor=by,
            action="congress.target",
            object_type="org",
            object_id=org.code,
            detail={"term": term.pk, "key": key, "percent": str(value)},
            ctx=ctx,
        )
    return target


# -- Lateness --------------------------------------------------------------------------------


def deadline_of(congress: Congress) -> date | None:
    return (
        TierSchedule.objects.filter(term=congress.term_id, tier=congress.tier)
        .values_list("deadline", flat=True)
        .first()
    )


def is_late(congress: Congress, *, today: date, deadline: date | None, report_within: int) -> bool:
    """Late: its planned date (or its wave's deadline) passed before it was held, or its results
    were not reported within the term's allowance after it was held."""
    if not reached(congress.step, Step.HELD):
        due = [d for d in (congress.planned_on, deadline) if d is not None]
        return bool(due) and min(due) < today
    if not reached(congress.step, Step.REPORTED):
        held = congress.held_on or today
        return held + timedelta(days=report_within) < today
    return False


def late_reason(congress: Congress, *, deadline: date | None, report_within: int) -> str:
    """Why a late congress is late, in a sentence for its parent's officials."""
    if not reached(congress.step, Step.HELD):
        due = [d for d in (congress.planned_on, deadline) if d is not None]
        when = min(due).strftime("%d/%m/%Y") if due else ""
        if congress.planned_on is not None and congress.planned_on == min(due):
            return _("Đã quá ngày dự kiến %(day)s mà chưa tổ chức đại hội.") % {"day": when}
        return _("Đã quá hạn hoàn thành %(day)s của cấp mà chưa tổ chức đại hội.") % {"day": when}
    held = congress.held_on.strftime("%d/%m/%Y") if congress.held_on else ""
    return _("Đã tổ chức đại hội ngày %(day)s nhưng chưa báo cáo kết quả sau %(n)d ngày.") % {
        "day": held,
        "n": report_within,
    }


def officials_of(org_ids: Iterable[int], minimum: str = Role.VIEWER) -> dict[int, list[int]]:
    """The users holding a current grant (not revoked, not expired) of at least `minimum` on
    each of these organisations itself (its officials, who follow its units), in one query."""
    roles = [r for r in Role.values if ROLE_RANK[Role(r)] >= ROLE_RANK[Role(minimum)]]
    found: defaultdict[int, set[int]] = defaultdict(set)
    rows = (
        Grant.objects.filter(
            org_id__in=list(org_ids), role__in=roles, revoked_at__isnull=True, user__is_active=True
        )
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .values_list("org_id", "user_id")
    )
    for org_id, user_id in rows:
        found[org_id].add(user_id)
    return {org_id: sorted(users) for org_id, users in found.items()}


def _tell_late(
    congress: Congress,
    *,
    deadline: date | None,
    officials: Mapping[int, list[int]] | None = None,
    ctx: AuditContext | None = None,
) -> None:
    """Tell the parent's officials that a unit has just become late (once per lateness: only
    the write that turns `late` on calls this), with a link to the parent's dashboard.
    `officials`: those of the parents, when the caller looked them up for a whole slice."""
    parent = congress.org.parent
    if parent is None:
        return
    if officials is None:
        officials = officials_of([parent.pk])
    with override("vi"):
        notify(
            officials.get(parent.pk, []),
            kind="congress",
            title=_("Đại hội chậm: %(org)s") % {"org": congress.org.name},
            body=late_reason(
                congress, deadline=deadline, report_within=congress.term.report_within_days
            ),
            url=reverse("congresses:dashboard", args=[congress.term_id, parent.code]),
            ctx=ctx,
        )


def _tell_reported(congress: Congress, ctx: AuditContext | None = None) -> None:
    """Tell the approvers of the level above that results wait for their approval."""
    over = approving_org(congress)
    with override("vi"):
        notify(
            officials_of([over.pk], Role.APPROVER).get(over.pk, []),
            kind="congress",
            title=_("Chờ chuẩn y: %(org)s đã báo cáo kết quả đại hội") % {"org": congress.org.name},
            body=_("%(term)s. Xem kết quả và chuẩn y khi các tổ chức trực thuộc đã xong.")
            % {"term": congress.term.name},
            url=reverse("congresses:congress", args=[congress.term_id, congress.org.code]),
            ctx=ctx,
        )


def congresses_mark_late(*, today: date | None = None, limit: int = 5000) -> int:
    """Mark as late, with their counters, the congresses whose date passed since they were last
    written: time makes a unit late without any write. Returns how many (0: none left); the
    worker's tick runs it (core.tick), a slice at a time."""
    today = today or timezone.localdate()
    not_held = [s for s in STEP_ORDER if not reached(s, Step.HELD)]
    changed = 0
    for term in Term.objects.all():
        deadlines = dict(term.schedule.values_list("tier", "deadline"))
        overdue_tiers = [tier for tier, day in deadlines.items() if day < today]
        due = (
            Q(step__in=not_held, planned_on__lt=today)
            | Q(step__in=not_held, tier__in=overdue_tiers)
            | Q(step=Step.HELD, held_on__lt=today - timedelta(days=term.report_within_days))
        )
        with transaction.atomic():
            batch = list(
                Congress.objects.filter(due, term=term, late=False)
                .select_related("term", "org__parent")
                .select_for_update(skip_locked=True, of=("self",))[:limit]
            )
            deltas: defaultdict[tuple[int, str], int] = defaultdict(int)
            for congress in batch:
                before = congress_counts(congress, ())
                congress.late = True
                for key, value in counts_delta(before, congress_counts(congress, ())).items():
                    deltas[(congress.org_id, key)] += value
            Congress.objects.filter(pk__in=[c.pk for c in batch]).update(late=True)
            counts_changed(deltas)
            # Newly late (the filter took only those not yet marked): told once, now.
            officials = officials_of({c.org.parent_id for c in batch if c.org.parent_id})
            for congress in batch:
                _tell_late(congress, deadline=deadlines.get(congress.tier), officials=officials)
        changed += len(batch)
    return changed


def congresses_mark_late_all() -> int:
    """Every late congress marked, a slice at a time (the worker's periodic job)."""
    total = 0
    while marked := congresses_mark_late():
        total += marked
    return total


# -- Counters --------------------------------------------------------------------------------


def _facts(congress: Congress) -> list[PersonFacts]:
    return [PersonFacts.of(p) for p in Person.objects.filter(congress=congress)]


def _count(congress: Congress, before: Mapping[str, int], after: Mapping[str, int]) -> None:
    delta = counts_delta(dict(before), dict(after))
    counts_changed({(congress.org_id, key): value for key, value in delta.items()})
    # The congress's page follows its organisation's stream (orgs:live): told of every write,
    # a plan or a note that changes no counter included.
    publish([congress.org.path])


def rebuild_counts() -> Iterable[tuple[tuple[int, str], int]]:
    """Every congress's counters from the data (orgs.rollups.rollups_rebuild)."""
    people: defaultdict[int, list[PersonFacts]] = defaultdict(list)
    for person in Person.objects.all().iterator(chunk_size=20000):
        people[person.congress_id].append(PersonFacts.of(person))
    for congress in Congress.objects.all().iterator(chunk_size=20000):
        for key, value in congress_counts(congress, people.get(congress.pk, ())).items():
            yield (congress.org_id, key), value


# -- Plan and progress -----------------------------------------------------------------------


def _locked_congress(congress: Congress) -> Congress:
    locked = (
        Congress.objects.select_for_update(of=("self",))
        .select_related("term", "org__parent")
        .get(pk=congress.pk)
    )
    return locked


def _refresh_late(congress: Congress, today: date, ctx: AuditContext | None = None) -> None:
    """Lateness after a write; a write that makes a unit late tells its parent's officials, as
    the periodic job does for time alone."""
    was, deadline = congress.late, deadline_of(congress)
    congress.late = is_late(
        congress, today=today, deadline=deadline, report_within=congress.term.report_within_days
    )
    if congress.late and not was:
        _tell_late(congress, deadline=deadline, ctx=ctx)


def _check_day(congress: Congress, day: date | None, field: str) -> date:
    if not isinstance(day, date):
        raise _refuse(field, _("Ngày không hợp lệ (dd/mm/yyyy)."))
    term = congress.term
    if not date(term.first_year - 1, 1, 1) <= day <= date(term.last_year, 12, 31):
        raise _refuse(
            field,
            _("Ngày phải trong nhiệm kỳ %(term)s.") % {"term": term.name},
        )
    return day


PLAN_FIELDS = (
    "ordinal",
    "format",
    "contents",
    "pilot",
    "planned_on",
    "planned_committee_size",
    "summoned",
)


def congress_plan(
    *, congress: Congress, data: Mapping[str, Any], by: Actor, ctx: AuditContext | None = None
) -> Congress:
    """Set the congress's plan (ordinal, format, contents, pilot, date, committee size, how many
    are summoned). Setting its date schedules a congress not yet scheduled."""
    if not may_update(by, congress):
        raise _refuse("congress", _("Bạn không có quyền cập nhật đại hội này."))
    unknown = set(data) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError({name: _("Trường này không sửa được ở đây.") for name in unknown})
    with transaction.atomic():
        congress = _locked_congress(congress)
        if congress.locked:
            raise _refuse("congress", _("Kết quả đại hội đã được chuẩn y: không sửa được nữa."))
        # The people do not change here: read once, counted before and after.
        facts = _facts(congress)
        before = congress_counts(congress, facts)
        values = {name: data[name] for name in PLAN_FIELDS if name in data}
        if "format" in values and values["format"] not in Congress.Format.values:
            raise _refuse("format", _("Hình thức đại hội không hợp lệ."))
        if "contents" in values and values["contents"] not in Congress.Contents.values:
            raise _refuse("contents", _("Số nội dung phải là 4, 3 hoặc 2."))
        if values.get("planned_on") is not None:
            _check_day(congress, values["planned_on"], "planned_on")
        for name in ("ordinal", "planned_committee_size", "summoned"):
            value = values.get(name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise _refuse(name, _("Phải là số nguyên dương."))
        if (values.get("ordinal") or 0) > 100:
            raise _refuse("ordinal", _("Lần thứ không quá 100."))
        for name, value in values.items():
            setattr(congress, name, value)
        today = timezone.localdate()
        if congress.step == Step.NOT_SCHEDULED and congress.planned_on:
            _step(congress, Step.SCHEDULED, today, _("Lên kế hoạch"), by)
        _refresh_late(congress, today, ctx)
        congress.save()
        _count(congress, before, congress_counts(congress, facts))
        audit_log(
            actor=by,
            action="congress.plan",
            object_type="congress",
            object_id=congress.pk,
            detail={"org": congress.org.code, "fields": sorted(values)},
            ctx=ctx,
        )
    return congress


def _step(congress: Congress, to: str, on: date, note: str, by: Actor) -> None:
    ProgressUpdate.objects.create(
        congress=congress,
        step=to,
        previous=congress.step,
        on=on,
        note=note[:500],
        by=actor_user(by),
    )
    congress.step = to


def _last_step_day(congress: Congress) -> date | None:
    return (
        ProgressUpdate.objects.filter(congress=congress)
        .order_by("-at", "-id")
        .values_list("on", flat=True)
        .first()
    )


def congress_advance(
    *,
    congress: Congress,
    to: str,
    on: date,
    by: Actor,
    note: str = "",
    ctx: AuditContext | None = None,
) -> Congress:
    """Move a congress to another step of its timeline, dated. The next step is taken as is; a
    step further on, or one back (a correction), needs a note saying why. Approval is
    congress_approve's, and reporting results needs them entered (congress_results)."""
    if not may_update(by, congress):
        raise _refuse("congress", _("Bạn không có quyền cập nhật đại hội này."))
    if to not in STEP_ORDER or to == Step.APPROVED:
        raise _refuse("step", _("Bước không hợp lệ (chuẩn y do cấp trên thực hiện)."))
    note = (note or "").strip()
    with transaction.atomic():
        congress = _locked_congress(congress)
        if congress.locked:
            raise _refuse("congress", _("Kết quả đại hội đã được chuẩn y: không sửa được nữa."))
        here, there = STEP_ORDER.index(congress.step), STEP_ORDER.index(to)
        if there == here:
            raise _refuse("step", _("Đại hội đã ở bước này."))
        if there != here + 1 and not note:
            raise _refuse(
                "note",
                _("Từ “%(from)s” sang “%(to)s” là bỏ qua hoặc lùi bước: hãy ghi lý do.")
                % {"from": Step(congress.step).label, "to": Step(to).label},
            )
        on = _check_day(congress, on, "on")
        if on > timezone.localdate():
            raise _refuse("on", _("Ngày không được ở tương lai."))
        last = _last_step_day(congress)
        if there > here and last is not None and on < last:
            raise _refuse(
                "on",
                _("Ngày không được trước bước trước (%(day)s).")
                % {"day": last.strftime("%d/%m/%Y")},
            )
        if reached(to, Step.REPORTED):
            _check_results_complete(congress)
        # The people do not change here: read once, counted before and after.
        facts = _facts(congress)
        before = congress_counts(congress, facts)
        _step(congress, to, on, note, by)
        held = STEP_ORDER.index(Step.HELD)
        if to == Step.HELD or (there > held and congress.held_on is None):
            congress.held_on = on
        elif there < held:
            congress.held_on = None
        if to == Step.REPORTED:
            congress.reported_on = on
        elif there < STEP_ORDER.index(Step.REPORTED):
            congress.reported_on = None
        _refresh_late(congress, timezone.localdate(), ctx)
        congress.save()
        _count(congress, before, congress_counts(congress, facts))
        if to == Step.REPORTED:
            _tell_reported(congress, ctx)
        audit_log(
            actor=by,
            action="congress.step",
            object_type="congress",
            object_id=congress.pk,
            detail={"org": congress.org.code, "step": to, "on": on.isoformat()},
            ctx=ctx,
        )
    return congress


# -- Results ---------------------------------------------------------------------------------


@dataclass
class PersonIn:
    """One person of the results, as a form or the API gives it."""

    body: str
    role: str
    member_id: int | None = None
    full_name: str = ""
    sex: str = ""
    birth_year: int | None = None
    minority: bool | None = None
    reelected: bool = False
    local: bool = True
    direct: bool = False


def _person(congress: Congress, n: int, given: PersonIn, members: Mapping[int, Member]) -> Person:
    field = f"people-{n}"
    if given.body not in Person.Body.values:
        raise _refuse(field, _("Dòng %(n)d: loại không hợp lệ.") % {"n": n + 1})
    delegate_roles = {Person.Role.EX_OFFICIO, Person.Role.ELECTED, Person.Role.APPOINTED}
    if (given.body == Person.Body.DELEGATE) != (given.role in delegate_roles):
        raise _refuse(field, _("Dòng %(n)d: chức danh không hợp với loại.") % {"n": n + 1})
    if given.role not in Person.Role.values:
        raise _refuse(field, _("Dòng %(n)d: chức danh không hợp lệ.") % {"n": n + 1})
    person = Person(
        congress=congress,
        body=given.body,
        role=given.role,
        reelected=given.reelected,
        local=given.local,
        direct=given.direct and given.role == Person.Role.SECRETARY,
        appointed=congress.contents == Congress.Contents.TWO
        and given.body == Person.Body.COMMITTEE,
    )
    if given.member_id is not None:
        member = members.get(given.member_id)
        if member is None or not member.org_path.startswith(congress.org.path):
            raise _refuse(
                field,
                _("Dòng %(n)d: người này không phải đảng viên của %(org)s.")
                % {"n": n + 1, "org": congress.org.name},
            )
        person.member = member
        person.full_name, person.sex = member.full_name, member.sex
        person.birth_year = member.birth_date.year
        minority = bool(member.ethnicity) and member.ethnicity.strip().lower() != "kinh"
        person.minority = given.minority if given.minority is not None else minority
    else:
        name = " ".join((given.full_name or "").split())
        if not name:
            raise _refuse(field, _("Dòng %(n)d: cần họ và tên.") % {"n": n + 1})
        if given.sex not in ("M", "F"):
            raise _refuse(field, _("Dòng %(n)d: giới tính phải là Nam hoặc Nữ.") % {"n": n + 1})
        year = given.birth_year
        if not isinstance(year, int) or not 1900 <= year <= timezone.localdate().year - 18:
            raise _refuse(field, _("Dòng %(n)d: năm sinh không hợp lệ.") % {"n": n + 1})
        person.full_name, person.sex, person.birth_year = name[:128], given.sex, year
        person.minority = bool(given.minority)
    return person


def _check_people(congress: Congress, people: Sequence[Person]) -> None:
    committee = [p for p in people if p.body == Person.Body.COMMITTEE]
    secretaries = [p for p in committee if p.role == Person.Role.SECRETARY]
    decided = congress.committee_decided
    if congress.contents == Congress.Contents.THREE and committee:
        raise _refuse("people", _("Đại hội 3 nội dung không bầu cấp uỷ."))
    if committee and decided is not None and len(committee) > decided:
        raise _refuse(
            "people",
            _("Số cấp uỷ viên (%(n)d) nhiều hơn số đại hội quyết định (%(d)d).")
            % {"n": len(committee), "d": decided},
        )
    if len(secretaries) > 1:
        raise _refuse("people", _("Chỉ có một bí thư."))
    seen: set[tuple[str, object]] = set()
    for p in people:
        who = (p.body, p.member_id if p.member_id is not None else (p.full_name, p.birth_year))
        if who in seen:
            raise _refuse(
                "people",
                _("%(name)s có tên hai lần trong %(body)s.")
                % {"name": p.full_name, "body": Person.Body(p.body).label},
            )
        seen.add(who)


def _check_numbers(congress: Congress) -> None:
    summoned, present = congress.summoned, congress.present
    if present is not None and summoned is not None and present > summoned:
        raise _refuse(
            "present",
            _("Số có mặt (%(p)d) nhiều hơn số được triệu tập (%(s)d).")
            % {"p": present, "s": summoned},
        )
    decided, candidates = congress.committee_decided, congress.candidates
    if candidates is not None and decided is not None:
        if candidates < decided:
            raise _refuse(
                "candidates",
                _("Danh sách bầu cử phải nhiều hơn số cần bầu (%(d)d).") % {"d": decided},
            )
        if decided and Decimal(candidates - decided) / decided > MAX_SURPLUS:
            raise _refuse(
                "candidates",
                _("Số dư quá 30%% số cần bầu: tối đa %(max)d người.")
                % {"max": decided + int(decided * MAX_SURPLUS)},
            )


def _check_results_complete(congress: Congress) -> None:
    if congress.present is None or congress.summoned is None:
        raise _refuse(
            "present", _("Hãy nhập số được triệu tập và số có mặt trước khi báo cáo kết quả.")
        )
    if congress.elects_committee:
        people = list(Person.objects.filter(congress=congress, body=Person.Body.COMMITTEE))
        if congress.committee_decided is None:
            raise _refuse("committee_decided", _("Hãy nhập số lượng cấp uỷ đại hội quyết định."))
        if not people:
            raise _refuse("people", _("Hãy nhập danh sách cấp uỷ được bầu."))
        if not any(p.role == Person.Role.SECRETARY for p in people):
            raise _refuse("people", _("Hãy cho biết ai là bí thư (trong số cấp uỷ viên được bầu)."))


RESULT_FIELDS = ("summoned", "present", "committee_decided", "candidates")


def congress_results(
    *,
    congress: Congress,
    numbers: Mapping[str, int | None],
    people: Sequence[PersonIn] | None,
    by: Actor,
    ctx: AuditContext | None = None,
) -> Congress:
    """Enter (or correct) what the congress decided and elected, whole: the numbers, and the
    people (committee with its secretary, deputies and standing members; inspection committee;
    delegates to the higher congress). Refused after approval; checked before anything is
    written, so a refusal leaves the results as they were."""
    if not may_update(by, congress):
        raise _refuse("congress", _("Bạn không có quyền cập nhật đại hội này."))
    unknown = set(numbers) - set(RESULT_FIELDS)
    if unknown:
        raise ValidationError({name: _("Trường này không sửa được ở đây.") for name in unknown})
    with transaction.atomic():
        congress = _locked_congress(congress)
        if congress.locked:
            raise _refuse("congress", _("Kết quả đại hội đã được chuẩn y: không sửa được nữa."))
        if not reached(congress.step, Step.HELD):
            raise _refuse("congress", _("Đại hội chưa được ghi là đã tổ chức."))
        before = congress_counts(congress, _facts(congress))
        for name in RESULT_FIELDS:
            if name in numbers:
                value = numbers[name]
                if value is not None and (not isinstance(value, int) or value < 0):
                    raise _refuse(name, _("Phải là số nguyên không âm."))
                setattr(congress, name, value)
        _check_numbers(congress)
        if people is not None:
            ids = [p.member_id for p in people if p.member_id is not None]
            members = {
                m.pk: m for m in Member.objects.filter(pk__in=ids, status__in=ACTIVE_STATUSES)
            }
            rows = [_person(congress, n, given, members) for n, given in enumerate(people)]
            _check_people(congress, rows)
            Person.objects.filter(congress=congress).delete()
            Person.objects.bulk_create(rows)
        congress.save()
        _count(congress, before, congress_counts(congress, _facts(congress)))
        audit_log(
            actor=by,
            action="congress.results",
            object_type="congress",
            object_id=congress.pk,
            detail={
                "org": congress.org.code,
                "numbers": {k: v for k, v in numbers.items()},
                "people": None if people is None else len(people),
            },
            ctx=ctx,
        )
    return congress


def congress_people_viewed(
    *,
    viewer: Actor,
    congress: Congress,
    people: Sequence[Person],
    ctx: AuditContext | None = None,
) -> None:
    """Audit a page showing the people a congress elected (names, roles): a read of personal
    data, like a member list's (members.services.members_list_viewed). Those picked from the
    registry are named under "members", so `partyorg audit member <id>` finds the read."""
    if not people:
        return
    audit_log(
        actor=viewer,
        action="congress.people",
        object_type="congress",
        object_id=congress.pk,
        detail={
            "org": congress.org.code,
            "people": [p.pk for p in people],
            "members": sorted({p.member_id for p in people if p.member_id is not None}),
        },
        ctx=ctx,
    )


# -- Approval --------------------------------------------------------------------------------


def open_children(congress: Congress) -> list[Congress]:
    """The congresses of the organisation's own subordinates in the term not yet approved."""
    return list(
        Congress.objects.filter(
            term=congress.term_id,
            org__parent=congress.org_id,
            org__status=Org.Status.ACTIVE,
        )
        .exclude(step=Step.APPROVED)
        .select_related("org")
        .order_by("org__sort_name")
    )


def congress_approve(
    *,
    congress: Congress,
    by: Actor,
    on: date | None = None,
    note: str = "",
    ctx: AuditContext | None = None,
) -> Congress:
    """The level above approves ("chuẩn y") reported results, once every congress of the
    organisation's subordinates is approved; the results are then locked."""
    with transaction.atomic():
        congress = _locked_congress(congress)
        if not may_approve(by, congress):
            raise _refuse("congress", _("Chỉ người phê duyệt của cấp trên mới chuẩn y được."))
        if congress.step != Step.REPORTED:
            raise _refuse("congress", _("Chỉ chuẩn y được khi kết quả đã được báo cáo."))
        still_open = open_children(congress)
        if still_open:
            names = ", ".join(c.org.name for c in still_open[:10])
            more = len(still_open) - 10
            raise _refuse(
                "congress",
                _(
                    "Chưa chuẩn y được: đại hội của %(n)d tổ chức trực thuộc chưa được chuẩn y: %(names)s%(more)s."
                )
                % {
                    "n": len(still_open),
                    "names": names,
                    "more": f" và {more} tổ chức khác" if more > 0 else "",
                },
            )
        on = on or timezone.localdate()
        # The people do not change here: read once, counted before and after.
        facts = _facts(congress)
        before = congress_counts(congress, facts)
        _step(congress, Step.APPROVED, on, note, by)
        congress.approved_on, congress.approved_by = on, actor_user(by)
        congress.late = False
        congress.save()
        _count(congress, before, congress_counts(congress, facts))
        audit_log(
            actor=by,
            action="congress.approve",
            object_type="congress",
            object_id=congress.pk,
            detail={"org": congress.org.code},
            ctx=ctx,
        )
    return congress


def congress_reopen(
    *, congress: Congress, by: Actor, reason: str, ctx: AuditContext | None = None
) -> Congress:
    """Take an approval back (results reported again, unlocked), with the reason; the approved
    congresses above it, which were approved on the strength of it, are reopened too."""
    reason = (reason or "").strip()
    if not reason:
        raise _refuse("reason", _("Hãy ghi lý do mở lại."))
    with transaction.atomic():
        congress = _locked_congress(congress)
        if not may_approve(by, congress):
            raise _refuse("congress", _("Chỉ người phê duyệt của cấp trên mới mở lại được."))
        if congress.step != Step.APPROVED:
            raise _refuse("congress", _("Đại hội chưa được chuẩn y."))
        today = timezone.localdate()
        chain = [
            congress,
            *list(
                Congress.objects.select_for_update(of=("self",))
                .filter(
                    term=congress.term_id,
                    org__path__in=congress.org.ancestor_paths()[:-1],
                    step=Step.APPROVED,
                )
                .select_related("term", "org")
                .order_by("-org__depth")
            ),
        ]
        for index, item in enumerate(chain):
            before = congress_counts(item, _facts(item))
            note = (
                reason
                if index == 0
                else _("Mở lại vì đại hội của %(org)s được mở lại: %(reason)s")
                % {
                    "org": congress.org.name,
                    "reason": reason,
                }
            )
            _step(item, Step.REPORTED, today, note, by)
            item.approved_on = item.approved_by = None
            item.save()
            _count(item, before, congress_counts(item, _facts(item)))
        audit_log(
            actor=by,
            action="congress.reopen",
            object_type="congress",
            object_id=congress.pk,
            detail={"org": congress.org.code, "reason": reason[:200], "chain": len(chain)},
            ctx=ctx,
        )
    return congress
