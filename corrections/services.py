"""Every change to a correction request: filing, the steps up the tree, the member's answer,
the decision and its write to the record, the counters, the overdue flags and the purge of
attachments. Each write is one transaction with its audit row and its notifications."""

import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from access.models import Role
from access.scope import can
from access.selectors import holders_at
from accounts.models import User
from audit.services import AuditContext, actor_user, audit_log
from core.crypto import decrypt, encrypt
from lib.docfiles import DocLimits, DocumentRefused, check_document
from lib.vn.dates import parse_date
from members.models import Member, Sex, Source
from members.services import clean_record, member_issue_card, member_update
from notices.services import notify
from orgs.rollups import counts_changed

from .models import OPEN_STATUSES, Action, Request, Status, Step
from .policy import LEVEL_NAMES, competent, due_from, level_for

# Photos and scans only: a PDF or an image.
ATTACHMENT_EXTENSIONS = frozenset({".pdf", ".png", ".jpg", ".jpeg", ".webp"})
DATE_FIELDS = frozenset({"birth_date", "admission_date", "official_date"})
MAX_TEXT = 2000


# -- Values ------------------------------------------------------------------------------------


def field_label(field: str) -> str:
    try:
        return str(getattr(Member._meta.get_field(field), "verbose_name", field)).capitalize()
    except Exception:
        return field


def value_text(member: Member, field: str) -> str:
    """A field's value as people read it (dates dd/mm/yyyy, sex as a word)."""
    value = getattr(member, field, "")
    if field == "sex":
        return str(member.get_sex_display())
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else str(value)


def _proposed(member: Member, field: str, text: str) -> tuple[Any, str]:
    """The proposed value read and checked by the rules of every write to the record: (value
    for the writer, text to show). ValidationError on "proposed_value" with the rule's message."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"proposed_value": _("Hãy nhập giá trị đúng.")})
    value: Any = text
    if field in DATE_FIELDS:
        parsed, problems = parse_date(text, today=timezone.localdate())
        errors = [p for p in problems if p.severity == "error"]
        if parsed is None or errors or parsed.precision != "day":
            message = (
                (errors[0].message_vi if get_language() != "en" else errors[0].message_en)
                if errors
                else _("Ngày không hợp lệ (dd/mm/yyyy).")
            )
            raise ValidationError({"proposed_value": message})
        value = parsed.as_date()
    elif field == "sex":
        words = {
            "nam": Sex.MALE,
            "m": Sex.MALE,
            "nữ": Sex.FEMALE,
            "nu": Sex.FEMALE,
            "f": Sex.FEMALE,
        }
        if text.lower() not in words:
            raise ValidationError({"proposed_value": _("Giới tính phải là Nam hoặc Nữ.")})
        value = words[text.lower()]
    if field == "card_number":
        number = "".join(text.split())
        if len(number) != 8 or not number.isdigit():
            raise ValidationError({"proposed_value": _("Số thẻ đảng viên phải gồm đúng 8 chữ số.")})
        if Member.objects.filter(card_number=number).exclude(pk=member.pk).exists():
            raise ValidationError(
                {"proposed_value": _("Số thẻ %(n)s đã cấp cho đảng viên khác.") % {"n": number}}
            )
        value = number
    else:
        try:
            record = clean_record({field: value}, instance=member)
        except ValidationError as error:
            messages = [m for ms in error.message_dict.values() for m in ms]
            raise ValidationError({"proposed_value": " ".join(messages)}) from None
        value = record[field]
    shown = value.strftime("%d/%m/%Y") if isinstance(value, date) else str(value)
    if field == "sex":
        shown = str(Sex(value).label)
    if getattr(member, field) == value:
        raise ValidationError(
            {"proposed_value": _("Giá trị đề nghị giống giá trị đang có trong hồ sơ.")}
        )
    return value, shown


# -- Attachments --------------------------------------------------------------------------------


def _attachment_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "corrections"


def _store_attachment(upload: UploadedFile) -> tuple[str, str, str, int]:
    """Check a photo or scan (lib/docfiles.py) and keep it encrypted; returns (relative path,
    name, content type, size). ValidationError on "attachment" when refused."""
    mb = settings.PARTYORG_CORRECTION_MAX_MB
    name = (upload.name or "tep").replace("\\", "/").rsplit("/", 1)[-1][:200]
    if Path(name).suffix.lower() not in ATTACHMENT_EXTENSIONS:
        raise ValidationError(
            {
                "attachment": _("Tệp %(name)s: chỉ nhận ảnh (PNG, JPEG, WebP) hoặc tệp PDF.")
                % {"name": name}
            }
        )
    if (upload.size or 0) > mb << 20:
        raise ValidationError(
            {
                "attachment": _("Tệp %(name)s lớn hơn %(mb)d MB; hãy chụp lại nhỏ hơn.")
                % {"name": name, "mb": mb}
            }
        )
    data = b"".join(upload.chunks())
    folder = _attachment_dir()
    folder.mkdir(parents=True, exist_ok=True)
    plain = folder / f".check-{uuid.uuid4().hex}{Path(name).suffix.lower()}"
    try:
        plain.write_bytes(data)
        plain.chmod(0o600)
        checked = check_document(plain, name=name, limits=DocLimits(max_bytes=mb << 20))
    except DocumentRefused as error:
        raise ValidationError({"attachment": error.shown(get_language())}) from None
    finally:
        plain.unlink(missing_ok=True)
    target = folder / f"{uuid.uuid4().hex}{checked.extension}.enc"
    target.write_bytes(encrypt(data))
    return str(target.relative_to(settings.MEDIA_ROOT)), name, checked.content_type, len(data)


def attachment_bytes(request: Request) -> bytes:
    return decrypt((Path(settings.MEDIA_ROOT) / request.attachment_path).read_bytes())


def _drop_file(relative: str) -> None:
    if relative:
        (Path(settings.MEDIA_ROOT) / relative).unlink(missing_ok=True)


# -- Counters -----------------------------------------------------------------------------------

# At the level a request sits: to review, overdue, waiting for the member. At the member's unit:
# opened and decided (the campaign dashboard's figures).
REVIEW, OVERDUE, WAITING, OPENED, DECIDED = (
    "corr.review",
    "corr.overdue",
    "corr.waiting",
    "corr.opened",
    "corr.decided",
)


def _keys(request: Request) -> Iterator[tuple[int, str]]:
    if request.status == Status.REVIEW:
        yield request.org_id, REVIEW
        if request.overdue:
            yield request.org_id, OVERDUE
    elif request.status == Status.WAITING:
        yield request.org_id, WAITING
    yield request.unit_id, OPENED
    if request.status not in OPEN_STATUSES:
        yield request.unit_id, DECIDED


def _count(deltas: defaultdict[tuple[int, str], int], request: Request, sign: int) -> None:
    for key in _keys(request):
        deltas[key] += sign


def counts_rebuilt() -> Iterator[tuple[tuple[int, str], int]]:
    """Every request's counters, from the rows (orgs.rollups.rollups_rebuild)."""
    for request in Request.objects.only("org_id", "unit_id", "status", "overdue").iterator():
        for key in _keys(request):
            yield key, 1


# -- Notifications -----------------------------------------------------------------------------


def _tell_member(
    request: Request, title: str, body: str = "", ctx: AuditContext | None = None
) -> None:
    users = User.objects.filter(member_id=request.member_id).values_list("pk", flat=True)
    notify(
        users,
        kind="correction",
        title=title,
        body=body,
        url=reverse("corrections:mine_detail", kwargs={"request_id": request.pk}),
        ctx=ctx,
    )


def _tell_level(request: Request, ctx: AuditContext | None = None) -> None:
    """Tell the officials of the level a request just reached (not those above: their queues
    count it, their phones stay quiet)."""
    notify(
        holders_at(request.org_id, Role.EDITOR),
        kind="correction.queue",
        title=_("Yêu cầu đính chính cần xử lý: %(field)s") % {"field": field_label(request.field)},
        body=request.org.name,
        url=reverse("corrections:detail", kwargs={"request_id": request.pk}),
        ctx=ctx,
    )


def _step(request: Request, action: str, by: Any, note: str = "") -> Step:
    return Step.objects.create(
        request=request,
        action=action,
        org=request.org,
        by=actor_user(by),
        at=timezone.now(),
        note=note,
    )


