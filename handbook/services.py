"""The handbook's writes: activation and activity of members, documents (publish, open,
bookmark, study), and error reports. Every change is audited; counters move in the same
transaction (handbook/counting.py)."""

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import AuditContext, audit_log
from lib.docfiles import DocLimits, DocumentRefused, check_document
from lib.vn.text import fold
from members.models import ACTIVE_STATUSES, Member
from orgs.models import Org
from orgs.rollups import counts_changed

from . import storage
from .counting import ACTIVATED, INSTALLED, counting_org, studied_key
from .models import Document, DocumentRead, MemberActivity


def member_seen(
    *, user: Any, installed: bool = False, ctx: AuditContext | None = None
) -> MemberActivity | None:
    """Record that the user's member used the handbook now: activated the first time, installed
    when the app says it runs installed, last activity at most once per ACTIVITY_EVERY."""
    member_id = getattr(user, "member_id", None)
    if not member_id:
        return None
    now = timezone.now()
    deltas: defaultdict[tuple[int, str], int] = defaultdict(int)
    with transaction.atomic():
        activity = MemberActivity.objects.select_for_update().filter(member_id=member_id).first()
        if activity is None:
            member = Member.objects.get(pk=member_id)
            target = counting_org(member)
            activity = MemberActivity.objects.create(
                member_id=member_id,
                activated_at=now,
                last_seen_at=now,
                installed_at=now if installed else None,
                counted_org_id=target,
                counted_installed=bool(target and installed),
            )
            if target:
                deltas[(target, ACTIVATED)] += 1
                if installed:
                    deltas[(target, INSTALLED)] += 1
            audit_log(
                actor=user,
                action="handbook.activated",
                object_type="member",
                object_id=member_id,
                ctx=ctx,
            )
            counts_changed(deltas)
            return activity
        changed = []
        if installed and activity.installed_at is None:
            activity.installed_at = now
            changed.append("installed_at")
            if activity.counted_org_id:
                activity.counted_installed = True
                changed.append("counted_installed")
                deltas[(activity.counted_org_id, INSTALLED)] += 1
            audit_log(
                actor=user,
                action="handbook.installed",
                object_type="member",
                object_id=member_id,
                ctx=ctx,
            )
        if now - activity.last_seen_at >= timedelta(seconds=settings.PARTYORG_ACTIVITY_EVERY):
            activity.last_seen_at = now
            changed.append("last_seen_at")
        if changed:
            activity.save(update_fields=changed)
        counts_changed(deltas)
        return activity


# -- Documents ---------------------------------------------------------------------------------


def document_publish(
    *,
    org: Org,
    upload: UploadedFile,
    title: str,
    kind: str,
    number: str = "",
    summary: str = "",
    issued_on: date | None = None,
    study: bool = False,
    by: Any,
    ctx: AuditContext | None = None,
) -> Document:
    """Publish a document to the organisation's subtree: check the file (lib/docfiles.py),
    store it encrypted, tell the subtree's members. ValidationError (naming the field) when the
    file is refused; nothing is kept then."""
    limits = DocLimits(max_bytes=settings.PARTYORG_DOCUMENT_MAX_MB << 20)
    name = (upload.name or "tai-lieu").rsplit("/", 1)[-1][:200]
    if (upload.size or 0) > limits.max_bytes:
        raise ValidationError(
            {
                "file": _("Tệp %(name)s lớn hơn %(mb)d MB; hãy nén hoặc chia nhỏ.")
                % {"name": name, "mb": settings.PARTYORG_DOCUMENT_MAX_MB}
            }
        )
    with storage.upload_file(upload) as plain:
        try:
            checked = check_document(plain, name=name, limits=limits)
        except DocumentRefused as error:
            raise ValidationError({"file": error.shown(get_language())}) from None
        now = timezone.now()
        with transaction.atomic():
            document = Document.objects.create(
                org=org,
                org_path=org.path,
                kind=kind,
                title=title.strip()[:300],
                number=number.strip()[:64],
                summary=summary.strip(),
                issued_on=issued_on,
                study=study,
                file_path="",
                file_name=name,
                content_type=checked.content_type,
                size=checked.size,
                sha256="",
                search_text=fold(" ".join([title, number, summary, name])),
                published_at=now,
                published_by=by if getattr(by, "is_authenticated", False) else None,
            )
            document.file_path, document.sha256 = storage.store(
                plain, f"doc-{document.pk}", checked.extension
            )
            document.save(update_fields=["file_path", "sha256"])
            audit_log(
                actor=by,
                action="handbook.document.publish",
                object_type="document",
                object_id=document.pk,
                detail={"org": org.code, "size": checked.size, "sha256": document.sha256},
                ctx=ctx,
            )
            from .tasks import document_announce

            # In the same transaction: the task exists exactly when the document does.
            document_announce.enqueue(document.pk)
    return document


def audience_users(org: Org) -> list[int]:
    """Ids of the users of the members the handbook is for in the organisation's subtree."""
    return list(
        User.objects.filter(
            is_active=True,
            member__org_path__startswith=org.path,
            member__status__in=list(ACTIVE_STATUSES),
            member__exempt=False,
        ).values_list("pk", flat=True)
    )


def document_withdraw(*, document: Document, by: Any, ctx: AuditContext | None = None) -> None:
    with transaction.atomic():
        Document.objects.filter(pk=document.pk).update(withdrawn_at=timezone.now())
        audit_log(
            actor=by,
            action="handbook.document.withdraw",
            object_type="document",
            object_id=document.pk,
            ctx=ctx,
        )


def _read_row(member: Member, document: Document) -> DocumentRead:
    row, _created = DocumentRead.objects.select_for_update().get_or_create(
        member=member, document=document
    )
    return row


def document_opened(
    *, member: Member | None, document: Document, by: Any, ctx: AuditContext | None = None
) -> None:
    if member is None:
        return
    with transaction.atomic():
        row = _read_row(member, document)
        if row.opened_at is None:
            row.opened_at = timezone.now()
            row.save(update_fields=["opened_at"])


def document_bookmark(
    *, member: Member, document: Document, on: bool, by: Any, ctx: AuditContext | None = None
) -> None:
    with transaction.atomic():
        row = _read_row(member, document)
        row.bookmarked_at = timezone.now() if on else None
        row.save(update_fields=["bookmarked_at"])


def document_studied(
    *, member: Member, document: Document, by: Any, ctx: AuditContext | None = None
) -> bool:
    """Mark the document studied by the member (once); whether this call marked it."""
    with transaction.atomic():
        row = _read_row(member, document)
        if row.studied_at is not None:
            return False
        target = counting_org(member)
        row.studied_at = timezone.now()
        row.counted_org_id = target
        row.save(update_fields=["studied_at", "counted_org"])
        if target:
            counts_changed({(target, studied_key(document.pk)): 1})
        audit_log(
            actor=by,
            action="handbook.document.studied",
            object_type="document",
            object_id=document.pk,
            detail={"member": member.pk},
            ctx=ctx,
        )
    return True
