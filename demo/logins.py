"""The demo logins, one per persona, over whatever tree is loaded."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from access.models import Grant, Role
from accounts.demo import DEMO_PASSWORD, demo_totp_key
from accounts.models import User
from audit.services import audit_log
from members.models import ACTIVE_STATUSES, Member
from orgs.models import Kind, Org


def _demo_totp(user: User) -> None:
    """Officials need a second factor; a demo login gets a known one (printed by `partyorg demo`)."""
    TOTPDevice.objects.filter(user=user).delete()
    TOTPDevice.objects.create(
        user=user, name="demo", key=demo_totp_key(user.username), confirmed=True
    )


@dataclass
class Persona:
    username: str
    label: str
    org: Org | None
    role: str | None
    member: Member | None = None


def demo_personas() -> list[Persona]:
    root = Org.objects.filter(parent__isnull=True).first()
    if root is None:
        return []
    province = Org.objects.filter(parent=root, kind=Kind.PROVINCE).order_by("path").first()
    ward = (
        Org.objects.filter(parent=province, kind=Kind.COMMUNE).order_by("path").first()
        if province
        else None
    )
    cell = None
    if ward:
        cell = (
            Org.objects.filter(
                path__startswith=ward.path,
                kind__in=[Kind.CELL, Kind.GRASSROOTS_CELL],
                status="active",
            )
            .order_by("path")
            .first()
        )
    member = (
        Member.objects.filter(org=cell, status__in=ACTIVE_STATUSES).order_by("sort_key").first()
        if cell
        else None
    )
    return [
        Persona("trunguong", "Cán bộ Trung ương / central official", root, Role.ADMIN),
        Persona("thanhpho", "Cán bộ Thành uỷ / city official", province, Role.ADMIN),
        Persona("phuong", "Cán bộ Đảng uỷ phường / ward official", ward, Role.ADMIN),
        Persona("bithu", "Bí thư chi bộ / cell secretary", cell, Role.EDITOR),
        Persona("dangvien", "Đảng viên / member", None, None, member),
    ]


def demo_users_create() -> list[Persona]:
    """Create (or reset) the demo logins and their grants; idempotent."""
    personas = demo_personas()
    with transaction.atomic():
        admin, _created = User.objects.get_or_create(
            username="quantri", defaults={"is_staff": True, "is_superuser": True}
        )
        admin.is_staff = admin.is_superuser = True
        admin.set_password(DEMO_PASSWORD)
        admin.save()
        _demo_totp(admin)
        for persona in personas:
            user, _created = User.objects.get_or_create(username=persona.username)
            user.set_password(DEMO_PASSWORD)
            user.first_name = persona.label.split(" / ")[0]
            if persona.member is not None:
                User.objects.filter(member=persona.member).exclude(id=user.id).update(member=None)
                user.member, user.cccd = persona.member, persona.member.cccd
                user.first_name = persona.member.full_name
            user.save()
            if persona.role is not None:
                _demo_totp(user)
            if (
                persona.org is not None
                and persona.role is not None
                and not Grant.objects.filter(
                    user=user, org=persona.org, role=persona.role, revoked_at__isnull=True
                ).exists()
            ):
                Grant.objects.create(
                    user=user,
                    org=persona.org,
                    role=persona.role,
                    granted_by=admin,
                    granted_at=timezone.now(),
                )
        audit_log(actor=None, action="demo.users", detail={"users": [p.username for p in personas]})
    return personas
