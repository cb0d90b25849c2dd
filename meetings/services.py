"""Writes of cell meetings: scheduling, papers, comments, absences, check-in, attendance, closing,
minutes and votes. Each refuses bad input with a ValidationError naming the field (Vietnamese),
changing nothing; each change is audited in its own transaction; counters are queued as deltas
(orgs.rollups), so the hot path of a check-in never waits on an ancestor's counter row.
"""

import hashlib
import secrets
import tempfile
from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from access.models import Role
from access.scope import can
from accounts.models import User
from audit.services import AuditContext, actor_user, audit_log
from campaigns.models import Milestone
from campaigns.services import milestone_reached, unit_of
from core.crypto import encrypt
from lib.checkin import code_accepted
from lib.docfiles import DocLimits, DocumentRefused, check_document
from members.models import ACTIVE_STATUSES, Member
from notices.services import notify
from orgs.models import Kind, Org
from orgs.rollups import counts_changed

from .models import Attendance, Ballot, Comment, Meeting, MeetingDocument, Vote

# Organisations that hold meetings of their members: a cell, or a grassroots cell.
MEETING_KINDS = frozenset({Kind.CELL, Kind.GRASSROOTS_CELL})
# Check-in opens this long before the meeting starts (members arrive early).
CHECKIN_OPENS_BEFORE = timedelta(hours=1)
# The agenda of a regular or thematic meeting is posted by about this day of the month before.
AGENDA_DAY = 20
COMMENT_MAX = 2000


def _local(at: datetime) -> str:
    return timezone.localtime(at).strftime("%H:%M %d/%m/%Y")


def checkin_key(meeting: Meeting) -> bytes:
    """The key of a meeting's rotating code: the server's secret and the meeting's own."""
    return salted_hmac("meetings.checkin", meeting.checkin_secret, algorithm="sha256").digest()


def agenda_due(starts_at: datetime) -> date:
    """The day by which a meeting's agenda should be posted: the 20th of the month before."""
    day = timezone.localtime(starts_at).date().replace(day=1) - timedelta(days=1)
    return day.replace(day=AGENDA_DAY)


def agenda_late(meeting: Meeting) -> bool:
    """A regular or thematic meeting whose agenda was posted after the 20th of the month before."""
    if meeting.kind not in (Meeting.Kind.REGULAR, Meeting.Kind.THEMATIC):
        return False
    return timezone.localtime(meeting.created_at).date() > agenda_due(meeting.starts_at)


def member_of_cell(member: Member | None, cell: Org) -> bool:
    """An active member of the cell (or of a party group inside it)."""
    return (
        member is not None
        and member.status in ACTIVE_STATUSES
        and member.org_path.startswith(cell.path)
    )


def invited_members(cell: Org) -> list[Member]:
    """Who is invited: the cell's official and probationary members not exempted from activity."""
    # Through the cell's organisations (a handful), so the (org, sort_key) index answers: a
    # prefix of org_path is no index look-up on SQLite, and took 0.8 s on the demo city.
    under = Org.objects.filter(path__startswith=cell.path).values("id")
    return list(
        Member.objects.filter(org_id__in=under, status__in=ACTIVE_STATUSES, exempt=False).order_by(
            "sort_key", "id"
        )
    )


def _require_editor(by: Any, cell: Org) -> None:
    """The cell's secretary (an editor of the cell or above); None is the system itself (a
    command, the demo generator): pages always pass the user."""
    if by is not None and not can(by, cell.path, Role.EDITOR):
        raise ValidationError(
            {
                "cell": _(
                    "Chỉ bí thư hoặc cán bộ được giao quản lý %(cell)s mới làm được việc này."
                )
                % {"cell": cell.name}
            }
        )


def _require_open(meeting: Meeting, field: str = "meeting") -> None:
    if meeting.is_cancelled:
        raise ValidationError(
            {
                field: _("Buổi họp đã huỷ lúc %(at)s: không thay đổi được nữa.")
                % {"at": _local(meeting.cancelled_at or timezone.now())}
            }
        )
    if meeting.is_closed:
        raise ValidationError(
            {
                field: _("Buổi họp đã kết thúc lúc %(at)s: không thay đổi được nữa.")
                % {"at": _local(meeting.closed_at or timezone.now())}
            }
        )