def _text(value: str, field: str, required_message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: required_message})
    if len(value) > MAX_TEXT:
        raise ValidationError({field: _("Nội dung dài quá 2.000 ký tự.")})
    return value


# -- Filing -------------------------------------------------------------------------------------


def may_file(by: Any, member: Member) -> bool:
    """A member on their own record; an official who enters data in the member's subtree; the
    system itself (None: commands, the demo data)."""
    if by is None:
        return True
    own = getattr(by, "member_id", None) == member.pk and member.pk is not None
    return own or can(by, member.org_path, Role.EDITOR)


def request_file(
    *,
    member: Member,
    field: str,
    proposed: str,
    reason: str,
    attachment: UploadedFile | None = None,
    by: Any,
    ctx: AuditContext | None = None,
) -> Request:
    """File a correction request; it starts at the member's own organisation.

    ValidationError naming the field when the field may not be corrected by request, the value
    fails the record's rules, the reason is missing, the attachment is refused, or the same field
    already has an open request; nothing is kept then."""
    if not may_file(by, member):
        raise ValidationError({"field": _("Bạn không được gửi yêu cầu đính chính cho hồ sơ này.")})
    today = timezone.localdate()
    if level_for(field, today) is None:
        raise ValidationError(
            {
                "field": _("Trường “%(field)s” không đính chính qua yêu cầu; hãy liên hệ cấp uỷ.")
                % {"field": field_label(field)}
            }
        )
    _value, shown = _proposed(member, field, proposed)
    reason = _text(reason, "reason", _("Hãy ghi lý do, căn cứ (giấy tờ nào ghi đúng)."))
    if Request.objects.filter(member=member, field=field, status__in=OPEN_STATUSES).exists():
        raise ValidationError(
            {"field": _("Trường này đang có một yêu cầu đính chính chưa xử lý xong.")}
        )
    stored = _store_attachment(attachment) if attachment else None
    try:
        with transaction.atomic():
            request = Request.objects.create(
                member=member,
                field=field,
                current_value=value_text(member, field)[:255],
                proposed_value=shown[:255],
                reason=reason,
                org=member.org,
                org_path=member.org.path,
                unit=member.org,
                due_on=due_from(today),
                filed_by=actor_user(by),
                filed_at=timezone.now(),
            )
            if stored:
                (
                    request.attachment_path,
                    request.attachment_name,
                    request.attachment_type,
                    request.attachment_size,
                ) = stored
                request.save(
                    update_fields=[
                        "attachment_path",
                        "attachment_name",
                        "attachment_type",
                        "attachment_size",
                    ]
                )
            _step(request, Action.FILED, by, reason)
            deltas: defaultdict[tuple[int, str], int] = defaultdict(int)
            _count(deltas, request, 1)
            counts_changed(deltas)
            audit_log(
                actor=by,
                action="correction.file",
                object_type="correction",
                object_id=request.pk,
                detail={"member": member.pk, "field": field},
                ctx=ctx,
            )
            _tell_member(
                request,
                _("Đã nhận yêu cầu đính chính: %(field)s") % {"field": field_label(field)},
                _("Yêu cầu đang ở %(org)s.") % {"org": member.org.name},
                ctx,
            )
            _tell_level(request, ctx)
    except BaseException:
        if stored:
            _drop_file(stored[0])
        raise
    return request


# -- Steps up the tree ---------------------------------------------------------------------------


def _locked(request: Request) -> Request:
    """The request locked for this transaction (two officials deciding at once: the second
    waits, then sees the first one's decision)."""
    return Request.objects.select_for_update().select_related("org", "member").get(pk=request.pk)


def _require_open_at_level(request: Request) -> None:
    if request.status != Status.REVIEW:
        raise ValidationError(
            {
                "action": _(
                    "Yêu cầu này không còn chờ cấp này xử lý (%(status)s); hãy tải lại trang."
                )
                % {"status": request.get_status_display()}
            }
        )


def _require_role(by: Any, request: Request, role: str) -> None:
    # None is the system (commands, the demo data); a view always passes its user.
    if by is not None and not can(by, request.org.path, role):
        raise ValidationError(
            {
                "action": _("Bạn không có quyền xử lý yêu cầu đang ở %(org)s.")
                % {"org": request.org.name}
            }
        )


