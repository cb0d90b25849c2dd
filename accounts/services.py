"""Logins, e-ID linking and two-factor devices; all audited."""

import hashlib

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import AuditContext, audit_log
from core.logging import redact
from lib.vn.cccd import mask_cccd
from members.models import Member

from .models import User


def _eid_username(cccd: str) -> str:
    # Not the CCCD itself: usernames are shown on screen and written as the audit's actor label.
    return "eid-" + hashlib.sha256(("partyorg-eid:" + cccd).encode()).hexdigest()[:12]


def user_from_eid(*, cccd: str, level: int, ctx: AuditContext | None = None) -> User | None:
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
                ctx=ctx,
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
                ctx=ctx,
            )
        user.save(update_fields=fields)
    return user


def login_record(*, user: User, method: str, level: int, ctx: AuditContext | None) -> None:
    """Audit a successful login (or its second step, method "totp" / "recovery")."""
    audit_log(
        actor=user,
        action="login",
        object_type="user",
        object_id=user.pk,
        detail={"method": method, "level": level},
        ctx=ctx,
    )


def login_failure_record(
    *, username: str, method: str, reason: str, ctx: AuditContext | None
) -> None:
    """Audit a refused login. A username typed as a CCCD or a phone number is masked."""
    audit_log(
        actor=None,
        action="login.failed",
        object_type="user",
        detail={"method": method, "reason": reason, "username": redact(username[:150])},
        ctx=ctx,
    )


def logout_record(*, user: User, ctx: AuditContext | None) -> None:
    audit_log(actor=user, action="logout", object_type="user", object_id=user.pk, ctx=ctx)


def totp_device_confirm(
    *, user: User, device: TOTPDevice, ctx: AuditContext | None = None
) -> list[str]:
    """Confirm a user's new authenticator and issue fresh recovery codes (returned once)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = recovery_codes_create(user=user)
        audit_log(actor=user, action="otp.enrol", object_type="user", object_id=user.pk, ctx=ctx)
    return codes


def recovery_codes_create(*, user: User, count: int = 10) -> list[str]:
    """Replace the user's recovery codes; each works once. Stored as django-otp static tokens."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(count)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes
