"""Changes to the organisation tree. Each keeps its history as OrgEvent rows and an audit row."""

from collections import defaultdict
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from audit.services import actor_user, audit_log
from lib.vn.text import fold, nfc

from .models import MEMBER_HOLDING_KINDS, PATH_ALPHABET, PATH_STEP, AdminUnit, Kind, Org, OrgEvent
from .rollups import (
    add_keys,
    counts_changed,
    org_keys,
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


def next_child_path(parent: Org | None) -> str:
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


def check_parent(parent: Org | None, kind: str) -> None:
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
    check_parent(parent, kind)
    with transaction.atomic():
        if parent is not None:
            # Lock the parent so two creations under it cannot take the same path.
            Org.objects.select_for_update().filter(id=parent.id).first()
        path = next_child_path(parent)
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
            by=actor_user(by),
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
            by=actor_user(by),
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


def org_close(*, org: Org, status: str, on: date) -> None:
    """Mark an organisation closed (dissolved, merged) and take it out of the counters."""
    deltas: defaultdict[tuple[int, str], int] = defaultdict(int)
    add_keys(deltas, org.id, org_keys(org), -1)
    org.status, org.valid_to = status, on
    org.save(update_fields=["status", "valid_to"])
    counts_changed(deltas)
