"""Officials given access (by sheet or one at a time), their first-login links, difficulties
reported up to the province's desk and the centre, and the FAQ. Every change audited, each in
one transaction."""

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from access.models import ROLE_RANK, Grant, Role
from access.scope import active_grants, can
from access.services import grant_create
from accounts.models import User
from accounts.oidc import eid_enabled
from audit.services import AuditContext, audit_log
from core.live import publish
from lib.docfiles import IMAGES, DocLimits, DocumentRefused, check_document
from lib.vn.cccd import mask_cccd
from lib.vn.text import fold
from notices.services import notify
from orgs.models import Kind, Org

from .models import Difficulty, DifficultyStep, FaqEntry, Official, SheetUpload
from .sheet import SheetCheck, check_sheet

INVITE_DAYS = 7
# How long each step may wait: the province's desk, the centre's, and a reporter asked for more.
DESK_DAYS = 2
CENTRE_DAYS = 5
REPORTER_DAYS = 5
SCREENSHOT_MAX = 5 * 1024 * 1024
# A screenshot comes from the browser without a name: its first bytes give the one it is
# checked under (a file starting with none of these is refused as not a picture).
SCREENSHOT_MAGIC = {b"\x89PNG\r\n\x1a\n": ".png", b"\xff\xd8\xff": ".jpg", b"RIFF": ".webp"}
PROVINCE_KINDS = (Kind.PROVINCE, Kind.CENTRAL_COMMITTEE)


def _digest(secret: str) -> str:
    return hashlib.sha256(("partyorg-invite:" + secret).encode()).hexdigest()


def _username(cccd: str) -> str:
    # Not the CCCD itself: usernames are shown on screen and written as the audit's actor label.
    return "cb-" + hashlib.sha256(("partyorg-official:" + cccd).encode()).hexdigest()[:10]


# Officials -----------------------------------------------------------------------------------


def _official_for(
    *, by: User, cccd: str, full_name: str, phone: str, email: str, ctx: AuditContext | None
) -> tuple[Official, str | None]:
    """The official with this CCCD, created (with their user, keyed by the CCCD) when new; and
    the secret of a first-login link when a new local account needs one (no e-ID)."""
    official = Official.objects.select_related("user").filter(cccd=cccd).first()
    if official is not None:
        return official, None
    user = User.objects.filter(cccd=cccd).first()
    secret = None
    now = timezone.now()
    if user is None:
        user = User(username=_username(cccd), cccd=cccd, first_name=full_name[:150])
        user.email = email
        user.set_unusable_password()
        user.save()
        audit_log(
            actor=by,
            action="user.create.official",
            object_type="user",
            object_id=user.pk,
            detail={"cccd": mask_cccd(cccd)},
            ctx=ctx,
        )
    official = Official(
        cccd=cccd,
        full_name=full_name,
        phone=phone,
        email=email,
        user=user,
        created_by=by,
        created_at=now,
    )
    if not eid_enabled() and not user.has_usable_password():
        secret = secrets.token_urlsafe(24)
        official.invite_digest = _digest(secret)
        official.invite_expires_at = now + timedelta(days=INVITE_DAYS)
    official.save()
    audit_log(
        actor=by,
        action="official.create",
        object_type="official",
        object_id=official.pk,
        detail={"cccd": mask_cccd(cccd), "invite": secret is not None},
        ctx=ctx,
    )
    return official, secret


def _grant_for(
    *, by: User, user: User, org: Org, role: str, expires_at: datetime | None, ctx: Any
) -> str:
    """Grant unless the same current grant is there; returns what was done."""
    now = timezone.now()
    grant = (
        Grant.objects.filter(user=user, org=org, role=role, revoked_at__isnull=True)
        .exclude(expires_at__lte=now)
        .first()
    )
    if grant is None:
        grant_create(by=by, user=user, org=org, role=role, expires_at=expires_at, ctx=ctx)
        return "grant"
    if grant.expires_at == expires_at:
        return "same"
    grant.expires_at = expires_at
    grant.save(update_fields=["expires_at"])
    audit_log(
        actor=by,
        action="grant.expiry",
        object_type="grant",
        object_id=grant.pk,
        detail={"expires_at": expires_at.isoformat() if expires_at else None},
        ctx=ctx,
    )
    return "expiry"


