"""Grants (only an admin above may grant), logins, e-ID linking and two-factor devices; all audited."""

import hashlib
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import audit_log
from lib.vn.cccd import mask_cccd
from members.models import Member
from orgs.models import Org
from partyorg.logging import redact

from .models import ROLE_RANK, Grant, Role, User
from .selectors import acts_as_superuser, can, granted_paths


def may_grant(*, by: User, org: Org, role: str) -> bool:
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


def _eid_username(cccd: str) -> str:
    # Not the CCCD itself: usernames are shown on screen and written as the audit's actor label.
    return "eid-" + hashlib.sha256(("partyorg-eid:" + cccd).encode()).hexdigest()[:12]


def user_from_eid(*, cccd: str, level: int, request: HttpRequest | None = None) -> User | None:
    """The user an e-ID login with this CCCD belongs to, linked to their member record.

    A user already keyed by the CCCD (an official, with or without a member record) is found
    first; otherwise the member with that CCCD gets a user at their first login. Anyone else is
    not ours: None.
    """
    with transaction.atomic():
        user = User.objects.select_for_update().filter(cccd=cccd).first()
        member = Member.objects.filter(cccd=cccd).first()
        if user is None and member is not None:
            user = User.objects.select_for_update().filter(member=member).first()
        if user is None:
            if member is None:
                return None
            user = User(username=_eid_username(cccd), first_name=member.full_name[:150])
            user.set_unusable_password()
            user.save()
            audit_log(
                actor=user,
                action="user.create.eid",
                object_type="user",
                object_id=user.pk,
                detail={"cccd": mask_cccd(cccd)},
                request=request,
            )
        fields = ["assurance_level"]
        user.assurance_level = level
        if user.cccd != cccd:
            user.cccd = cccd
            fields.append("cccd")
        if (
            member is not None
            and user.member_id is None
            and not User.objects.filter(member=member).exclude(pk=user.pk).exists()
        ):
            user.member = member
            fields.append("member")
            audit_log(
                actor=user,
                action="user.link_member",
                object_type="member",
                object_id=member.pk,
                request=request,
            )
        user.save(update_fields=fields)
    return user


def login_record(*, user: User, method: str, level: int, request: HttpRequest | None) -> None:
    """Audit a successful login (or its second step, method "totp" / "recovery")."""
    audit_log(
        actor=user,
        action="login",
        object_type="user",
        object_id=user.pk,
        detail={"method": method, "level": level},
        request=request,
    )


def login_failure_record(
    *, username: str, method: str, reason: str, request: HttpRequest | None
) -> None:
    """Audit a refused login. A username typed as a CCCD or a phone number is masked."""
    audit_log(
        actor=None,
        action="login.failed",
        object_type="user",
        detail={"method": method, "reason": reason, "username": redact(username[:150])},
        request=request,
    )


def logout_record(*, user: User, request: HttpRequest | None) -> None:
    audit_log(actor=user, action="logout", object_type="user", object_id=user.pk, request=request)


def totp_device_confirm(
    *, user: User, device: TOTPDevice, request: HttpRequest | None = None
) -> list[str]:
    """Confirm a user's new authenticator and issue fresh recovery codes (returned once)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = recovery_codes_create(user=user)
        audit_log(
            actor=user, action="otp.enrol", object_type="user", object_id=user.pk, request=request
        )
    return codes


def recovery_codes_create(*, user: User, count: int = 10) -> list[str]:
    """Replace the user's recovery codes; each works once. Stored as django-otp static tokens."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(count)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes
