"""Shared test fixtures: a small world of organisations, members and the six personas."""

from dataclasses import dataclass
from datetime import date

import pytest
from django.test import Client
from hypothesis import settings as hypothesis_settings

from access.models import Grant, Role
from accounts.models import User
from core.tick import tick
from members.models import Member
from members.services import member_create
from orgs.models import Kind, Org
from orgs.services import org_create

PASSWORD = "test-password-123"


# Property tests check what the rules do, not how fast: on a loaded CI machine an example can take
# longer than Hypothesis's 200 ms deadline, which then fails a correct rule as flaky.
hypothesis_settings.register_profile("partyorg", deadline=None)
hypothesis_settings.load_profile("partyorg")


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _immediate_tasks_and_private_media(settings, tmp_path):
    # Background tasks run at once, in the test's transaction; uploads go to a scratch folder.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"


def png(size: tuple[int, int] = (8, 6)) -> bytes:
    """A real PNG picture (the upload guard verifies pictures with Pillow)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def person(n: int, **overrides: object) -> dict[str, object]:
    """Valid record fields for a member born in Hồ Chí Minh City (legacy code 079)."""
    sex = "M" if n % 2 == 0 else "F"
    birth_year = 1960 + n % 40
    g = {"M": 0, "F": 1}[sex]
    data: dict[str, object] = {
        "cccd": f"079{g}{birth_year % 100:02d}{100000 + n:06d}",
        "full_name": [
            "Nguyễn Văn An",
            "Trần Thị Bình",
            "Lê Hoàng Cường",
            "Phạm Thị Thuỷ",
            "Võ Minh Đức",
        ][n % 5],
        "sex": sex,
        "birth_date": date(birth_year, 1 + n % 12, 1 + n % 28),
        "admission_date": date(birth_year + 25, 5, 19),
        "official_date": date(birth_year + 26, 5, 19),
        "ethnicity": "Kinh",
        "phone": f"09{n:08d}",
    }
    data.update(overrides)
    return data


@dataclass
class World:
    root: Org
    city: Org
    ward: Org
    other_ward: Org
    grassroots: Org
    cell: Org
    other_cell: Org
    members: list[Member]
    stranger: Member  # a member of the other ward
    users: dict[str, User]

    def client(self, persona: str) -> Client:
        client = Client()
        if persona != "anonymous":
            client.force_login(self.users[persona])
        return client


# Officials at each level, a viewer and an approver of the ward, a cell secretary, a plain
# member and an outsider: every page is called as each of them (partyorg/tests/test_access_matrix).
PERSONAS = [
    "central",
    "city",
    "ward",
    "viewer",
    "approver",
    "secretary",
    "member",
    "outsider",
]


def make_world() -> World:
    root = org_create(code="TW", name="Đảng Cộng sản Việt Nam", kind=Kind.CENTRAL, parent=None)
    city = org_create(
        code="79", name="Đảng bộ Thành phố Hồ Chí Minh", kind=Kind.PROVINCE, parent=root
    )
    ward = org_create(
        code="79.26734", name="Đảng bộ Phường Sài Gòn", kind=Kind.COMMUNE, parent=city
    )
    other_ward = org_create(
        code="79.26740", name="Đảng bộ Phường Tân Định", kind=Kind.COMMUNE, parent=city
    )
    grassroots = org_create(
        code="79.26734.001",
        name="Đảng bộ Trường THPT Trưng Vương",
        kind=Kind.GRASSROOTS_COMMITTEE,
        parent=ward,
    )
    cell = org_create(
        code="79.26734.001.01", name="Chi bộ Giáo viên 1", kind=Kind.CELL, parent=grassroots
    )
    other_cell = org_create(
        code="79.26740.001", name="Chi bộ Khu phố 1", kind=Kind.GRASSROOTS_CELL, parent=other_ward
    )
    members = [member_create(org=cell, data=person(i)) for i in range(4)]
    stranger = member_create(org=other_cell, data=person(9))
    users = {name: User.objects.create_user(username=name, password=PASSWORD) for name in PERSONAS}
    grants = {
        "central": (root, Role.ADMIN),
        "city": (city, Role.ADMIN),
        "ward": (ward, Role.ADMIN),
        "viewer": (ward, Role.VIEWER),
        "approver": (ward, Role.APPROVER),
        "secretary": (cell, Role.EDITOR),
    }
    for name, (org, role) in grants.items():
        from django.utils import timezone

        Grant.objects.create(user=users[name], org=org, role=role, granted_at=timezone.now())
    users["member"].member = members[0]
    users["member"].save(update_fields=["member"])
    tick()
    return World(
        root, city, ward, other_ward, grassroots, cell, other_cell, members, stranger, users
    )


@pytest.fixture
def world(db) -> World:
    return make_world()