# -- Scheduling ------------------------------------------------------------------------------


def meeting_schedule(
    *,
    cell: Org,
    kind: str,
    topic: str,
    starts_at: datetime,
    agenda: str = "",
    place: str = "",
    online_link: str = "",
    by: Any,
    ctx: AuditContext | None = None,
    now: datetime | None = None,
) -> Meeting:
    """Schedule a meeting of `cell` and invite its members (not those exempted from activity),
    each told by a notification (and a push where they allowed it), in the same transaction."""
    now = now or timezone.now()
    _require_editor(by, cell)
    _require_valid(cell, kind, topic, starts_at, place, online_link, now)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            cell=cell,
            kind=kind,
            topic=topic.strip()[:255],
            agenda=agenda.strip(),
            starts_at=starts_at,
            place=place.strip()[:255],
            online_link=online_link.strip(),
            checkin_secret=secrets.token_hex(16),
            created_by=actor_user(by),
            created_at=now,
        )
        invited = invited_members(cell)
        Attendance.objects.bulk_create(Attendance(meeting=meeting, member=m) for m in invited)
        audit_log(
            actor=by,
            action="meeting.schedule",
            object_type="meeting",
            object_id=meeting.pk,
            detail={"cell": cell.code, "kind": kind, "invited": len(invited)},
            ctx=ctx,
        )
        _invitations_sent(meeting, invited, ctx)
    return meeting


def _require_valid(
    cell: Org,
    kind: str,
    topic: str,
    starts_at: datetime,
    place: str,
    online_link: str,
    now: datetime,
) -> None:
    """The rules of a meeting's particulars, as scheduled or as changed."""
    errors: dict[str, str] = {}
    if cell.kind not in MEETING_KINDS or cell.status != Org.Status.ACTIVE:
        errors["cell"] = _("Chỉ chi bộ đang hoạt động mới lên lịch sinh hoạt được.")
    if kind not in Meeting.Kind.values:
        errors["kind"] = _("Chọn loại buổi họp.")
    if not topic.strip():
        errors["topic"] = _("Nhập chủ đề buổi họp.")
    if starts_at <= now:
        errors["starts_at"] = _("Thời gian họp phải sau thời điểm hiện tại.")
    if not place.strip() and not online_link.strip():
        errors["place"] = _("Nhập địa điểm họp hoặc đường dẫn họp trực tuyến.")
    if errors:
        raise ValidationError(errors)


def meeting_update(
    *,
    meeting: Meeting,
    topic: str,
    starts_at: datetime,
    agenda: str = "",
    place: str = "",
    online_link: str = "",
    by: Any,
    ctx: AuditContext | None = None,
    now: datetime | None = None,
) -> Meeting:
    """The secretary changes a meeting not yet held: the same rules as scheduling. Members who
    joined the cell since are invited; when the time or the place changed, every invited
    member is told."""
    now = now or timezone.now()
    _require_editor(by, meeting.cell)
    _require_open(meeting)
    _require_valid(meeting.cell, meeting.kind, topic, starts_at, place, online_link, now)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _require_open(locked)
        before = {f: getattr(locked, f) for f in ("topic", "agenda", "starts_at", "place")}
        before["online_link"] = locked.online_link
        meeting.topic, meeting.agenda = topic.strip()[:255], agenda.strip()
        meeting.starts_at, meeting.place = starts_at, place.strip()[:255]
        meeting.online_link = online_link.strip()
        changed = [f for f, value in before.items() if getattr(meeting, f) != value]
        if not changed:
            return meeting
        meeting.save(update_fields=changed)
        newcomers = _newcomers_invited(meeting)
        audit_log(
            actor=by,
            action="meeting.update",
            object_type="meeting",
            object_id=meeting.pk,
            detail={"changed": changed, "invited": len(newcomers)},
            ctx=ctx,
        )
        if {"starts_at", "place", "online_link"} & set(changed):
            where = meeting.place or _("trực tuyến")
            _tell_invited(
                meeting,
                title=_("Thay đổi lịch họp: %(topic)s") % {"topic": meeting.topic},
                body=_("Buổi họp chuyển sang %(at)s tại %(where)s.")
                % {"at": _local(meeting.starts_at), "where": where},
                ctx=ctx,
            )
        elif newcomers:
            _invitations_sent(meeting, newcomers, ctx)
    return meeting


