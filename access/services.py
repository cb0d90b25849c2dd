"""Granting roles over subtrees and making API tokens: only an admin above may; all audited."""

import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import AuditContext, audit_log
from core.logging import redact

from .models import ApiToken, Grant, Role
from .scope import acts_as_superuser, can, granted_paths
from .selectors import may_administer, token_digest

if TYPE_CHECKING:
    from accounts.models import User
    from orgs.models import Org

TOKEN_PREFIX = "po_"


def may_grant(*, by: Any, org: "Org", role: str) -> bool:
    """An admin of a subtree grants any role below admin in it, and admin strictly below it."""
    if acts_as_superuser(by):
        return True
    if role == Role.ADMIN:
        return any(
            org.path.startswith(root) and org.path != root for root in granted_paths(by, Role.ADMIN)
        )
    return can(by, org.path, Role.ADMIN)


def grant_create(
    *,
    by: "User",
    user: "User",
    org: "Org",
    role: str,
    expires_at: datetime | None = None,
    ctx: AuditContext | None = None,
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
            ctx=ctx,
        )
    return grant


def grant_revoke(*, by: "User", grant: Grant, ctx: AuditContext | None = None) -> Grant:
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
            ctx=ctx,
        )
    return grant


def api_token_create(
    *,
    by: "User",
    org: "Org",
    name: str,
    can_write: bool,
    expires_at: datetime,
    ctx: AuditContext | None = None,
) -> tuple[ApiToken, str]:
    """A new token and its secret, which is returned here once and never stored."""
    if not name.strip():
        raise ValidationError({"name": _("Hãy đặt tên cho khoá, ví dụ tên hệ thống sẽ dùng nó.")})
    if not org.is_active:
        raise ValidationError({"org_code": _("Tổ chức đã ngừng hoạt động.")})
    if not may_administer(by, org.path):
        raise ValidationError(
            {"org_code": _("Bạn không có quyền quản trị tại %(org)s.") % {"org": org.name}}
        )
    if expires_at <= timezone.now():
        raise ValidationError({"expires_on": _("Ngày hết hạn phải ở tương lai.")})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            name=name.strip()[:100],
            org=org,
            can_write=can_write,
            prefix=secret[: len(TOKEN_PREFIX) + 8],
            digest=token_digest(secret),
            created_by=by,
            created_at=timezone.now(),
            expires_at=expires_at,
        )
        audit_log(
            actor=by,
            action="api_token.create",
            object_type="api_token",
            object_id=token.pk,
            detail={
                "name": token.name,
                "org": org.code,
                "write": can_write,
                "expires_at": expires_at.isoformat(),
                "prefix": token.prefix,
            },
            ctx=ctx,
        )
    return token, secret


def api_token_revoke(*, by: "User", token: ApiToken, ctx: AuditContext | None = None) -> ApiToken:
    if token.revoked_at is not None:
        raise ValidationError({"token": _("Khoá này đã bị thu hồi.")})
    if not may_administer(by, token.org.path):
        raise ValidationError({"token": _("Bạn không có quyền thu hồi khoá này.")})
    with transaction.atomic():
        token.revoked_at, token.revoked_by = timezone.now(), by
        token.save(update_fields=["revoked_at", "revoked_by"])
        audit_log(
            actor=by,
            action="api_token.revoke",
            object_type="api_token",
            object_id=token.pk,
            detail={"prefix": token.prefix, "org": token.org.code},
            ctx=ctx,
        )
    return token


def api_token_use(
    *, token: ApiToken, method: str, path: str, ctx: AuditContext | None = None
) -> None:
    """Record one authenticated call: when the token was last used, and an audit row."""
    with transaction.atomic():
        token.last_used_at = timezone.now()
        token.save(update_fields=["last_used_at"])
        audit_log(
            actor=token,
            action="api.call",
            object_type="api_token",
            object_id=token.pk,
            # No NUL character: PostgreSQL's JSON refuses it, and a path is free text.
            detail={"method": method, "path": redact(path[:300].replace("\x00", ""))},
            ctx=ctx,
        )