def official_add(
    *,
    by: User,
    cccd: str,
    full_name: str,
    org: Org,
    role: str,
    expires_at: datetime | None = None,
    phone: str = "",
    email: str = "",
    ctx: AuditContext | None = None,
) -> tuple[Official, str | None]:
    """One official from the page: checked like a sheet's row (grant_create checks the role)."""
    with transaction.atomic():
        official, secret = _official_for(
            by=by, cccd=cccd, full_name=full_name, phone=phone, email=email, ctx=ctx
        )
        _grant_for(by=by, user=official.user, org=org, role=role, expires_at=expires_at, ctx=ctx)
    return official, secret


def sheet_upload(*, by: User, name: str, data: bytes, ctx: AuditContext | None) -> SheetUpload:
    upload = SheetUpload.objects.create(
        by=by,
        name=name[:255],
        data=data,
        digest=hashlib.sha256(data).hexdigest(),
        uploaded_at=timezone.now(),
    )
    audit_log(
        actor=by,
        action="rollout.sheet.upload",
        object_type="sheet",
        object_id=upload.pk,
        detail={"name": upload.name, "bytes": len(data)},
        ctx=ctx,
    )
    return upload


def sheet_check(upload: SheetUpload) -> SheetCheck:
    return check_sheet(by=upload.by, data=bytes(upload.data), name=upload.name)


def sheet_apply(
    *, by: User, upload: SheetUpload, ctx: AuditContext | None = None
) -> tuple[SheetCheck, dict[str, int], list[tuple[Official, str]]]:
    """Apply a sheet with no error, in one transaction; a sheet with any is refused whole.

    Returns the check, what was done ({"new": officials, "grant", "expiry", "same"}), and the
    first-login links of the new local accounts (secrets shown once)."""
    check = check_sheet(by=by, data=bytes(upload.data), name=upload.name)
    if not check.ok:
        raise ValidationError(
            _("Bảng có %(n)d dòng lỗi: sửa rồi tải lên lại; chưa có gì được ghi.")
            % {"n": check.bad_rows}
            if not check.error
            else check.error
        )
    done = {"new": 0, "grant": 0, "expiry": 0, "same": 0}
    invites: list[tuple[Official, str]] = []
    with transaction.atomic():
        for row in check.rows:
            assert row.cccd and row.org and row.role
            known = Official.objects.filter(cccd=row.cccd).exists()
            official, secret = _official_for(
                by=by,
                cccd=row.cccd,
                full_name=row.full_name,
                phone=row.phone,
                email=row.email,
                ctx=ctx,
            )
            if not known and official.created_by_id == by.pk:
                done["new"] += 1
            if secret:
                invites.append((official, secret))
            action = _grant_for(
                by=by,
                user=official.user,
                org=row.org,
                role=row.role,
                expires_at=row.expires_at,
                ctx=ctx,
            )
            done[action] += 1
        # The sheet's personal data is not kept once applied (the grants and the audit are).
        upload.applied_at = timezone.now()
        upload.data = b""
        upload.save(update_fields=["applied_at", "data"])
        audit_log(
            actor=by,
            action="rollout.sheet.apply",
            object_type="sheet",
            object_id=upload.pk,
            detail={"name": upload.name, "rows": len(check.rows), **done},
            ctx=ctx,
        )
    return check, done, invites


def invite_renew(*, by: User, official: Official, ctx: AuditContext | None = None) -> str:
    """A new first-login link for an official who has not used theirs (the old one dies)."""
    if official.user.has_usable_password():
        raise ValidationError(_("Cán bộ này đã đặt mật khẩu."))
    secret = secrets.token_urlsafe(24)
    with transaction.atomic():
        official.invite_digest = _digest(secret)
        official.invite_expires_at = timezone.now() + timedelta(days=INVITE_DAYS)
        official.invite_used_at = None
        official.save(update_fields=["invite_digest", "invite_expires_at", "invite_used_at"])
        audit_log(
            actor=by,
            action="official.invite",
            object_type="official",
            object_id=official.pk,
            ctx=ctx,
        )
    return secret


