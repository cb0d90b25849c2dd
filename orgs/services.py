"""Changes to the organisation tree. Each keeps its history as OrgEvent rows and an audit row."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Value
from django.db.models.functions import Concat, StrIndex, Substr
from django.utils.translation import gettext as _

from audit.services import audit_log
from lib.vn.text import fold, nfc

from .models import MEMBER_HOLDING_KINDS, PATH_ALPHABET, PATH_STEP, AdminUnit, Kind, Org, OrgEvent
from .rollups import (
    add_keys,
    apply_to_subtree_counts,
    counts_changed,
    counts_of,
    org_keys,
    rollups_fold,
)


def encode_step(number: int) -> str:
    base = len(PATH_ALPHABET)
    digits = []
    for _i in range(PATH_STEP):
        number, rest = divmod(number, base)
        digits.append(PATH_ALPHABET[rest])
    if number:
        raise ValueError("too many children under one organisation")
    return "".join(reversed(digits))


def decode_step(step: str) -> int:
    return int(step, len(PATH_ALPHABET))


def _next_child_path(parent: Org | None) -> str:
    siblings = (
        Org.objects.filter(parent=parent) if parent else Org.objects.filter(parent__isnull=True)
    )
    last = siblings.aggregate(m=Max("path"))["m"]
    prefix = parent.path if parent else ""
    number = decode_step(last[-PATH_STEP:]) + 1 if last else 1
    return prefix + encode_step(number)


def _clean_name(name: str) -> str:
    name = nfc(name or "")
    if not name:
        raise ValidationError({"name": _("Tên tổ chức không được để trống.")})
    if len(name) > 255:
        raise ValidationError({"name": _("Tên tổ chức dài quá 255 ký tự.")})
    return name


def _check_code(code: str) -> str:
    code = (code or "").strip()
    if not code:
        raise ValidationError({"code": _("Mã tổ chức không được để trống.")})
    if len(code) > 64 or any(ch.isspace() for ch in code):
        raise ValidationError({"code": _("Mã tổ chức tối đa 64 ký tự và không có dấu cách.")})
    if Org.objects.filter(code=code).exists():
        raise ValidationError({"code": _("Mã tổ chức %(code)s đã được dùng.") % {"code": code}})
    return code


def _check_parent(parent: Org | None, kind: str) -> None:
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Loại tổ chức không hợp lệ.")})
    if parent is None:
        if kind != Kind.CENTRAL:
            raise ValidationError({"parent": _("Chỉ cấp Trung ương không có tổ chức cấp trên.")})
        return
    if not parent.is_active:
        raise ValidationError({"parent": _("Tổ chức cấp trên đã ngừng hoạt động.")})
    if parent.kind == Kind.PARTY_GROUP:
        raise ValidationError({"parent": _("Tổ đảng không có tổ chức trực thuộc.")})
    if kind == Kind.PARTY_GROUP and parent.kind not in MEMBER_HOLDING_KINDS:
        raise ValidationError({"kind": _("Tổ đảng chỉ lập trong chi bộ.")})
    if kind == Kind.CENTRAL:
        raise ValidationError({"kind": _("Cấp Trung ương không có tổ chức cấp trên.")})


def org_create(
    *,
    code: str,
    name: str,
    kind: str,
    parent: Org | None,
    by: Any = None,
    on: date | None = None,
    admin_unit: AdminUnit | None = None,
    contact_name: str = "",
    contact_phone: str = "",
) -> Org:
    name = _clean_name(name)
    code = _check_code(code)
    _check_parent(parent, kind)
    with transaction.atomic():
        if parent is not None:
            # Lock the parent so two creations under it cannot take the same path.
            Org.objects.select_for_update().filter(id=parent.id).first()
        path = _next_child_path(parent)
        org = Org.objects.create(
            code=code,
            name=name,
            kind=kind,
            parent=parent,
            path=path,
            depth=len(path) // PATH_STEP - 1,
            admin_unit=admin_unit,
            valid_from=on,
            sort_name=fold(name),
            contact_name=contact_name,
            contact_phone=contact_phone,
        )
        OrgEvent.objects.create(
            org=org,
            kind=OrgEvent.Kind.CREATED,
            on=on or date.today(),
            by=_user(by),
            detail={"name": name, "parent": parent.code if parent else None},
        )
        deltas: defaultdict[tuple[int, str], int] = defaultdict(int)
        add_keys(deltas, org.id, org_keys(org), 1)
        counts_changed(deltas)
        audit_log(
            actor=by,
            action="org.create",
            object_type="org",
            object_id=org.code,
            detail={"name": name, "kind": kind},
        )
    return org


def _user(by: Any) -> Any:
    return by if getattr(by, "is_authenticated", False) else None


def org_rename(*, org: Org, name: str, on: date, by: Any = None) -> Org:
    name = _clean_name(name)
    if name == org.name:
        raise ValidationError({"name": _("Tên mới trùng với tên hiện tại.")})
    with transaction.atomic():
        old = org.name
        org.name, org.sort_name = name, fold(name)
        org.save(update_fields=["name", "sort_name"])
        OrgEvent.objects.create(
            org=org,
            kind=OrgEvent.Kind.RENAMED,
            on=on,
            by=_user(by),
            detail={"old": old, "new": name},
        )
        audit_log(
            actor=by,
            action="org.rename",
            object_type="org",
            object_id=org.code,
            detail={"old": old, "new": name},
        )
    return org


def org_move(*, org: Org, new_parent: Org, on: date, by: Any = None) -> Org:
    """Put an organisation, with its whole subtree, under another parent."""
    if org.parent_id is None:
        raise ValidationError({"parent": _("Không thể chuyển cấp Trung ương.")})
    if new_parent.path.startswith(org.path):
        raise ValidationError(
            {"parent": _("Không thể chuyển một tổ chức vào chính nó hoặc tổ chức trực thuộc nó.")}
        )
    if new_parent.id == org.parent_id:
        raise ValidationError(
            {"parent": _("Tổ chức đã trực thuộc %(name)s.") % {"name": new_parent.name}}
        )
    _check_parent(new_parent, org.kind)
    with transaction.atomic():
        Org.objects.select_for_update().filter(id=new_parent.id).first()
        # Pending deltas are folded first, so the subtree's counters are complete when moved.
        while rollups_fold():
            pass
        old_parent = org.parent
        assert old_parent is not None
        subtree = counts_of([org.id]).get(org.id, {})
        old_path = org.path
        new_path = _next_child_path(new_parent)
        depth_change = (len(new_path) - len(old_path)) // PATH_STEP
        Org.objects.filter(path__startswith=old_path).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + depth_change,
        )
        Org.objects.filter(id=org.id).update(parent=new_parent)
        from members.models import Member

        # The search text begins with the path too (members.models.search_text): PostgreSQL's
        # name search reads the subtree from it.
        moved_path = Concat(Value(new_path), Substr("org_path", len(old_path) + 1))
        Member.objects.filter(org_path__startswith=old_path).update(
            org_path=moved_path,
            search_name=Concat(
                moved_path,
                Value(" "),
                Substr("search_name", StrIndex("search_name", Value(" ")) + 1),
            ),
        )
        moves: dict[tuple[int, str], int] = {}
        for key, value in subtree.items():
            moves[(old_parent.id, key)] = -value
        apply_to_subtree_counts(moves)
        apply_to_subtree_counts({(new_parent.id, key): value for key, value in subtree.items()})
        OrgEvent.objects.create(
            org=org,
            kind=OrgEvent.Kind.MOVED,
            on=on,
            by=_user(by),
            detail={"from": old_parent.code, "to": new_parent.code},
        )
        audit_log(
            actor=by,
            action="org.move",
            object_type="org",
            object_id=org.code,
            detail={"from": old_parent.code, "to": new_parent.code},
        )
        org.refresh_from_db()
    return org


def _close(org: Org, status: str, on: date) -> None:
    deltas: defaultdict[tuple[int, str], int] = defaultdict(int)
    add_keys(deltas, org.id, org_keys(org), -1)
    org.status, org.valid_to = status, on
    org.save(update_fields=["status", "valid_to"])
    counts_changed(deltas)


def org_dissolve(*, org: Org, on: date, by: Any = None, reason: str = "") -> Org:
    if not org.is_active:
        raise ValidationError({"org": _("Tổ chức đã ngừng hoạt động.")})
    if org.parent_id is None:
        raise ValidationError({"org": _("Không thể giải thể cấp Trung ương.")})
    if Org.objects.filter(parent=org, status=Org.Status.ACTIVE).exists():
        raise ValidationError(
            {
                "org": _(
                    "Còn tổ chức trực thuộc đang hoạt động: hãy chuyển hoặc giải thể chúng trước."
                )
            }
        )
    from members.models import ACTIVE_STATUSES

    if org.members.filter(status__in=ACTIVE_STATUSES).exists():
        raise ValidationError(
            {"org": _("Còn đảng viên đang sinh hoạt: hãy chuyển sinh hoạt cho họ trước.")}
        )
    with transaction.atomic():
        _close(org, Org.Status.DISSOLVED, on)
        OrgEvent.objects.create(
            org=org, kind=OrgEvent.Kind.DISSOLVED, on=on, by=_user(by), detail={"reason": reason}
        )
        audit_log(
            actor=by,
            action="org.dissolve",
            object_type="org",
            object_id=org.code,
            detail={"reason": reason},
        )
    return org


def _transfer_contents(
    *,
    source: Org,
    target: Org,
    on: date,
    by: Any,
    reason: str,
    member_ids: list[int] | None = None,
    child_ids: list[int] | None = None,
) -> tuple[int, int]:
    from members.models import ACTIVE_STATUSES
    from members.services import members_transfer_bulk

    children = Org.objects.filter(parent=source, status=Org.Status.ACTIVE)
    if child_ids is not None:
        children = children.filter(id__in=child_ids)
    moved_children = 0
    for child in list(children):
        org_move(org=child, new_parent=target, on=on, by=by)
        moved_children += 1
    members = source.members.filter(status__in=ACTIVE_STATUSES)
    if member_ids is not None:
        members = members.filter(id__in=member_ids)
    members_list = list(members)
    if members_list and not target.holds_members:
        raise ValidationError(
            {
                "target": _("%(name)s không trực tiếp quản lý đảng viên: hãy chọn một chi bộ.")
                % {"name": target.name}
            }
        )
    moved_members = members_transfer_bulk(
        members=members_list, to_org=target, on=on, by=by, reason=reason
    )
    return moved_children, moved_members


def org_merge(*, sources: list[Org], target: Org, on: date, by: Any = None) -> Org:
    """Merge organisations into `target`: their children and members move there; they close."""
    if not sources:
        raise ValidationError({"sources": _("Chọn ít nhất một tổ chức để hợp nhất.")})
    for source in sources:
        if source.id == target.id:
            raise ValidationError({"sources": _("Không thể hợp nhất một tổ chức vào chính nó.")})
        if not source.is_active:
            raise ValidationError(
                {"sources": _("%(name)s đã ngừng hoạt động.") % {"name": source.name}}
            )
        if target.path.startswith(source.path):
            raise ValidationError(
                {
                    "target": _("Không thể hợp nhất vào tổ chức trực thuộc %(name)s.")
                    % {"name": source.name}
                }
            )
    if not target.is_active:
        raise ValidationError({"target": _("Tổ chức nhận hợp nhất đã ngừng hoạt động.")})
    with transaction.atomic():
        for source in sources:
            children, members = _transfer_contents(
                source=source, target=target, on=on, by=by, reason=f"merge:{source.code}"
            )
            source.refresh_from_db()
            _close(source, Org.Status.MERGED, on)
            OrgEvent.objects.create(
                org=source,
                kind=OrgEvent.Kind.MERGED_INTO,
                on=on,
                by=_user(by),
                detail={"into": target.code, "children": children, "members": members},
            )
            OrgEvent.objects.create(
                org=target,
                kind=OrgEvent.Kind.ABSORBED,
                on=on,
                by=_user(by),
                detail={"from": source.code, "children": children, "members": members},
            )
            audit_log(
                actor=by,
                action="org.merge",
                object_type="org",
                object_id=source.code,
                detail={"into": target.code, "children": children, "members": members},
            )
    target.refresh_from_db()
    return target


@dataclass
class SplitPart:
    code: str
    name: str
    kind: str
    member_ids: list[int] = field(default_factory=list)
    child_ids: list[int] = field(default_factory=list)


def org_split(
    *, org: Org, parts: list[SplitPart], on: date, by: Any = None, close_original: bool = True
) -> list[Org]:
    """Split an organisation into new ones beside it, each taking the members and children named."""
    if len(parts) < 1 or (close_original and len(parts) < 2):
        raise ValidationError(
            {"parts": _("Chia tách cần ít nhất hai tổ chức mới (hoặc một, nếu giữ tổ chức cũ).")}
        )
    if org.parent is None:
        raise ValidationError({"org": _("Không thể chia tách cấp Trung ương.")})
    claimed_members = [m for p in parts for m in p.member_ids]
    claimed_children = [c for p in parts for c in p.child_ids]
    if len(set(claimed_members)) != len(claimed_members) or len(set(claimed_children)) != len(
        claimed_children
    ):
        raise ValidationError(
            {"parts": _("Một đảng viên hoặc tổ chức được giao cho hai tổ chức mới.")}
        )
    with transaction.atomic():
        created = []
        for part in parts:
            new = org_create(
                code=part.code,
                name=part.name,
                kind=part.kind,
                parent=org.parent,
                by=by,
                on=on,
                admin_unit=org.admin_unit,
            )
            _transfer_contents(
                source=org,
                target=new,
                on=on,
                by=by,
                reason=f"split:{org.code}",
                member_ids=part.member_ids,
                child_ids=part.child_ids,
            )
            OrgEvent.objects.create(
                org=new,
                kind=OrgEvent.Kind.SPLIT_FROM,
                on=on,
                by=_user(by),
                detail={"from": org.code},
            )
            created.append(new)
        OrgEvent.objects.create(
            org=org,
            kind=OrgEvent.Kind.SPLIT_INTO,
            on=on,
            by=_user(by),
            detail={"into": [o.code for o in created]},
        )
        if close_original:
            org.refresh_from_db()
            org_dissolve(
                org=org, on=on, by=by, reason=f"split into {', '.join(o.code for o in created)}"
            )
        audit_log(
            actor=by,
            action="org.split",
            object_type="org",
            object_id=org.code,
            detail={"into": [o.code for o in created]},
        )
    return created