def request_act(
    *,
    request: Request,
    action: str,
    by: Any,
    note: str = "",
    ctx: AuditContext | None = None,
) -> Request:
    """One step at the level where the request sits: forward it to the level above, ask the
    member for more, reject it with a reason, or approve it (where the level is competent; the
    record then changes through members.services, its history pointing to the request).

    ValidationError (on "action" or "note") when the step is not allowed; nothing changes then."""
    with transaction.atomic():
        locked = _locked(request)
        _require_open_at_level(locked)
        needed = Role.APPROVER if action in (Action.APPROVED, Action.REJECTED) else Role.EDITOR
        _require_role(by, locked, needed)
        deltas: defaultdict[tuple[int, str], int] = defaultdict(int)
        _count(deltas, locked, -1)
        today = timezone.localdate()
        old_org = locked.org
        if action == Action.FORWARDED:
            parent = old_org.parent
            if parent is None:
                raise ValidationError({"action": _("Đây là cấp cao nhất; không chuyển lên được.")})
            locked.org, locked.org_path = parent, parent.path
            locked.due_on, locked.overdue = due_from(today), False
            title = _("Yêu cầu đính chính đã chuyển lên %(org)s") % {"org": parent.name}
        elif action == Action.ASKED:
            note = _text(note, "note", _("Hãy ghi rõ cần đảng viên bổ sung gì."))
            locked.status, locked.overdue = Status.WAITING, False
            title = _("Cấp uỷ đề nghị bạn bổ sung cho yêu cầu đính chính")
        elif action == Action.REJECTED:
            note = _text(note, "note", _("Hãy ghi lý do không duyệt."))
            locked.status, locked.overdue, locked.closed_at = Status.REJECTED, False, timezone.now()
            title = _("Yêu cầu đính chính không được duyệt")
        elif action == Action.APPROVED:
            if not competent(old_org.kind, locked.field, today):
                level = level_for(locked.field, today) or ""
                raise ValidationError(
                    {
                        "action": _(
                            "%(org)s không có thẩm quyền duyệt trường “%(field)s” (thuộc %(level)s);"
                            " hãy chuyển lên cấp trên."
                        )
                        % {
                            "org": old_org.name,
                            "field": field_label(locked.field),
                            "level": LEVEL_NAMES.get(level, level),
                        }
                    }
                )
            _apply(locked, by, ctx)
            locked.status, locked.overdue, locked.closed_at = Status.APPROVED, False, timezone.now()
            title = _("Yêu cầu đính chính đã được duyệt; hồ sơ đã sửa")
        else:
            raise ValidationError({"action": _("Thao tác không hợp lệ.")})
        locked.save(update_fields=["org", "org_path", "status", "due_on", "overdue", "closed_at"])
        Step.objects.create(
            request=locked,
            action=action,
            org=old_org,
            by=actor_user(by),
            at=timezone.now(),
            note=note.strip(),
        )
        _count(deltas, locked, 1)
        counts_changed(deltas)
        audit_log(
            actor=by,
            action=f"correction.{action}",
            object_type="correction",
            object_id=locked.pk,
            detail={"member": locked.member_id, "org": old_org.code},
            ctx=ctx,
        )
        _tell_member(locked, title, note, ctx)
        if action == Action.FORWARDED:
            _tell_level(locked, ctx)
    return locked


def _apply(request: Request, by: Any, ctx: AuditContext | None) -> None:
    """Write the approved value through the one writer of the record; a rule it breaks now
    (the record changed since the request was filed) refuses the approval with its message."""
    member = Member.objects.select_for_update().get(pk=request.member_id)
    ref = f"correction {request.pk}"
    try:
        value, _shown = _proposed(member, request.field, request.proposed_value)
        if request.field == "card_number":
            member_issue_card(
                member=member,
                card_number=value,
                on=timezone.localdate(),
                by=by,
                reissue=bool(member.card_number),
                source=Source.CORRECTION,
                source_ref=ref,
                ctx=ctx,
            )
        else:
            member_update(
                member=member,
                changes={request.field: value},
                by=by,
                source=Source.CORRECTION,
                source_ref=ref,
                ctx=ctx,
            )
    except ValidationError as error:
        messages = (
            [m for ms in error.message_dict.values() for m in ms]
            if hasattr(error, "error_dict")
            else error.messages
        )
        raise ValidationError(
            {"action": _("Không duyệt được: %(why)s") % {"why": " ".join(messages)}}
        ) from None


def request_answer(
    *,
    request: Request,
    note: str,
    attachment: UploadedFile | None = None,
    by: Any,
    ctx: AuditContext | None = None,
) -> Request:
    """The member answers a request for more: it goes back to the level that asked."""
    note = _text(note, "note", _("Hãy ghi nội dung bổ sung."))
    stored = _store_attachment(attachment) if attachment else None
    try:
        with transaction.atomic():
            locked = _locked(request)
            if by is not None and getattr(by, "member_id", None) != locked.member_id:
                raise ValidationError({"note": _("Chỉ đảng viên có hồ sơ mới trả lời được.")})
            if locked.status != Status.WAITING:
                raise ValidationError({"note": _("Yêu cầu này không chờ bạn bổ sung.")})
            deltas: defaultdict[tuple[int, str], int] = defaultdict(int)
            _count(deltas, locked, -1)
            old_file = ""
            if stored:
                old_file = locked.attachment_path
                (
                    locked.attachment_path,
                    locked.attachment_name,
                    locked.attachment_type,
                    locked.attachment_size,
                ) = stored
            locked.status = Status.REVIEW
            locked.due_on = due_from(timezone.localdate())
            locked.save(
                update_fields=[
                    "status",
                    "due_on",
                    "attachment_path",
                    "attachment_name",
                    "attachment_type",
                    "attachment_size",
                ]
            )
            _step(locked, Action.ANSWERED, by, note)
            _count(deltas, locked, 1)
            counts_changed(deltas)
            audit_log(
                actor=by,
                action="correction.answered",
                object_type="correction",
                object_id=locked.pk,
                detail={"member": locked.member_id},
                ctx=ctx,
            )
            _tell_member(locked, _("Đã gửi nội dung bổ sung cho yêu cầu đính chính"), "", ctx)
            _tell_level(locked, ctx)
            if old_file:
                transaction.on_commit(lambda: _drop_file(old_file))
    except BaseException:
        if stored:
            _drop_file(stored[0])
        raise
    return locked


def attachment_read(*, request: Request, by: Any, ctx: AuditContext | None = None) -> bytes:
    """The attachment's bytes, with the read audited (it is personal data)."""
    data = attachment_bytes(request)
    audit_log(
        actor=by,
        action="correction.attachment",
        object_type="correction",
        object_id=request.pk,
        detail={"member": request.member_id},
        ctx=ctx,
    )
    return data


# -- Periodic jobs ------------------------------------------------------------------------------


def requests_mark_overdue(today: date | None = None) -> int:
    """Flag requests whose level let the deadline pass; returns how many were flagged."""
    today = today or timezone.localdate()
    with transaction.atomic():
        late = list(
            Request.objects.select_for_update()
            .filter(status=Status.REVIEW, overdue=False, due_on__lt=today)
            .only("id", "org_id")
        )
        if not late:
            return 0
        Request.objects.filter(pk__in=[r.pk for r in late]).update(overdue=True)
        deltas: defaultdict[tuple[int, str], int] = defaultdict(int)
        for request in late:
            deltas[(request.org_id, OVERDUE)] += 1
        counts_changed(deltas)
    return len(late)


def attachments_purge(now: Any = None) -> int:
    """Delete the attachments of requests closed more than PARTYORG_CORRECTION_KEEP_DAYS ago."""
    now = now or timezone.now()
    before = now - timedelta(days=settings.PARTYORG_CORRECTION_KEEP_DAYS)
    done = 0
    for request in Request.objects.filter(
        closed_at__lt=before, attachment_deleted_at__isnull=True
    ).exclude(attachment_path=""):
        with transaction.atomic():
            path = request.attachment_path
            request.attachment_deleted_at = now
            request.save(update_fields=["attachment_deleted_at"])
            audit_log(
                actor=None,
                action="correction.attachment_deleted",
                object_type="correction",
                object_id=request.pk,
            )
            transaction.on_commit(lambda path=path: _drop_file(path))  # type: ignore[misc]
        done += 1
    return done
