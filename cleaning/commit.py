"""Committing a reviewed batch: the registry is written in one transaction, with provenance.

Creating members uses bulk writes; each value keeps where it came from (batch, file and row).
Running a commit again, or importing the same file again, updates instead of duplicating:
rows are matched to members by CCCD at commit time.
"""

from collections import defaultdict
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_log
from lib.vn.dates import parse_date
from lib.vn.text import fold, sort_key
from members.models import EventKind, FieldChange, Member, MemberEvent, Source
from orgs.models import Org
from orgs.rollups import add_keys, counts_changed, member_keys_of
from partyorg.db import update_column
from partyorg.tick import tick_after_commit

from .matching import COMPARED, changed_fields
from .models import Batch, BatchRow
from .services import _leave_review, open_blockers

DATE_FIELDS = {"birth_date", "admission_date", "official_date"}


def _date(text: str) -> tuple[date | None, str]:
    """A stored value (ISO, or yyyy / yyyy-mm for partial dates) as a date and its precision."""
    if not text:
        return None, "day"
    parsed, _problems = parse_date(text)
    if parsed is None:
        return None, "day"
    return parsed.as_date(), parsed.precision


def _field_value(name: str, text: str) -> Any:
    if name in DATE_FIELDS:
        return _date(text)[0]
    return text


def _new_member(row: BatchRow, cell: Org, now: Any) -> Member:
    v = row.values
    birth, precision = _date(v.get("birth_date", ""))
    fields = {
        name: _field_value(name, v.get(name, "")) for name in COMPARED if name != "birth_date"
    }
    official = fields.get("official_date")
    return Member(
        cccd=v.get("cccd", ""),
        cmnd=v.get("cmnd", "")[:9],
        **fields,
        birth_date=birth,
        birth_date_precision=precision,
        card_number=(v.get("card_number") or None) if official else None,
        resume_number=v.get("resume_number", "")[:32],
        org=cell,
        status="official" if official else "probationary",
        exempt=False,
        search_name=fold(v.get("full_name", "")),
        sort_key=sort_key(v.get("full_name", ""))[:255],
        created_at=now,
        updated_at=now,
    )