def meeting_cancel(
    *,
    meeting: Meeting,
    reason: str,
    by: Any,
    ctx: AuditContext | None = None,
    now: datetime | None = None,
) -> Meeting:
    """The secretary cancels a meeting not yet held, with a reason every invited member reads.
    A cancelled meeting takes no check-in, comment, vote or change, and counts for nothing."""
    now = now or timezone.now()
    _require_editor(by, meeting.cell)
    _require_open(meeting)
    if not reason.strip():
        raise ValidationError({"reason": _("Nhập lý do huỷ buổi họp: đảng viên sẽ đọc lý do này.")})
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _require_open(locked)
        meeting.status, meeting.cancelled_at = Meeting.Status.CANCELLED, now
        meeting.cancel_reason = reason.strip()[:500]
        meeting.save(update_fields=["status", "cancelled_at", "cancel_reason"])
        Vote.objects.filter(meeting=meeting, status=Vote.Status.OPEN).update(
            status=Vote.Status.CLOSED, closed_at=now
        )
        audit_log(
            actor=by,
            action="meeting.cancel",
            object_type="meeting",
            object_id=meeting.pk,
            detail={"reason": meeting.cancel_reason},
            ctx=ctx,
        )
        _tell_invited(
            meeting,
            title=_("Huỷ buổi họp: %(topic)s") % {"topic": meeting.topic},
            body=_("Buổi họp lúc %(at)s đã huỷ. Lý do: %(reason)s")
            % {"at": _local(meeting.starts_at), "reason": meeting.cancel_reason},
            ctx=ctx,
        )
    return meeting


def _newcomers_invited(meeting: Meeting) -> list[Member]:
    """Invite those of the cell's members who joined it after the invitations went out."""
    have = set(Attendance.objects.filter(meeting=meeting).values_list("member_id", flat=True))
    newcomers = [m for m in invited_members(meeting.cell) if m.pk not in have]
    Attendance.objects.bulk_create(
        (Attendance(meeting=meeting, member=m) for m in newcomers), ignore_conflicts=True
    )
    return newcomers


def _tell(
    meeting: Meeting, member_ids: Any, *, title: str, body: str, ctx: AuditContext | None
) -> None:
    """The members with an account among `member_ids` are notified of the meeting (notices)."""
    notify(
        User.objects.filter(member_id__in=member_ids, is_active=True),
        kind="meeting",
        title=title,
        body=body,
        url=reverse("meetings:detail", args=[meeting.pk]),
        ctx=ctx,
    )


def _tell_invited(meeting: Meeting, *, title: str, body: str, ctx: AuditContext | None) -> None:
    invited = Attendance.objects.filter(meeting=meeting).values("member_id")
    _tell(meeting, invited, title=title, body=body, ctx=ctx)


def _invitations_sent(meeting: Meeting, invited: list[Member], ctx: AuditContext | None) -> None:
    """Each invited member with an account is notified: what, when, where."""
    where = meeting.place or _("trực tuyến")
    _tell(
        meeting,
        [m.pk for m in invited],
        title=_("Giấy mời: %(topic)s") % {"topic": meeting.topic},
        body=_("%(at)s tại %(where)s. Chương trình và tài liệu có trong Sổ tay.")
        % {"at": _local(meeting.starts_at), "where": where},
        ctx=ctx,
    )


