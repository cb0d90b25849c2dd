"""Reorganising the tree with the members in it: moves, merges, splits and dissolutions.

These change organisations and the members they hold in one transaction, so they live on the
members' floor, above the tree (orgs.services makes and renames organisations). Each keeps its
history as OrgEvent rows and an audit row; members' events and derived columns are written by
members.services and members.record, as for any other change to a member.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from audit.services import actor_user, audit_log
from orgs.models import PATH_STEP, Org, OrgEvent
from orgs.rollups import apply_to_subtree_counts, counts_of, rollups_fold
from orgs.services import check_parent, next_child_path, org_close, org_create

from .models import ACTIVE_STATUSES, Member
from .record import subtree_moved
from .services import members_transfer_bulk


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
    check_parent(new_parent, org.kind)
    with transaction.atomic():
        Org.objects.select_for_update().filter(id=new_parent.id).first()
        # Pending deltas are folded first, so the subtree's counters are complete when moved.
        while rollups_fold():
            pass
        old_parent = org.parent
        assert old_parent is not None
        subtree = counts_of([org.id]).get(org.id, {})
        old_path = org.path
        new_path = next_child_path(new_parent)
        depth_change = (len(new_path) - len(old_path)) // PATH_STEP
        Org.objects.filter(path__startswith=old_path).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + depth_change,
        )
        Org.objects.filter(id=org.id).update(parent=new_parent)
        # The members' own copies of the path follow (search, province indexes).
        Member.objects.filter(org_path__startswith=old_path).update(
            **subtree_moved(old_path, new_path)
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
            by=actor_user(by),
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
    if org.members.filter(status__in=ACTIVE_STATUSES).exists():
        raise ValidationError(
            {"org": _("Còn đảng viên đang sinh hoạt: hãy chuyển sinh hoạt cho họ trước.")}
        )
    with transaction.atomic():
        org_close(org=org, status=Org.Status.DISSOLVED, on=on)
        OrgEvent.objects.create(
            org=org,
            kind=OrgEvent.Kind.DISSOLVED,
            on=on,
            by=actor_user(by),
            detail={"reason": reason},
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
            org_close(org=source, status=Org.Status.MERGED, on=on)
            OrgEvent.objects.create(
                org=source,
                kind=OrgEvent.Kind.MERGED_INTO,
                on=on,
                by=actor_user(by),
                detail={"into": target.code, "children": children, "members": members},
            )
            OrgEvent.objects.create(
                org=target,
                kind=OrgEvent.Kind.ABSORBED,
                on=on,
                by=actor_user(by),
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
                by=actor_user(by),
                detail={"from": org.code},
            )
            created.append(new)
        OrgEvent.objects.create(
            org=org,
            kind=OrgEvent.Kind.SPLIT_INTO,
            on=on,
            by=actor_user(by),
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