def batch_commit(
    *, batch: Batch, by: Any = None, request: HttpRequest | None = None
) -> dict[str, int]:
    """Write a reviewed batch into the registry; refuses while blocking problems remain."""
    with transaction.atomic():
        batch = Batch.objects.select_for_update().select_related("org").get(pk=batch.pk)
        if batch.status != Batch.Status.REVIEW:
            raise ValidationError(
                {
                    "batch": _("Lô dữ liệu không ở trạng thái chờ rà soát (%(s)s).")
                    % {"s": batch.get_status_display()}
                }
            )
        bad_rows, open_duplicates = open_blockers(batch)
        if bad_rows or open_duplicates:
            raise ValidationError(
                {
                    "batch": _(
                        "Còn %(rows)d dòng có lỗi và %(dups)d cặp nghi trùng chưa quyết định: hãy sửa, bỏ qua hoặc quyết định trước khi ghi."
                    )
                    % {"rows": bad_rows, "dups": open_duplicates}
                }
            )
        now = timezone.now()
        _leave_review(batch)
        rows = list(
            BatchRow.objects.filter(batch=batch, skipped=False)
            .select_related("file")
            .order_by("id")
        )
        cells = {
            o.code: o for o in Org.objects.filter(code__in={r.values.get("cell", "") for r in rows})
        }
        cccds = [r.values["cccd"] for r in rows if r.values.get("cccd")]
        existing: dict[str, Member] = {}
        for start in range(0, len(cccds), 900):
            for member in Member.objects.filter(cccd__in=cccds[start : start + 900]).select_related(
                "org"
            ):
                existing[member.cccd] = member
        created: list[tuple[BatchRow, Member]] = []
        updates: list[tuple[BatchRow, Member, list[str]]] = []
        same = 0
        seen: set[str] = set()
        for row in rows:
            cccd = row.values.get("cccd", "")
            if cccd in seen:
                continue  # a duplicate row decided as the same person: the first one wins
            seen.add(cccd)
            member = existing.get(cccd)
            if member is None:
                cell = cells.get(row.values.get("cell", ""))
                if cell is None or not cell.path.startswith(batch.org.path):
                    raise ValidationError(
                        {
                            "batch": _("Dòng %(ref)s: chi bộ không thuộc %(org)s.")
                            % {"ref": f"{row.file.name}:{row.row_number}", "org": batch.org.name}
                        }
                    )
                created.append((row, _new_member(row, cell, now)))
            elif not member.org.path.startswith(batch.org.path):
                raise ValidationError(
                    {
                        "batch": _(
                            "Dòng %(ref)s: CCCD thuộc đảng viên của tổ chức khác; hãy quyết định cặp nghi trùng."
                        )
                        % {"ref": f"{row.file.name}:{row.row_number}"}
                    }
                )
            else:
                fields = changed_fields(row.values, member)
                if fields:
                    updates.append((row, member, fields))
                else:
                    same += 1
        deltas: defaultdict[tuple[int, str], int] = defaultdict(int)
        members = Member.objects.bulk_create([m for _r, m in created], batch_size=2000)
        events, changes, audits = [], [], []
        for (row, _m), member in zip(created, members, strict=True):
            events.append(
                MemberEvent(
                    member=member,
                    kind=EventKind.ADMITTED,
                    on=member.admission_date,
                    org=member.org,
                    detail={"source": row.source_ref},
                )
            )
            if member.official_date:
                events.append(
                    MemberEvent(
                        member=member,
                        kind=EventKind.RECOGNISED,
                        on=member.official_date,
                        org=member.org,
                        detail={"source": row.source_ref},
                    )
                )
                if member.card_number:
                    events.append(
                        MemberEvent(
                            member=member,
                            kind=EventKind.CARD_ISSUED,
                            on=member.official_date,
                            org=member.org,
                            detail={"card_number": member.card_number, "source": row.source_ref},
                        )
                    )
            changes.append(
                FieldChange(
                    member=member,
                    field="*",
                    source=Source.IMPORT,
                    source_ref=row.source_ref,
                    by=by if getattr(by, "is_authenticated", False) else None,
                    at=now,
                )
            )
            audits.append(
                AuditEvent(
                    at=now,
                    actor=by if getattr(by, "is_authenticated", False) else None,
                    actor_label=getattr(by, "username", "system") or "system",
                    action="member.import",
                    object_type="member",
                    object_id=str(member.pk),
                    detail={"batch": batch.pk, "row": f"{row.file.name}:{row.row_number}"},
                )
            )
            add_keys(deltas, member.org_id, member_keys_of(member), 1)
            row.member, row.action = member, BatchRow.Action.CREATE
        # Plain UPDATEs by id: Django's bulk_update builds a CASE per row, slower than the work.
        update_column(
            BatchRow._meta.db_table, "member_id", {r.pk: r.member_id for r, _m in created}
        )
        update_column(
            BatchRow._meta.db_table,
            "action",
            {r.pk: BatchRow.Action.CREATE.value for r, _m in created},
        )
        changed_members = []
        for row, member, fields in updates:
            add_keys(deltas, member.org_id, member_keys_of(member), -1)
            for name in fields:
                old = getattr(member, name)
                new = _field_value(name, row.values[name])
                changes.append(
                    FieldChange(
                        member=member,
                        field=name,
                        old_value="" if old is None else str(old),
                        new_value=row.values[name],
                        source=Source.IMPORT,
                        source_ref=row.source_ref,
                        by=by if getattr(by, "is_authenticated", False) else None,
                        at=now,
                    )
                )
                setattr(member, name, new)
                if name == "birth_date":
                    member.birth_date_precision = _date(row.values[name])[1]
            if "full_name" in fields:
                member.search_name, member.sort_key = (
                    fold(member.full_name),
                    sort_key(member.full_name)[:255],
                )
            member.updated_at = now
            add_keys(deltas, member.org_id, member_keys_of(member), 1)
            changed_members.append(member)
            audits.append(
                AuditEvent(
                    at=now,
                    actor=by if getattr(by, "is_authenticated", False) else None,
                    actor_label=getattr(by, "username", "system") or "system",
                    action="member.update",
                    object_type="member",
                    object_id=str(member.pk),
                    detail={"fields": fields, "batch": batch.pk},
                )
            )
        if changed_members:
            update_fields = sorted(
                {f for _r, _m, fs in updates for f in fs}
                | {"search_name", "sort_key", "updated_at", "birth_date_precision"}
            )
            Member.objects.bulk_update(changed_members, update_fields, batch_size=1000)
        MemberEvent.objects.bulk_create(events, batch_size=5000)
        FieldChange.objects.bulk_create(changes, batch_size=5000)
        AuditEvent.objects.bulk_create(audits, batch_size=5000)
        tick_after_commit()
        counts_changed(deltas)
        summary = {
            "created": len(created),
            "updated": len(updates),
            "same": same,
            "skipped": BatchRow.objects.filter(batch=batch, skipped=True).count(),
        }
        Batch.objects.filter(pk=batch.pk).update(
            status=Batch.Status.COMMITTED,
            committed_at=now,
            committed_by=by if getattr(by, "is_authenticated", False) else None,
            commit_summary=summary,
        )
        audit_log(
            actor=by,
            action="batch.commit",
            object_type="batch",
            object_id=batch.pk,
            detail=summary,
            request=request,
        )
        from .campaigns import unit_submitted

        unit_submitted(org=batch.org, on=now)
    return summary
