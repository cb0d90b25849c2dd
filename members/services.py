"""Every change to a member: the record, its events, its provenance, its counters, its audit row."""

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import AuditContext, audit_log
from lib.cleaning.rules import clean_name, record_consistency
from lib.record import DATES, REQUIRED, TYPED
from lib.vn.cccd import mask_cccd, normalise_cccd
from lib.vn.dates import PartialDate
from lib.vn.phones import normalise_phone
from lib.vn.problems import Problem
from lib.vn.text import nfc
from orgs.models import Org
from orgs.rollups import add_keys, counts_changed

from .models import (
    ACTIVE_STATUSES,
    EventKind,
    FieldChange,
    Member,
    MemberEvent,
    Service,
    Sex,
    Source,
    Status,
)
from .record import member_keys_of, moved_into, name_columns, state_of

# The fields a person may type or correct (lib.record); the rest are derived from events.
RECORD_FIELDS = TYPED
# Dates a record may hold as a year or a month only (Member.<name>_precision).
PARTIAL_DATES = tuple(sorted(DATES))
NAME_FIELDS = ("full_name", "birth_name", "other_names")
RATINGS = [
    "Hoàn thành xuất sắc nhiệm vụ",
    "Hoàn thành tốt nhiệm vụ",
    "Hoàn thành nhiệm vụ",
    "Không hoàn thành nhiệm vụ",
]
DISCIPLINE_FORMS = ["Khiển trách", "Cảnh cáo", "Cách chức"]
BADGE_YEARS = [30, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90]


def _user(by: Any) -> Any:
    return by if getattr(by, "is_authenticated", False) else None


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _partial(
    value: Any, instance: Member | None, name: str, data: Mapping[str, Any]
) -> PartialDate | None:
    """A record's date as the rules read it: to the precision on file (an old member's birth
    known by its year only stays a year), or whole where it was typed."""
    if not isinstance(value, date):
        return None
    precision = getattr(instance, f"{name}_precision", "day") if name not in data else "day"
    if precision == "year":
        return PartialDate(value.year)
    if precision == "month":
        return PartialDate(value.year, value.month)
    return PartialDate.from_date(value)


def problem_message(problem: Problem) -> str:
    """A rule's message in the reader's language, with a capital and a full stop."""
    text = problem.message_vi if get_language() != "en" else problem.message_en
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