def official_by_invite(secret: str) -> Official | None:
    """The official whose live, unused first-login link this is."""
    if not secret:
        return None
    return (
        Official.objects.select_related("user")
        .filter(
            invite_digest=_digest(secret),
            invite_used_at__isnull=True,
            invite_expires_at__gt=timezone.now(),
            user__is_active=True,
        )
        .first()
    )


def invite_use(*, official: Official, password: str, ctx: AuditContext | None = None) -> User:
    """Set the password of a first login; the link works once. The second factor comes next."""
    with transaction.atomic():
        locked = Official.objects.select_for_update().get(pk=official.pk)
        if locked.invite_used_at is not None:
            raise ValidationError(_("Đường dẫn này đã được dùng."))
        user = locked.user
        user.set_password(password)
        user.save(update_fields=["password"])
        locked.invite_used_at = timezone.now()
        locked.invite_digest = ""
        locked.save(update_fields=["invite_used_at", "invite_digest"])
        audit_log(
            actor=user,
            action="official.first_login",
            object_type="user",
            object_id=user.pk,
            ctx=ctx,
        )
    return user


# Difficulties --------------------------------------------------------------------------------


def home_unit(user: User) -> Org | None:
    """The unit an official reports from: where they hold their highest grant (the shallowest)."""
    grants = sorted(active_grants(user), key=lambda g: (g.org.depth, -ROLE_RANK[Role(g.role)]))
    return grants[0].org if grants else None


def root_org() -> Org:
    return Org.objects.get(parent__isnull=True, kind=Kind.CENTRAL)


def province_of(org: Org) -> Org:
    """The province (or the centre's own committee) above or at `org`; the centre at the top."""
    found = (
        Org.objects.filter(path__in=org.ancestor_paths(), kind__in=PROVINCE_KINDS)
        .order_by("-depth")
        .first()
    )
    return found or root_org()


def desk_users(desk: Org) -> list[int]:
    """Who answers at a desk: the holders of a current approver or admin grant at it."""
    now = timezone.now()
    return sorted(
        set(
            Grant.objects.filter(
                org=desk,
                role__in=[Role.APPROVER, Role.ADMIN],
                revoked_at__isnull=True,
                user__is_active=True,
            )
            .exclude(expires_at__lte=now)
            .values_list("user_id", flat=True)
        )
    )


def may_answer(actor: Any, difficulty: Difficulty) -> bool:
    return can(actor, difficulty.desk.path, Role.APPROVER)


def screenshot_check(data: bytes) -> str:
    """The content type of an acceptable screenshot (the one guard, lib/docfiles.py);
    ValidationError naming the field."""
    # Bytes of no picture type get no extension: the guard then says which types it takes.
    kind = next((e for magic, e in SCREENSHOT_MAGIC.items() if data.startswith(magic)), "")
    try:
        checked = check_document(
            data,
            name=f"anh-chup{kind}",
            limits=DocLimits(max_bytes=SCREENSHOT_MAX),
            accept=IMAGES,
        )
    except DocumentRefused as error:
        reason = error.shown(get_language(), named=False)
        raise ValidationError({"screenshot": _("Ảnh chụp màn hình: %s") % reason}) from None
    return checked.content_type


def _step(
    difficulty: Difficulty, kind: str, by: User, text: str, due_at: datetime | None
) -> DifficultyStep:
    return DifficultyStep.objects.create(
        difficulty=difficulty,
        kind=kind,
        actor=by,
        desk=difficulty.desk,
        text=text,
        at=timezone.now(),
        due_at=due_at,
    )


def _tell(
    users: list[int], difficulty: Difficulty, title: str, body: str, ctx: AuditContext | None
) -> None:
    from django.urls import reverse

    notify(
        users,
        kind="rollout.difficulty",
        title=title,
        body=body[:500],
        url=reverse("rollout:difficulty", args=[difficulty.pk]),
        ctx=ctx,
    )


def _changed(difficulty: Difficulty, *desks: Org) -> None:
    publish({d.path for d in desks} | {difficulty.desk.path})