def document_attach(
    *,
    meeting: Meeting,
    upload: UploadedFile,
    by: Any,
    ctx: AuditContext | None = None,
) -> MeetingDocument:
    """Attach a paper to a meeting: PDF, Word, OpenDocument or an image of at most 20 MB, read
    by the documents' guard (lib.docfiles, as the handbook's documents) before anything is
    kept, then encrypted at rest."""
    _require_editor(by, meeting.cell)
    _require_open(meeting, "file")
    name = Path(upload.name or "tep").name[:200]
    # Refused before a byte is read: Django has spooled it to disk already, nothing more.
    if (upload.size or 0) > DocLimits().max_bytes:
        mb = DocLimits().max_bytes >> 20
        raise ValidationError(
            {
                "file": _("Tệp %(name)s: tệp lớn hơn %(mb)s MB; hãy nén hoặc chia nhỏ.")
                % {"name": name, "mb": mb}
            }
        )
    with tempfile.TemporaryDirectory(prefix="partyorg-") as folder:
        plain = Path(folder) / "upload"
        digest = hashlib.sha256()
        with plain.open("wb") as handle:
            for chunk in upload.chunks():
                digest.update(chunk)
                handle.write(chunk)
        plain.chmod(0o600)
        try:
            kind = check_document(plain, name=name)
        except DocumentRefused as error:
            raise ValidationError({"file": error.shown(get_language())}) from None
        data = plain.read_bytes()
    target: Path | None = None
    try:
        with transaction.atomic():
            document = MeetingDocument.objects.create(
                meeting=meeting,
                name=name,
                content_type=kind.content_type,
                size=len(data),
                sha256=digest.hexdigest(),
                stored="",
                uploaded_by=actor_user(by),
                uploaded_at=timezone.now(),
            )
            folder_path = Path(settings.MEDIA_ROOT) / "meetings" / str(meeting.pk)
            folder_path.mkdir(parents=True, exist_ok=True)
            target = folder_path / f"{document.pk}{kind.extension}.enc"
            target.write_bytes(encrypt(data))
            document.stored = str(target.relative_to(settings.MEDIA_ROOT))
            document.save(update_fields=["stored"])
            audit_log(
                actor=by,
                action="meeting.document",
                object_type="meeting",
                object_id=meeting.pk,
                detail={"document": document.pk, "name": name, "size": len(data)},
                ctx=ctx,
            )
    except BaseException:
        # Nothing half-written: the file goes with the row that failed.
        if target is not None:
            target.unlink(missing_ok=True)
        raise
    return document


# -- Before the meeting: comments and absences -----------------------------------------------


def comment_add(
    *,
    meeting: Meeting,
    by: Any,
    member: Member | None,
    body: str,
    ctx: AuditContext | None = None,
    now: datetime | None = None,
) -> Comment:
    """A member of the meeting's cell (or its secretary) comments on the agenda."""
    if not member_of_cell(member, meeting.cell) and not can(by, meeting.cell.path, Role.EDITOR):
        raise ValidationError(
            {
                "body": _("Chỉ đảng viên của %(cell)s mới góp ý được vào buổi họp này.")
                % {"cell": meeting.cell.name}
            }
        )
    _require_open(meeting, "body")
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Nhập nội dung góp ý.")})
    if len(body) > COMMENT_MAX:
        raise ValidationError(
            {"body": _("Góp ý dài tối đa %(n)s ký tự; hãy rút gọn.") % {"n": "2.000"}}
        )
    with transaction.atomic():
        comment = Comment.objects.create(
            meeting=meeting,
            author=by,
            author_name=(member.full_name if member else by.get_full_name() or by.username)[:128],
            body=body,
            at=now or timezone.now(),
        )
        audit_log(
            actor=by,
            action="meeting.comment",
            object_type="meeting",
            object_id=meeting.pk,
            detail={"comment": comment.pk},
            ctx=ctx,
        )
    return comment


def _invitable(member: Member) -> bool:
    return member.status in ACTIVE_STATUSES and not member.exempt