def clean_record(
    data: Mapping[str, Any], *, instance: Member | None = None, today: date | None = None
) -> dict[str, Any]:
    """Validate and standardise record fields; raises ValidationError naming every bad field."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = defaultdict(list)
    out: dict[str, Any] = {}
    for name in RECORD_FIELDS:
        if name in data:
            value = data[name]
        elif instance is not None:
            value = getattr(instance, name)
        else:
            value = None
        if isinstance(value, str):
            value = nfc(value)
        out[name] = value
    # Names get the import's standardisation ("nguyễn  văn an" → "Nguyễn Văn An").
    for name in NAME_FIELDS:
        if isinstance(out.get(name), str) and out[name]:
            out[name], name_problems = clean_name(out[name])
            for problem in name_problems:
                if problem.severity == "error":
                    errors[name].append(problem_message(problem))
    for name in REQUIRED:
        if out.get(name) in (None, ""):
            errors[name].append(_("Trường này là bắt buộc."))

    if out.get("cccd"):
        cccd, problems = normalise_cccd(str(out["cccd"]))
        blocking = [p for p in problems if p.severity == "error"]
        if cccd is None or blocking:
            errors["cccd"] += [p.message_vi for p in blocking] or [
                _("Số CCCD phải gồm đúng 12 chữ số.")
            ]
        else:
            out["cccd"] = cccd
            duplicate = Member.objects.filter(cccd=cccd)
            if instance is not None:
                duplicate = duplicate.exclude(id=instance.id)
            if duplicate.exists():
                errors["cccd"].append(_("Số CCCD này đã có trong hệ thống (đảng viên khác)."))
    if out.get("cmnd") and (not str(out["cmnd"]).isdigit() or len(str(out["cmnd"])) != 9):
        errors["cmnd"].append(_("Số CMND cũ phải gồm đúng 9 chữ số."))
    if out.get("full_name") and len(out["full_name"]) > 128:
        errors["full_name"].append(_("Họ và tên dài quá 128 ký tự."))
    if out.get("sex") and out["sex"] not in Sex.values:
        errors["sex"].append(_("Giới tính phải là Nam hoặc Nữ."))
    if out.get("service") is None:
        out["service"] = ""
    if out["service"] not in Service.values:
        errors["service"].append(_("Giá trị không hợp lệ."))

    birth, admitted, official = (
        out.get("birth_date"),
        out.get("admission_date"),
        out.get("official_date"),
    )
    for name in ("birth_date", "admission_date", "official_date"):
        value = out.get(name)
        if value not in (None, "") and not isinstance(value, date):
            errors[name].append(_("Ngày không hợp lệ (dd/mm/yyyy)."))
            out[name] = None
        elif isinstance(value, date) and value > today:
            errors[name].append(_("Ngày không được ở tương lai."))
    birth, admitted, official = (
        out.get("birth_date"),
        out.get("admission_date"),
        out.get("official_date"),
    )
    # The rules between fields are the import's own (lib.cleaning.rules.record_consistency):
    # what is an error there is an error here, and the other way round.
    for name, problem in record_consistency(
        cccd=out["cccd"] if not errors.get("cccd") else None,
        sex=out.get("sex") or None,
        birth=_partial(birth, instance, "birth_date", data),
        admission=_partial(admitted, instance, "admission_date", data),
        official=_partial(official, instance, "official_date", data),
        today=today,
    ):
        if problem.severity == "error":
            errors[name].append(problem_message(problem))
    if out.get("phone"):
        phone, problems = normalise_phone(str(out["phone"]))
        if phone is None:
            errors["phone"].append(_("Số điện thoại không hợp lệ."))
        else:
            out["phone"] = phone
    if out.get("email"):
        try:
            validate_email(out["email"])
        except ValidationError:
            errors["email"].append(_("Địa chỉ thư điện tử không hợp lệ."))
    for name in RECORD_FIELDS:
        if out.get(name) is None and name not in ("birth_date", "admission_date", "official_date"):
            out[name] = ""
        max_length = getattr(Member._meta.get_field(name), "max_length", None)
        if isinstance(out.get(name), str) and max_length and len(out[name]) > max_length:
            errors[name].append(_("Dài quá %(n)d ký tự.") % {"n": max_length})
    if errors:
        raise ValidationError(dict(errors))
    return out


def _refresh(
    member: Member,
    *,
    by: Any,
    action: str,
    detail: dict[str, Any],
    ctx: AuditContext | None,
    before: list[str] | None = None,
) -> Member:
    """Re-derive the member's state from their events, move their counters, write the audit row.

    before: the counters the member added to before the caller changed a column they depend
    on (the official date of a recognition); by default, those of the row as it is.
    """
    state = state_of(member)
    deltas: defaultdict[tuple[int, str], int] = defaultdict(int)
    if before is not None:
        add_keys(deltas, member.org_id, before, -1)
    elif member.pk and member.status:
        add_keys(deltas, member.org_id, member_keys_of(member), -1)
    member.status, member.exempt = state.status, state.exempt
    if state.org_id and state.org_id != member.org_id:
        member.org = Org.objects.get(pk=state.org_id)
    if member.org_path != member.org.path:
        for name, value in name_columns(member.full_name, member.org.path).items():
            setattr(member, name, value)
    member.temporary_org_id = state.temporary_org_id
    member.card_number = state.card_number
    member.save(
        update_fields=[
            "status",
            "exempt",
            "org",
            "org_path",
            "search_name",
            "temporary_org",
            "card_number",
            "updated_at",
        ]
    )
    add_keys(deltas, member.org_id, member_keys_of(member), 1)
    counts_changed(deltas)
    audit_log(
        actor=by,
        action=action,
        object_type="member",
        object_id=member.pk,
        detail=detail,
        ctx=ctx,
    )
    return member


def _event(
    member: Member,
    kind: str,
    on: date,
    *,
    org: Org | None = None,
    detail: dict[str, Any] | None = None,
    note: str = "",
    by: Any = None,
) -> MemberEvent:
    return MemberEvent.objects.create(
        member=member, kind=kind, on=on, org=org, detail=detail or {}, note=note[:500], by=_user(by)
    )


def _check_event_date(member: Member, on: date | None, *, field: str = "on") -> date:
    if not isinstance(on, date):
        raise ValidationError({field: _("Ngày không hợp lệ (dd/mm/yyyy).")})
    if on > timezone.localdate():
        raise ValidationError({field: _("Ngày không được ở tương lai.")})
    if on < member.admission_date:
        raise ValidationError(
            {
                field: _("Ngày không được trước ngày vào Đảng (%(d)s).")
                % {"d": member.admission_date.strftime("%d/%m/%Y")}
            }
        )
    return on


def _require_active(member: Member) -> None:
    if member.status not in ACTIVE_STATUSES:
        raise ValidationError(
            {
                "member": _("Đảng viên không còn sinh hoạt (%(status)s).")
                % {"status": member.get_status_display()}
            }
        )


def _require_cell(org: Org | None, field: str = "org") -> Org:
    if org is None or not org.is_active or not org.holds_members:
        raise ValidationError({field: _("Hãy chọn một chi bộ đang hoạt động.")})
    return org


def member_create(
    *,
    org: Org,
    data: Mapping[str, Any],
    by: Any = None,
    source: str = Source.MANUAL,
    source_ref: str = "",
    ctx: AuditContext | None = None,
    card_number: str | None = None,
) -> Member:
    _require_cell(org)
    record = clean_record(data)
    with transaction.atomic():
        member = Member(**record, **name_columns(record["full_name"], org.path), org=org, status="")
        member.save()
        _event(member, EventKind.ADMITTED, record["admission_date"], org=org, by=by)
        if record.get("official_date"):
            _event(member, EventKind.RECOGNISED, record["official_date"], org=org, by=by)
        FieldChange.objects.create(
            member=member,
            field="*",
            source=source,
            source_ref=source_ref,
            by=_user(by),
            at=timezone.now(),
        )
        _refresh(
            member,
            by=by,
            action="member.create",
            detail={"org": org.code, "source": source},
            ctx=ctx,
        )
        if card_number:
            member_issue_card(
                member=member,
                card_number=card_number,
                on=record.get("official_date") or record["admission_date"],
                by=by,
            )
    return member


def member_update(
    *,
    member: Member,
    changes: Mapping[str, Any],
    by: Any = None,
    source: str = Source.MANUAL,
    source_ref: str = "",
    ctx: AuditContext | None = None,
) -> Member:
    """Change record fields; each changed value gets a FieldChange row with its provenance."""
    unknown = set(changes) - set(RECORD_FIELDS)
    if unknown:
        raise ValidationError({name: _("Trường này không sửa trực tiếp được.") for name in unknown})
    record = clean_record(changes, instance=member)
    changed = {
        name: value
        for name, value in record.items()
        if name in changes and getattr(member, name) != value
    }
    if not changed:
        return member
    if (
        "official_date" in changed
        and member.status == Status.PROBATIONARY
        and changed["official_date"]
    ):
        raise ValidationError(
            {"official_date": _("Đảng viên dự bị: hãy dùng sự kiện “Công nhận chính thức”.")}
        )
    with transaction.atomic():
        now = timezone.now()
        rows = [
            FieldChange(
                member=member,
                field=name,
                old_value=_as_text(getattr(member, name)),
                new_value=_as_text(value),
                source=source,
                source_ref=source_ref,
                by=_user(by),
                at=now,
            )
            for name, value in changed.items()
        ]
        FieldChange.objects.bulk_create(rows)
        deltas: defaultdict[tuple[int, str], int] = defaultdict(int)
        add_keys(deltas, member.org_id, member_keys_of(member), -1)
        for name, value in changed.items():
            setattr(member, name, value)
        # A date typed whole replaces a partial one (only its year or month was on file).
        precise = [f"{name}_precision" for name in changed if name in PARTIAL_DATES]
        for name in precise:
            setattr(member, name, "day")
        if "full_name" in changed:
            for name, value in name_columns(member.full_name, member.org_path).items():
                setattr(member, name, value)
        member.save(update_fields=[*changed, *precise, "search_name", "sort_key", "updated_at"])
        add_keys(deltas, member.org_id, member_keys_of(member), 1)
        counts_changed(deltas)
        if "admission_date" in changed:
            MemberEvent.objects.filter(member=member, kind=EventKind.ADMITTED).update(
                on=member.admission_date
            )
        if "official_date" in changed and member.official_date:
            MemberEvent.objects.filter(member=member, kind=EventKind.RECOGNISED).update(
                on=member.official_date
            )
        audit_log(
            actor=by,
            action="member.update",
            object_type="member",
            object_id=member.pk,
            detail={"fields": sorted(changed), "source": source},
            ctx=ctx,
        )
    return member


def _record_event_field(member: Member, name: str, value: Any, by: Any, ref: str) -> None:
    FieldChange.objects.create(
        member=member,
        field=name,
        old_value=_as_text(getattr(member, name)),
        new_value=_as_text(value),
        source=Source.EVENT,
        source_ref=ref,
        by=_user(by),
        at=timezone.now(),
    )
    setattr(member, name, value)
    member.save(update_fields=[name, "updated_at"])


def member_recognise(
    *, member: Member, on: date, by: Any = None, place: str = "", ctx: AuditContext | None = None
) -> Member:
    """Recognise a probationary member as official (after about 12 months' probation)."""
    if member.status != Status.PROBATIONARY:
        raise ValidationError({"member": _("Chỉ công nhận chính thức cho đảng viên dự bị.")})
    on = _check_event_date(member, on)
    with transaction.atomic():
        # The official date decides whether the record is complete: its counters are those of
        # the record without it.
        before = member_keys_of(member)
        event = _event(
            member, EventKind.RECOGNISED, on, org=member.org, by=by, detail={"place": place}
        )
        _record_event_field(member, "official_date", on, by, f"event {event.pk}")
        if place:
            _record_event_field(member, "official_place", place, by, f"event {event.pk}")
        return _refresh(
            member,
            by=by,
            action="member.recognise",
            detail={"on": on.isoformat()},
            ctx=ctx,
            before=before,
        )


def member_transfer(
    *,
    member: Member,
    to_org: Org,
    on: date,
    by: Any = None,
    temporary: bool = False,
    note: str = "",
    ctx: AuditContext | None = None,
) -> Member:
    """Move a member's party activity to another cell, officially or temporarily."""
    _require_active(member)
    _require_cell(to_org, "to_org")
    on = _check_event_date(member, on)
    current = member.temporary_org if temporary and member.temporary_org else member.org
    if to_org.id == current.id and not temporary:
        raise ValidationError(
            {"to_org": _("Đảng viên đang sinh hoạt tại %(name)s.") % {"name": to_org.name}}
        )
    with transaction.atomic():
        if temporary and to_org.id == member.org_id:
            # Coming back from a temporary transfer ends it.
            if member.temporary_org is None:
                raise ValidationError(
                    {"to_org": _("Đảng viên đang sinh hoạt tại %(name)s.") % {"name": to_org.name}}
                )
            _event(
                member,
                EventKind.TRANSFER_OUT,
                on,
                org=member.temporary_org,
                detail={"temporary": True, "to": to_org.code},
                note=note,
                by=by,
            )
        else:
            _event(
                member,
                EventKind.TRANSFER_OUT,
                on,
                org=current,
                detail={"temporary": temporary, "to": to_org.code},
                note=note,
                by=by,
            )
            _event(
                member,
                EventKind.TRANSFER_IN,
                on,
                org=to_org,
                detail={"temporary": temporary, "from": current.code},
                note=note,
                by=by,
            )
        return _refresh(
            member,
            by=by,
            action="member.transfer",
            detail={
                "from": current.code,
                "from_path": current.path,
                "to": to_org.code,
                "temporary": temporary,
            },
            ctx=ctx,
        )


def members_transfer_bulk(
    *, members: list[Member], to_org: Org, on: date, by: Any = None, reason: str = ""
) -> int:
    """Transfer many members at once (a merge or split): two events each, counters moved once."""
    if not members:
        return 0
    _require_cell(to_org, "target")
    with transaction.atomic():
        deltas: defaultdict[tuple[int, str], int] = defaultdict(int)
        events = []
        for member in members:
            when = max(on, member.admission_date)
            events.append(
                MemberEvent(
                    member=member,
                    kind=EventKind.TRANSFER_OUT,
                    on=when,
                    org_id=member.org_id,
                    detail={"to": to_org.code, "reason": reason},
                    by=_user(by),
                )
            )
            events.append(
                MemberEvent(
                    member=member,
                    kind=EventKind.TRANSFER_IN,
                    on=when,
                    org=to_org,
                    detail={"from": member.org.code if member.org_id else None, "reason": reason},
                    by=_user(by),
                )
            )
            add_keys(deltas, member.org_id, member_keys_of(member), -1)
            add_keys(deltas, to_org.id, member_keys_of(member), 1)
        MemberEvent.objects.bulk_create(events, batch_size=2000)
        Member.objects.filter(id__in=[m.id for m in members]).update(
            org=to_org, **moved_into(to_org.path), updated_at=timezone.now()
        )
        counts_changed(deltas)
        audit_log(
            actor=by,
            action="member.transfer_bulk",
            object_type="org",
            object_id=to_org.code,
            detail={"count": len(members), "reason": reason},
        )
        # One row per member too: the change feed and a member's access history read them.
        now = timezone.now()
        AuditEvent.objects.bulk_create(
            [
                AuditEvent(
                    at=now,
                    actor=_user(by),
                    actor_label=getattr(by, "username", "") or "system",
                    action="member.transfer",
                    object_type="member",
                    object_id=str(member.pk),
                    detail={
                        "from": member.org.code,
                        "from_path": member.org.path,
                        "to": to_org.code,
                        "reason": reason,
                    },
                )
                for member in members
            ],
            batch_size=2000,
        )
    return len(members)


def member_exempt(
    *,
    member: Member,
    on: date,
    by: Any = None,
    note: str = "",
    end: bool = False,
    ctx: AuditContext | None = None,
) -> Member:
    """Exempt a member from party activities (or end the exemption)."""
    _require_active(member)
    on = _check_event_date(member, on)
    if end != member.exempt:
        raise ValidationError(
            {
                "member": _("Đảng viên chưa được miễn sinh hoạt.")
                if end
                else _("Đảng viên đã được miễn sinh hoạt.")
            }
        )
    with transaction.atomic():
        _event(
            member,
            EventKind.EXEMPTION_ENDED if end else EventKind.EXEMPTED,
            on,
            org=member.org,
            note=note,
            by=by,
        )
        return _refresh(
            member,
            by=by,
            action="member.exemption_end" if end else "member.exempt",
            detail={"on": on.isoformat()},
            ctx=ctx,
        )


EXIT_KINDS = {
    "died": EventKind.DIED,
    "resigned": EventKind.RESIGNED,
    "removed": EventKind.REMOVED,
    "expelled": EventKind.EXPELLED,
}


def member_exit(
    *,
    member: Member,
    kind: str,
    on: date,
    by: Any = None,
    note: str = "",
    ctx: AuditContext | None = None,
) -> Member:
    """Death, resignation, removal or expulsion: the member leaves the active registry."""
    if kind not in EXIT_KINDS:
        raise ValidationError({"kind": _("Loại sự kiện không hợp lệ.")})
    _require_active(member)
    on = _check_event_date(member, on)
    if kind in ("removed", "expelled") and not note.strip():
        raise ValidationError({"note": _("Hãy ghi số quyết định và lý do.")})
    with transaction.atomic():
        _event(member, EXIT_KINDS[kind], on, org=member.org, note=note, by=by)
        return _refresh(
            member, by=by, action=f"member.{kind}", detail={"on": on.isoformat()}, ctx=ctx
        )


def member_issue_card(
    *,
    member: Member,
    card_number: str,
    on: date,
    by: Any = None,
    reissue: bool = False,
    source: str = Source.EVENT,
    source_ref: str = "",
    ctx: AuditContext | None = None,
) -> Member:
    """Issue (or reissue) the 8-digit party card; only official members hold one. With a
    `source_ref` (a correction request), the number's history names where it came from."""
    _require_active(member)
    on = _check_event_date(member, on)
    number = (card_number or "").strip()
    if len(number) != 8 or not number.isdigit():
        raise ValidationError({"card_number": _("Số thẻ đảng viên phải gồm đúng 8 chữ số.")})
    if member.status != Status.OFFICIAL:
        raise ValidationError({"card_number": _("Đảng viên dự bị chưa được cấp thẻ.")})
    if reissue and not member.card_number:
        raise ValidationError({"card_number": _("Đảng viên chưa có thẻ để cấp lại.")})
    if not reissue and member.card_number:
        raise ValidationError(
            {
                "card_number": _("Đảng viên đã có thẻ số %(n)s: hãy chọn cấp lại.")
                % {"n": member.card_number}
            }
        )
    if Member.objects.filter(card_number=number).exclude(id=member.id).exists():
        raise ValidationError(
            {"card_number": _("Số thẻ %(n)s đã cấp cho đảng viên khác.") % {"n": number}}
        )
    with transaction.atomic():
        kind = EventKind.CARD_REISSUED if reissue else EventKind.CARD_ISSUED
        _event(
            member,
            kind,
            on,
            org=member.org,
            detail={"card_number": number, "previous": member.card_number},
            by=by,
        )
        if source_ref:
            FieldChange.objects.create(
                member=member,
                field="card_number",
                old_value=member.card_number or "",
                new_value=number,
                source=source,
                source_ref=source_ref,
                by=_user(by),
                at=timezone.now(),
            )
        return _refresh(member, by=by, action="member.card", detail={"reissue": reissue}, ctx=ctx)


def member_award_badge(
    *, member: Member, years: int, on: date, by: Any = None, ctx: AuditContext | None = None
) -> Member:
    if years not in BADGE_YEARS:
        raise ValidationError(
            {
                "years": _("Huy hiệu phải là một trong các mốc %(list)s năm tuổi Đảng.")
                % {"list": ", ".join(map(str, BADGE_YEARS))}
            }
        )
    _require_active(member)
    on = _check_event_date(member, on)
    if on.year - member.admission_date.year < years:
        raise ValidationError(
            {"years": _("Chưa đủ %(n)d năm tuổi Đảng tính đến ngày trao.") % {"n": years}}
        )
    with transaction.atomic():
        event = _event(
            member, EventKind.BADGE_AWARDED, on, org=member.org, detail={"years": years}, by=by
        )
        _record_event_field(
            member, "badge", f"Huy hiệu {years} năm tuổi Đảng", by, f"event {event.pk}"
        )
        return _refresh(member, by=by, action="member.badge", detail={"years": years}, ctx=ctx)


def member_discipline(
    *,
    member: Member,
    form: str,
    on: date,
    note: str,
    by: Any = None,
    ctx: AuditContext | None = None,
) -> Member:
    if form not in DISCIPLINE_FORMS:
        raise ValidationError(
            {"form": _("Hình thức kỷ luật không hợp lệ (khai trừ: dùng sự kiện Khai trừ).")}
        )
    if not note.strip():
        raise ValidationError({"note": _("Hãy ghi số quyết định và lý do.")})
    _require_active(member)
    on = _check_event_date(member, on)
    with transaction.atomic():
        _event(
            member,
            EventKind.DISCIPLINED,
            on,
            org=member.org,
            detail={"form": form},
            note=note,
            by=by,
        )
        return _refresh(member, by=by, action="member.discipline", detail={"form": form}, ctx=ctx)


def member_rate(
    *, member: Member, year: int, rating: str, by: Any = None, ctx: AuditContext | None = None
) -> Member:
    """The yearly quality rating; a later rating of the same year supersedes, history kept."""
    if rating not in RATINGS:
        raise ValidationError({"rating": _("Mức xếp loại không hợp lệ.")})
    _require_active(member)
    today = timezone.localdate()
    if not isinstance(year, int) or year < member.admission_date.year or year > today.year:
        raise ValidationError({"year": _("Năm xếp loại phải từ năm vào Đảng đến năm nay.")})
    with transaction.atomic():
        _event(
            member,
            EventKind.RATED,
            min(date(year, 12, 31), today),
            org=member.org,
            detail={"year": year, "rating": rating},
            by=by,
        )
        return _refresh(
            member,
            by=by,
            action="member.rate",
            detail={"year": year, "rating": rating},
            ctx=ctx,
        )


def member_source_merged(*, member: Member, source_ref: str, by: Any = None) -> FieldChange:
    """Another source found to be this same person (a duplicate row merged into the record):
    its values are not applied, but it joins the record's history ("*", like a creation)."""
    return FieldChange.objects.create(
        member=member,
        field="*",
        source=Source.IMPORT,
        source_ref=source_ref[:255],
        by=_user(by),
        at=timezone.now(),
    )


def member_view(
    *, viewer: Any, member: Member, ctx: AuditContext | None = None, what: str = "record"
) -> None:
    """Log that someone read a member's personal data (same transaction as the read)."""
    audit_log(
        actor=viewer,
        action=f"member.view.{what}",
        object_type="member",
        object_id=member.pk,
        ctx=ctx,
    )


def mask_digits(text: str) -> str:
    """Mask anything that looks like a CCCD in free text (search queries end up in logs)."""
    import re

    return re.sub(r"\d{9,12}", lambda m: mask_cccd(m.group(0)), text)


def members_list_viewed(
    *, viewer: Any, org: Org, query: str, shown: list[int], ctx: AuditContext | None = None
) -> None:
    audit_log(
        actor=viewer,
        action="member.list",
        object_type="org",
        object_id=org.code,
        detail={"q": mask_digits(query[:100]), "members": shown},
        ctx=ctx,
    )


def members_exported(
    *,
    viewer: Any,
    org: Org,
    query: str,
    status: str,
    sex: str,
    shown: list[int],
    cccd_masked: bool,
    ctx: AuditContext | None = None,
) -> None:
    """Audit an export of the members page's list: who, which filters, and which members (so
    `partyorg audit member <id>` finds it), as the command's export is audited."""
    audit_log(
        actor=viewer,
        action="member.export",
        object_type="org",
        object_id=org.code,
        detail={
            "format": "xlsx",
            "rows": len(shown),
            "q": mask_digits(query[:100]),
            "status": status,
            "sex": sex,
            "cccd_masked": cccd_masked,
            "members": shown,
        },
        ctx=ctx,
    )
