"""Demo rollout: officials at every level of the first province (the centre's and the province's
support desks, editors and approvers of most communes and of some cells of the demo ward), some
units with no account at all, some officials who have logged in at level 2, grants expiring
soon, and difficulties in every state (open, overdue, asked for more, escalated, answered and
published in the FAQ).

Made through the services, by the demo's organisation commission (an admin at the root), so the
counters and audit rows are the real ones; deterministic for a seed.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from access.models import Grant, Role
from accounts.models import User
from lib.vn.cccd import make_cccd
from members.models import Member
from orgs.models import Kind, Org

from . import services
from .coverage import level2_login_record
from .models import Difficulty

NAMES = [
    "Nguyễn Thị Hồng",
    "Trần Văn Phúc",
    "Lê Thị Thu Hà",
    "Phạm Quốc Việt",
    "Hoàng Minh Tuấn",
    "Võ Thị Ngọc Ánh",
    "Đặng Văn Khoa",
    "Bùi Thị Lan",
    "Đỗ Thanh Sơn",
    "Huỳnh Thị Mỹ",
    "Ngô Văn Đạt",
    "Dương Thị Kim",
]
COMMUNES = 40
CELLS = 30
PROBLEMS = [
    ("Nhập kết quả đại hội chi bộ", "Bấm Lưu thì báo lỗi ngày, dù đã nhập đúng dd/mm/yyyy."),
    ("Tải lên danh sách đảng viên", "Tệp Excel của huyện cũ có hai dòng tiêu đề, không đọc được."),
    ("Đăng nhập bằng VNeID", "Tài khoản định danh mức 2 nhưng hệ thống báo chưa đủ mức."),
    ("Xem số liệu đảng viên của xã", "Không thấy các chi bộ mới sáp nhập từ xã bên cạnh."),
    ("Cài ứng dụng xác thực", "Điện thoại cũ không quét được mã QR."),
    ("Xuất báo cáo đại hội", "Tệp xlsx tải về mở bằng LibreOffice bị lỗi phông chữ."),
]


def _official(
    by: User, rng: random.Random, serial: int, org: Org, role: str, expires_in: int | None
) -> User:
    cccd = make_cccd(79, rng.choice("MF"), rng.randint(1965, 1995), 990000 + serial)
    while Member.objects.filter(cccd=cccd).exists() or User.objects.filter(cccd=cccd).exists():
        serial += 1000
        cccd = make_cccd(79, "M", 1980, 990000 + serial % 9000)
    expires = timezone.now() + timedelta(days=expires_in) if expires_in else None
    official, _secret = services.official_add(
        by=by,
        cccd=cccd,
        full_name=NAMES[serial % len(NAMES)],
        org=org,
        role=role,
        expires_at=expires,
        phone=f"09{serial:08d}",
    )
    return official.user


def rollout_demo(seed: int = 1) -> int:
    """Officials, coverage and difficulties over the demo tree; returns the officials made."""
    rng = random.Random(seed)
    root = Org.objects.filter(parent__isnull=True).first()
    province = (
        Org.objects.filter(parent=root, kind=Kind.PROVINCE).order_by("path").first()
        if root
        else None
    )
    if root is None or province is None:
        return 0
    with transaction.atomic():
        commission, _created = User.objects.get_or_create(
            username="bantochuc-tw", defaults={"first_name": "Ban Tổ chức Trung ương"}
        )
        commission.set_unusable_password()
        commission.save()
        if not Grant.objects.filter(user=commission, org=root, role=Role.ADMIN).exists():
            Grant.objects.create(
                user=commission, org=root, role=Role.ADMIN, granted_at=timezone.now()
            )
        made: list[User] = []
        serial = 0

        def add(org: Org, role: str, expires_in: int | None = None) -> User:
            nonlocal serial
            serial += 1
            user = _official(commission, rng, serial, org, role, expires_in)
            made.append(user)
            return user

        centre_desk = add(root, Role.APPROVER)
        add(root, Role.EDITOR)
        province_desk = add(province, Role.APPROVER)
        add(province, Role.EDITOR, expires_in=20)
        reporters: list[User] = []
        communes = list(
            Org.objects.filter(parent=province, status=Org.Status.ACTIVE).order_by("path")[
                :COMMUNES
            ]
        )
        for index, commune in enumerate(communes):
            if index % 5 == 4:
                continue  # a unit with no account at all
            reporters.append(add(commune, Role.EDITOR, expires_in=25 if index % 7 == 3 else None))
            if index % 3 != 2:
                add(commune, Role.APPROVER)
        if communes:
            cells = Org.objects.filter(
                path__startswith=communes[0].path,
                kind__in=[Kind.CELL, Kind.GRASSROOTS_CELL],
                status=Org.Status.ACTIVE,
            ).order_by("path")[:CELLS]
            for index, cell in enumerate(cells):
                if index % 4 != 3:
                    reporters.append(add(cell, Role.EDITOR))
        # Some have logged in at level 2 already.
        for index, user in enumerate(made):
            if index % 3 == 0:
                level2_login_record(user.pk)
        if reporters:
            _difficulties(rng, reporters, province_desk, centre_desk)
    return len(made)


def _difficulties(
    rng: random.Random, reporters: list[User], province_desk: User, centre_desk: User
) -> None:
    """One difficulty in each state, and a few more open ones."""

    def report(i: int) -> Difficulty:
        doing, description = PROBLEMS[i % len(PROBLEMS)]
        return services.difficulty_report(
            by=reporters[i % len(reporters)],
            doing=doing,
            description=description,
            page_url="/",
        )

    report(0)  # open
    overdue = report(1)
    Difficulty.objects.filter(pk=overdue.pk).update(
        created_at=timezone.now() - timedelta(days=4), due_at=timezone.now() - timedelta(days=2)
    )
    asked = report(2)
    services.difficulty_ask(
        by=province_desk, difficulty=asked, text="Đồng chí cho biết tên tài khoản VNeID mức mấy?"
    )
    escalated = report(3)
    services.difficulty_escalate(
        by=province_desk,
        difficulty=escalated,
        text="Nhiều xã sau sáp nhập cùng gặp; đề nghị Trung ương hướng dẫn chung.",
    )
    answered = report(4)
    services.difficulty_answer(
        by=province_desk,
        difficulty=answered,
        text="Dùng ứng dụng xác thực khác, hoặc nhập mã bí mật hiện dưới mã QR.",
    )
    services.faq_publish(
        by=province_desk,
        difficulty=answered,
        question="Điện thoại không quét được mã QR khi cài ứng dụng xác thực?",
        answer="Nhập tay mã bí mật hiện ngay dưới mã QR vào ứng dụng xác thực.",
    )
    centre = report(5)
    services.difficulty_escalate(
        by=province_desk, difficulty=centre, text="Lỗi của tệp xuất, chuyển Trung ương."
    )
    services.difficulty_answer(
        by=centre_desk,
        difficulty=centre,
        text="Đã sửa phông chữ trong tệp xuất; tải lại báo cáo.",
    )
    services.faq_publish(
        by=centre_desk,
        difficulty=centre,
        question="Tệp xlsx mở bằng LibreOffice bị lỗi phông chữ?",
        answer="Đã sửa; tải lại báo cáo là được.",
    )
    for i in range(6, 6 + rng.randint(2, 4)):
        report(i)
