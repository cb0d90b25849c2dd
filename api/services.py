"""Creating, revoking and using API tokens; every one of them audited."""

import secrets
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.selectors import acts_as_superuser, can
from audit.services import audit_log
from orgs.models import Org
from partyorg.logging import redact

from .models import ApiToken
from .selectors import token_digest

PREFIX = "po_"


def _may_manage(user: User, org: Org) -> bool:
    return acts_as_superuser(user) or can(user, org.path, Role.ADMIN)


def api_token_create(
    *,
    by: User,
    org: Org,
    name: str,
    can_write: bool,
    expires_at: datetime,
    request: HttpRequest | None = None,
) -> tuple[ApiToken, str]:
    """A new token and its secret, which is returned here once and never stored."""
    if not name.strip():
        raise ValidationError({"name": _("Hãy đặt tên cho khoá, ví dụ tên hệ thống sẽ dùng nó.")})
    if not org.is_active:
        raise ValidationError({"org_code": _("Tổ chức đã ngừng hoạt động.")})
    if not _may_manage(by, org):
        raise ValidationError(
            {"org_code": _("Bạn không có quyền quản trị tại %(org)s.") % {"org": org.name}}
        )
    if expires_at <= timezone.now():
        raise ValidationError({"expires_on": _("Ngày hết hạn phải ở tương lai.")})
    secret = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            name=name.strip()[:100],
            org=org,
            can_write=can_write,
            prefix=secret[: len(PREFIX) + 8],
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
            request=request,
        )
    return token, secret


def api_token_revoke(*, by: User, token: ApiToken, request: HttpRequest | None = None) -> ApiToken:
    if token.revoked_at is not None:
        raise ValidationError({"token": _("Khoá này đã bị thu hồi.")})
    if not _may_manage(by, token.org):
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
            request=request,
        )
    return token


def api_token_use(*, token: ApiToken, request: HttpRequest) -> None:
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
            detail={
                "method": request.method,
                "path": redact(request.get_full_path()[:300].replace("\x00", "")),
            },
            request=request,
        )