def difficulty_report(
    *,
    by: User,
    doing: str,
    description: str,
    page_url: str = "",
    screenshot: bytes | None = None,
    ctx: AuditContext | None = None,
) -> Difficulty:
    unit = home_unit(by)
    if unit is None:
        raise ValidationError(_("Chỉ cán bộ được phân quyền mới báo khó khăn ở đây."))
    errors = {}
    if not doing.strip():
        errors["doing"] = _("Hãy ghi bạn đang làm gì.")
    if not description.strip():
        errors["description"] = _("Hãy mô tả khó khăn.")
    if errors:
        raise ValidationError(errors)
    content_type = screenshot_check(screenshot) if screenshot else ""
    province = province_of(unit)
    now = timezone.now()
    days = CENTRE_DAYS if province.parent_id is None else DESK_DAYS
    with transaction.atomic():
        difficulty = Difficulty.objects.create(
            reporter=by,
            org=unit,
            desk=province,
            province=province,
            doing=doing.strip()[:200],
            description=description.strip()[:5000],
            page_url=_own_page(page_url),
            screenshot=screenshot or None,
            screenshot_type=content_type,
            escalated=province.parent_id is None,
            status=Difficulty.Status.ESCALATED
            if province.parent_id is None
            else Difficulty.Status.OPEN,
            created_at=now,
            due_at=now + timedelta(days=days),
        )
        _step(difficulty, DifficultyStep.Kind.REPORT, by, difficulty.description, difficulty.due_at)
        audit_log(
            actor=by,
            action="difficulty.report",
            object_type="difficulty",
            object_id=difficulty.pk,
            detail={"desk": province.code, "screenshot": bool(screenshot)},
            ctx=ctx,
        )
        _tell(
            [by.pk],
            difficulty,
            _("Đã gửi khó khăn tới %(desk)s") % {"desk": province.name},
            _("Hạn trả lời: %(due)s.")
            % {"due": timezone.localtime(difficulty.due_at).strftime("%d/%m/%Y")},
            ctx,
        )
        _tell(
            [u for u in desk_users(province) if u != by.pk],
            difficulty,
            _("Khó khăn mới từ %(org)s") % {"org": unit.name},
            difficulty.doing,
            ctx,
        )
        _changed(difficulty)
    return difficulty


def _own_page(url: str) -> str:
    """A page of this site (a path), or nothing: the desk follows it as a link."""
    url = url.strip()[:500]
    if (
        not url.startswith("/")
        or url.startswith("//")
        or "\\" in url
        or any(c.isspace() or ord(c) < 32 for c in url)
    ):
        return ""
    return url


def _open_for_desk(difficulty: Difficulty) -> None:
    if difficulty.status == Difficulty.Status.ANSWERED:
        raise ValidationError(_("Khó khăn này đã được trả lời."))


def difficulty_answer(
    *, by: User, difficulty: Difficulty, text: str, ctx: AuditContext | None = None
) -> Difficulty:
    return _desk_step(by, difficulty, DifficultyStep.Kind.ANSWER, text, ctx)


def difficulty_ask(
    *, by: User, difficulty: Difficulty, text: str, ctx: AuditContext | None = None
) -> Difficulty:
    return _desk_step(by, difficulty, DifficultyStep.Kind.ASK, text, ctx)


def difficulty_escalate(
    *, by: User, difficulty: Difficulty, text: str, ctx: AuditContext | None = None
) -> Difficulty:
    return _desk_step(by, difficulty, DifficultyStep.Kind.ESCALATE, text, ctx)