def _invitation(meeting: Meeting, member: Member | None, field: str) -> Attendance:
    if not member_of_cell(member, meeting.cell):
        raise ValidationError(
            {field: _("Buổi họp này không phải của chi bộ đồng chí: không điểm danh được.")}
        )
    assert member is not None
    attendance = Attendance.objects.filter(meeting=meeting, member=member).first()
    if attendance is None and meeting.is_open and _invitable(member):
        # Joined the cell after the invitations went out: invited now.
        attendance, _created = Attendance.objects.get_or_create(meeting=meeting, member=member)
    if attendance is None:
        raise ValidationError(
            {field: _("Đồng chí không có trong danh sách được mời dự buổi họp này.")}
        )
    return attendance


def absence_report(
    *,
    meeting: Meeting,
    member: Member | None,
    by: Any,
    reason: str,
    ctx: AuditContext | None = None,
    now: datetime | None = None,
) -> Attendance:
    """An invited member says beforehand that they will be absent, and why."""
    now = now or timezone.now()
    _require_open(meeting, "reason")
    attendance = _invitation(meeting, member, "reason")
    if now >= meeting.starts_at:
        raise ValidationError(
            {"reason": _("Buổi họp đã bắt đầu: báo vắng trước giờ họp, hoặc báo với bí thư.")}
        )
    if attendance.checked_in_at is not None:
        raise ValidationError({"reason": _("Đồng chí đã điểm danh có mặt.")})
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Nhập lý do vắng mặt.")})
    with transaction.atomic():
        attendance.status, attendance.reason = Attendance.Status.ABSENCE_REPORTED, reason[:500]
        attendance.save(update_fields=["status", "reason"])
        audit_log(
            actor=by,
            action="meeting.absence",
            object_type="meeting",
            object_id=meeting.pk,
            detail={"member": attendance.member_id},
            ctx=ctx,
        )
    return attendance


# -- At the meeting: check-in and attendance -------------------------------------------------


def checkin_open(meeting: Meeting, now: datetime) -> bool:
    return meeting.is_open and now >= meeting.starts_at - CHECKIN_OPENS_BEFORE


def attendance_checkin(
    *,
    meeting: Meeting,
    member: Member | None,
    by: Any,
    code: str,
    ctx: AuditContext | None = None,
    now: datetime | None = None,
) -> Attendance:
    """A member checks in with the code the secretary's screen shows (the current one or the
    one before): once, while the meeting is open. Refused, changing nothing, for a meeting of
    another cell, a member not invited, a second check-in, a stale code, a closed meeting."""
    now = now or timezone.now()
    _require_open(meeting, "code")
    attendance = _invitation(meeting, member, "code")
    if attendance.checked_in_at is not None:
        raise ValidationError(
            {
                "code": _("Đồng chí đã điểm danh lúc %(at)s, không cần điểm danh lại.")
                % {"at": _local(attendance.checked_in_at)}
            }
        )
    if not checkin_open(meeting, now):
        raise ValidationError(
            {
                "code": _("Chưa đến giờ điểm danh: mở từ %(at)s.")
                % {"at": _local(meeting.starts_at - CHECKIN_OPENS_BEFORE)}
            }
        )
    if not code_accepted(checkin_key(meeting), meeting.pk, code, now.timestamp()):
        raise ValidationError(
            {
                "code": _(
                    "Mã điểm danh đã hết hạn hoặc không đúng. Hãy quét mã đang hiện trên màn hình "
                    "của bí thư chi bộ."
                )
            }
        )
    with transaction.atomic():
        # Checked again in the row itself: two taps at once record one check-in.
        taken = Attendance.objects.filter(pk=attendance.pk, checked_in_at__isnull=True).update(
            checked_in_at=now, status=Attendance.Status.PRESENT, method="qr"
        )
        if not taken:
            raise ValidationError({"code": _("Đồng chí đã điểm danh, không cần điểm danh lại.")})
        counts_changed({(meeting.cell_id, "mt.checkins"): 1})
        audit_log(
            actor=by,
            action="meeting.checkin",
            object_type="meeting",
            object_id=meeting.pk,
            detail={"member": attendance.member_id},
            ctx=ctx,
        )
    attendance.checked_in_at, attendance.status, attendance.method = now, "present", "qr"
    return attendance


CONFIRMED = (Attendance.Status.PRESENT, Attendance.Status.EXCUSED, Attendance.Status.UNEXCUSED)


def attendance_set(
    *,
    meeting: Meeting,
    statuses: Mapping[int, str],
    by: Any,
    ctx: AuditContext | None = None,
    now: datetime | None = None,
) -> int:
    """The secretary ticks members present or confirms them excused or unexcused ({member id:
    status}); returns how many changed. A member ticked present is checked in by the secretary."""
    now = now or timezone.now()
    _require_editor(by, meeting.cell)
    _require_open(meeting, "statuses")
    if any(status not in CONFIRMED for status in statuses.values()):
        raise ValidationError({"statuses": _("Trạng thái điểm danh không hợp lệ.")})
    rows = {
        a.member_id: a
        for a in Attendance.objects.filter(meeting=meeting, member_id__in=list(statuses))
    }
    if stray := set(statuses) - set(rows):
        raise ValidationError(
            {"statuses": _("%(n)s người không có trong danh sách mời.") % {"n": len(stray)}}
        )
    changed = 0
    checkins = 0
    with transaction.atomic():
        for member_id, status in statuses.items():
            row = rows[member_id]
            if row.status == status:
                continue
            fields = ["status"]
            row.status = status
            if status == Attendance.Status.PRESENT and row.checked_in_at is None:
                row.checked_in_at, row.method = now, "ticked"
                fields += ["checked_in_at", "method"]
                checkins += 1
            elif status != Attendance.Status.PRESENT and row.checked_in_at is not None:
                row.checked_in_at, row.method = None, ""
                fields += ["checked_in_at", "method"]
                checkins -= 1
            row.save(update_fields=fields)
            changed += 1
        if checkins:
            counts_changed({(meeting.cell_id, "mt.checkins"): checkins})
        if changed:
            audit_log(
                actor=by,
                action="meeting.attendance",
                object_type="meeting",
                object_id=meeting.pk,
                detail={"changed": changed},
                ctx=ctx,
            )
    return changed


