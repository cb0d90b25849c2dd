"""Giving and revoking grants: only an admin above may grant, and every change is audited."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_log
from orgs.models import Org

from .models import ROLE_RANK, Grant, Role, User
from .selectors import can, granted_paths


def may_grant(*, by: User, org: Org, role: str) -> bool:
    """An admin of a subtree grants any role below admin in it, and admin strictly below it."""
    if getattr(by, "is_superuser", False):
        return True
    if role == Role.ADMIN:
        return any(
            org.path.startswith(root) and org.path != root for root in granted_paths(by, Role.ADMIN)
        )
    return can(by, org.path, Role.ADMIN)


def grant_create(
    *,
    by: User,
    user: User,
    org: Org,
    role: str,
    expires_at: datetime | None = None,
    request: HttpRequest | None = None,
) -> Grant:
    if role not in Role.values:
        raise ValidationError({"role": _("Vai trò không hợp lệ.")})
    if not org.is_active:
        raise ValidationError({"org": _("Tổ chức đã ngừng hoạt động.")})
    if not may_grant(by=by, org=org, role=role):
        raise ValidationError(
            {"role": _("Bạn không có quyền cấp vai trò này tại %(org)s.") % {"org": org.name}}
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("Ngày hết hạn phải ở tương lai.")})
    if not user.is_active:
        raise ValidationError({"user": _("Tài khoản đã bị khoá.")})
    with transaction.atomic():
        grant = Grant.objects.create(
            user=user,
            org=org,
            role=role,
            granted_by=by,
            granted_at=timezone.now(),
            expires_at=expires_at,
        )
        audit_log(
            actor=by,
            action="grant.create",
            object_type="grant",
            object_id=grant.pk,
            detail={
                "user": user.username,
                "org": org.code,
                "role": role,
                "expires_at": expires_at.isoformat() if expires_at else None,
            },
            request=request,
        )
    return grant


def grant_revoke(*, by: User, grant: Grant, request: HttpRequest | None = None) -> Grant:
    if grant.revoked_at is not None:
        raise ValidationError({"grant": _("Quyền này đã bị thu hồi.")})
    if not may_grant(by=by, org=grant.org, role=grant.role):
        raise ValidationError({"grant": _("Bạn không có quyền thu hồi quyền này.")})
    with transaction.atomic():
        grant.revoked_at, grant.revoked_by = timezone.now(), by
        grant.save(update_fields=["revoked_at", "revoked_by"])
        audit_log(
            actor=by,
            action="grant.revoke",
            object_type="grant",
            object_id=grant.pk,
            detail={"user": grant.user.username, "org": grant.org.code, "role": grant.role},
            request=request,
        )
    return grant


def role_at_least(role: str, minimum: str) -> bool:
    return ROLE_RANK[Role(role)] >= ROLE_RANK[Role(minimum)]