def _desk_step(
    by: User, difficulty: Difficulty, kind: str, text: str, ctx: AuditContext | None
) -> Difficulty:
    if not may_answer(by, difficulty):
        raise ValidationError(_("Bạn không trả lời khó khăn ở bàn này."))
    _open_for_desk(difficulty)
    if not text.strip():
        raise ValidationError({"text": _("Hãy ghi nội dung.")})
    now = timezone.now()
    old_desk = difficulty.desk
    with transaction.atomic():
        if kind == DifficultyStep.Kind.ANSWER:
            difficulty.status = Difficulty.Status.ANSWERED
            difficulty.answered_at = now
            title = _("Khó khăn của bạn đã được trả lời")
        elif kind == DifficultyStep.Kind.ASK:
            difficulty.status = Difficulty.Status.ASKED
            difficulty.due_at = now + timedelta(days=REPORTER_DAYS)
            title = _("Cần bạn bổ sung thông tin về khó khăn đã báo")
        else:
            if difficulty.escalated:
                raise ValidationError(_("Khó khăn này đã ở Trung ương."))
            difficulty.desk = root_org()
            difficulty.escalated = True
            difficulty.status = Difficulty.Status.ESCALATED
            difficulty.due_at = now + timedelta(days=CENTRE_DAYS)
            title = _("Khó khăn của bạn đã được chuyển lên Trung ương")
        difficulty.save()
        _step(
            difficulty,
            kind,
            by,
            text.strip()[:5000],
            None if kind == DifficultyStep.Kind.ANSWER else difficulty.due_at,
        )
        audit_log(
            actor=by,
            action=f"difficulty.{kind}",
            object_type="difficulty",
            object_id=difficulty.pk,
            detail={"desk": difficulty.desk.code},
            ctx=ctx,
        )
        _tell([difficulty.reporter_id], difficulty, title, text, ctx)
        if kind == DifficultyStep.Kind.ESCALATE:
            _tell(
                desk_users(difficulty.desk),
                difficulty,
                _("Khó khăn chuyển lên từ %(desk)s") % {"desk": old_desk.name},
                difficulty.doing,
                ctx,
            )
        _changed(difficulty, old_desk)
    return difficulty


def difficulty_reply(
    *, by: User, difficulty: Difficulty, text: str, ctx: AuditContext | None = None
) -> Difficulty:
    """The reporter adds what the desk asked for: it is the desk's turn again."""
    if difficulty.reporter_id != by.pk:
        raise ValidationError(_("Chỉ người báo khó khăn mới bổ sung được."))
    if difficulty.status != Difficulty.Status.ASKED:
        raise ValidationError(_("Bàn hỗ trợ chưa đề nghị bổ sung."))
    if not text.strip():
        raise ValidationError({"text": _("Hãy ghi nội dung.")})
    now = timezone.now()
    with transaction.atomic():
        difficulty.status = (
            Difficulty.Status.ESCALATED if difficulty.escalated else Difficulty.Status.OPEN
        )
        difficulty.due_at = now + timedelta(days=CENTRE_DAYS if difficulty.escalated else DESK_DAYS)
        difficulty.save(update_fields=["status", "due_at"])
        _step(difficulty, DifficultyStep.Kind.REPLY, by, text.strip()[:5000], difficulty.due_at)
        audit_log(
            actor=by,
            action="difficulty.reply",
            object_type="difficulty",
            object_id=difficulty.pk,
            ctx=ctx,
        )
        _tell([by.pk], difficulty, _("Đã gửi phần bổ sung"), text, ctx)
        _tell(
            [u for u in desk_users(difficulty.desk) if u != by.pk],
            difficulty,
            _("Người báo đã bổ sung thông tin"),
            difficulty.doing,
            ctx,
        )
        _changed(difficulty)
    return difficulty


def faq_publish(
    *,
    by: User,
    difficulty: Difficulty,
    question: str,
    answer: str,
    ctx: AuditContext | None = None,
) -> FaqEntry:
    """An answered difficulty, rewritten as a question and answer for every level below."""
    if not may_answer(by, difficulty):
        raise ValidationError(_("Bạn không trả lời khó khăn ở bàn này."))
    if difficulty.status != Difficulty.Status.ANSWERED:
        raise ValidationError(_("Chỉ đăng được câu hỏi đã trả lời."))
    errors = {}
    if not question.strip():
        errors["question"] = _("Hãy ghi câu hỏi.")
    if not answer.strip():
        errors["answer"] = _("Hãy ghi câu trả lời.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        entry, _created = FaqEntry.objects.update_or_create(
            difficulty=difficulty,
            defaults={
                "org": difficulty.desk,
                "question": question.strip()[:2000],
                "answer": answer.strip()[:10000],
                "search": fold(question + " " + answer),
                "published_by": by,
                "published_at": timezone.now(),
            },
        )
        audit_log(
            actor=by,
            action="faq.publish",
            object_type="faq",
            object_id=entry.pk,
            detail={"org": difficulty.desk.code},
            ctx=ctx,
        )
    return entry