def _month(at: datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m")


def attendance_keys(statuses: list[str]) -> dict[str, int]:
    """The counters a closed meeting adds to its cell, from its members' final statuses."""
    counts: defaultdict[str, int] = defaultdict(int)
    counts["mt.held"] = 1
    for status in statuses:
        counts["mt.invited"] += 1
        counts[f"mt.{status}"] += 1
    return dict(counts)


def meeting_close(
    *,
    meeting: Meeting,
    by: Any,
    ctx: AuditContext | None = None,
    now: datetime | None = None,
) -> Meeting:
    """The secretary closes the meeting: who reported an absence and was not confirmed otherwise
    is excused, who neither checked in nor was confirmed is unexcused. The cell's counters add
    the meeting, and campaign milestones "every cell held a meeting" are checked."""
    now = now or timezone.now()
    _require_editor(by, meeting.cell)
    _require_open(meeting)
    if now < meeting.starts_at:
        raise ValidationError(
            {
                "meeting": _("Buổi họp chưa bắt đầu (%(at)s): chưa kết thúc được.")
                % {"at": _local(meeting.starts_at)}
            }
        )
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _require_open(locked)
        # Who joined the cell since the invitations and never came counts as absent too.
        _newcomers_invited(meeting)
        Attendance.objects.filter(
            meeting=meeting, status=Attendance.Status.ABSENCE_REPORTED
        ).update(status=Attendance.Status.EXCUSED)
        Attendance.objects.filter(meeting=meeting, status=Attendance.Status.INVITED).update(
            status=Attendance.Status.UNEXCUSED
        )
        statuses = list(Attendance.objects.filter(meeting=meeting).values_list("status", flat=True))
        meeting.status, meeting.closed_at, meeting.closed_by = (
            Meeting.Status.CLOSED,
            now,
            actor_user(by),
        )
        meeting.save(update_fields=["status", "closed_at", "closed_by"])
        deltas = {(meeting.cell_id, key): n for key, n in attendance_keys(statuses).items()}
        month = _month(meeting.starts_at)
        if not _held_in_month(meeting, month):
            deltas[(meeting.cell_id, f"mt.cells.{month}")] = 1
        counts_changed(deltas)
        Vote.objects.filter(meeting=meeting, status=Vote.Status.OPEN).update(
            status=Vote.Status.CLOSED, closed_at=now
        )
        _milestones_after(meeting, now)
        audit_log(
            actor=by,
            action="meeting.close",
            object_type="meeting",
            object_id=meeting.pk,
            detail={"statuses": {k: v for (_c, k), v in deltas.items()}},
            ctx=ctx,
        )
    return meeting


def _held_in_month(meeting: Meeting, month: str) -> bool:
    """Whether the cell closed another meeting that started in this month."""
    year, number = (int(x) for x in month.split("-"))
    start = timezone.make_aware(datetime(year, number, 1))
    end = timezone.make_aware(
        datetime(year + number // 12, number % 12 + 1, 1),
    )
    return (
        Meeting.objects.filter(
            cell_id=meeting.cell_id,
            status=Meeting.Status.CLOSED,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .exclude(pk=meeting.pk)
        .exists()
    )


def unit_cells_met(unit: Org, since: date) -> bool:
    """Whether every active cell in the unit's subtree has held a meeting that started on or
    after `since` (the campaign's start)."""
    cells = Org.objects.filter(
        path__startswith=unit.path, kind__in=MEETING_KINDS, status=Org.Status.ACTIVE
    )
    start = timezone.make_aware(datetime(since.year, since.month, since.day))
    met = Meeting.objects.filter(
        cell__path__startswith=unit.path, status=Meeting.Status.CLOSED, starts_at__gte=start
    ).values("cell_id")
    return cells.exists() and not cells.exclude(id__in=met).exists()


def _milestones_after(meeting: Meeting, at: datetime) -> None:
    """Each campaign unit above the cell whose cells have all met since the campaign started
    reaches its "every cell held a meeting on the handbook" milestones."""
    day = timezone.localtime(meeting.starts_at).date()
    for milestone in Milestone.objects.filter(
        condition=Milestone.Condition.MEETING_HELD,
        campaign__starts_on__lte=day,
    ).select_related("campaign__root"):
        unit = unit_of(milestone.campaign, meeting.cell)
        if unit is not None and unit_cells_met(unit, milestone.campaign.starts_on):
            milestone_reached(milestone=milestone, unit=unit, at=at)


# -- After the meeting: minutes and votes ----------------------------------------------------


def minutes_post(
    *,
    meeting: Meeting,
    minutes: str,
    resolutions: str = "",
    by: Any,
    ctx: AuditContext | None = None,
    now: datetime | None = None,
) -> Meeting:
    """Post (or correct) the minutes and resolutions, once the meeting has started."""
    now = now or timezone.now()
    _require_editor(by, meeting.cell)
    if now < meeting.starts_at:
        raise ValidationError({"minutes": _("Buổi họp chưa diễn ra: chưa đăng biên bản được.")})
    if not minutes.strip():
        raise ValidationError({"minutes": _("Nhập nội dung biên bản.")})
    with transaction.atomic():
        meeting.minutes, meeting.resolutions = minutes.strip(), resolutions.strip()
        meeting.minutes_posted_at = now
        meeting.save(update_fields=["minutes", "resolutions", "minutes_posted_at"])
        audit_log(
            actor=by,
            action="meeting.minutes",
            object_type="meeting",
            object_id=meeting.pk,
            ctx=ctx,
        )
    return meeting


def vote_open(
    *,
    meeting: Meeting,
    question: str,
    by: Any,
    ctx: AuditContext | None = None,
    now: datetime | None = None,
) -> Vote:
    _require_editor(by, meeting.cell)
    _require_open(meeting, "question")
    if not question.strip():
        raise ValidationError({"question": _("Nhập nội dung cần biểu quyết.")})
    with transaction.atomic():
        vote = Vote.objects.create(
            meeting=meeting,
            question=question.strip()[:500],
            opened_at=now or timezone.now(),
            created_by=actor_user(by),
        )
        audit_log(
            actor=by,
            action="meeting.vote.open",
            object_type="meeting",
            object_id=meeting.pk,
            detail={"vote": vote.pk},
            ctx=ctx,
        )
    return vote


def vote_close(
    *, vote: Vote, by: Any, ctx: AuditContext | None = None, now: datetime | None = None
) -> Vote:
    _require_editor(by, vote.meeting.cell)
    if vote.status == Vote.Status.CLOSED:
        raise ValidationError({"vote": _("Biểu quyết này đã kết thúc.")})
    with transaction.atomic():
        vote.status, vote.closed_at = Vote.Status.CLOSED, now or timezone.now()
        vote.save(update_fields=["status", "closed_at"])
        audit_log(
            actor=by,
            action="meeting.vote.close",
            object_type="meeting",
            object_id=vote.meeting_id,
            detail={"vote": vote.pk, "tally": vote_tally(vote)},
            ctx=ctx,
        )
    return vote


def ballot_cast(
    *,
    vote: Vote,
    member: Member | None,
    by: Any,
    choice: str,
    ctx: AuditContext | None = None,
    now: datetime | None = None,
) -> Ballot:
    """A member of the cell votes, once, while the vote is open."""
    meeting = vote.meeting
    if not member_of_cell(member, meeting.cell):
        raise ValidationError(
            {
                "choice": _("Chỉ đảng viên của %(cell)s mới được biểu quyết.")
                % {"cell": meeting.cell.name}
            }
        )
    assert member is not None
    if vote.status != Vote.Status.OPEN:
        raise ValidationError({"choice": _("Biểu quyết đã kết thúc: không bỏ phiếu được nữa.")})
    if choice not in Ballot.Choice.values:
        raise ValidationError(
            {"choice": _("Chọn tán thành, không tán thành hoặc không biểu quyết.")}
        )
    if Ballot.objects.filter(vote=vote, member=member).exists():
        raise ValidationError({"choice": _("Đồng chí đã biểu quyết, mỗi người một lần.")})
    try:
        with transaction.atomic():
            ballot = Ballot.objects.create(
                vote=vote, member=member, choice=choice, at=now or timezone.now()
            )
            audit_log(
                actor=by,
                action="meeting.vote.ballot",
                object_type="meeting",
                object_id=meeting.pk,
                detail={"vote": vote.pk},
                ctx=ctx,
            )
    except IntegrityError:
        raise ValidationError({"choice": _("Đồng chí đã biểu quyết, mỗi người một lần.")}) from None
    return ballot


def vote_tally(vote: Vote) -> dict[str, int]:
    tally = dict.fromkeys(Ballot.Choice.values, 0)
    for choice in vote.ballots.values_list("choice", flat=True):
        tally[choice] += 1
    return tally


# -- Counters from the data ------------------------------------------------------------------


def rebuild_counts() -> list[tuple[tuple[int, str], int]]:
    """Every meeting counter recomputed from the rows (for `partyorg rollups rebuild`)."""
    out: list[tuple[tuple[int, str], int]] = []
    for cell_id in (
        Attendance.objects.filter(checked_in_at__isnull=False)
        .values_list("meeting__cell_id", flat=True)
        .iterator(chunk_size=20000)
    ):
        out.append(((cell_id, "mt.checkins"), 1))
    statuses: defaultdict[int, list[str]] = defaultdict(list)
    for meeting_id, status in (
        Attendance.objects.filter(meeting__status=Meeting.Status.CLOSED)
        .values_list("meeting_id", "status")
        .iterator(chunk_size=20000)
    ):
        statuses[meeting_id].append(status)
    months: set[tuple[int, str]] = set()
    for meeting_id, cell_id, starts_at in Meeting.objects.filter(
        status=Meeting.Status.CLOSED
    ).values_list("id", "cell_id", "starts_at"):
        for key, n in attendance_keys(statuses[meeting_id]).items():
            out.append(((cell_id, key), n))
        months.add((cell_id, _month(starts_at)))
    out += [((cell_id, f"mt.cells.{month}"), 1) for cell_id, month in months]
    return out
