"""Demo correction requests in every state, in the demo ward (the one demo/logins.py logs into):
waiting at a cell, forwarded to the ward, waiting for the member's answer, overdue, approved and
rejected; the demo member (its first cell's first member) has one of each of the last three.

Made through the services, as the system (no user), so counters, history and audit rows are the
real ones; deterministic for a seed.
"""

import random
from datetime import date, timedelta

from members.models import ACTIVE_STATUSES, Member
from orgs.models import Kind, Org

from .models import Action, Request
from .services import request_act, request_answer, request_file, requests_mark_overdue

REASONS = [
    "Giấy khai sinh ghi khác",
    "Căn cước công dân cấp lại",
    "Đã đổi số điện thoại",
    "Quyết định kết nạp ghi ngày khác",
    "Sai chính tả khi nhập",
]


def _ward() -> Org | None:
    root = Org.objects.filter(parent__isnull=True).first()
    province = (
        Org.objects.filter(parent=root, kind=Kind.PROVINCE).order_by("path").first()
        if root
        else None
    )
    if province is None:
        return None
    return Org.objects.filter(parent=province, kind=Kind.COMMUNE).order_by("path").first()


def _phone(rng: random.Random) -> str:
    return "09" + "".join(str(rng.randint(0, 9)) for _ in range(8))


def _birth(member: Member, rng: random.Random) -> str:
    day = member.birth_date.replace(day=1 + (member.birth_date.day + rng.randint(1, 20)) % 28)
    return day.strftime("%d/%m/%Y")


def _climb(request: Request, to: Org) -> Request:
    while request.org_id != to.pk and request.org.parent_id:
        request = request_act(request=request, action=Action.FORWARDED, by=None)
    return request


def corrections_demo(*, seed: int = 1, today: date | None = None) -> int:
    """Requests in every state in the demo ward; returns how many (none twice)."""
    ward = _ward()
    if ward is None or Request.objects.exists():
        return 0
    rng = random.Random(seed)
    cells = list(
        Org.objects.filter(
            path__startswith=ward.path,
            kind__in=[Kind.CELL, Kind.GRASSROOTS_CELL],
            status="active",
        ).order_by("path")[:6]
    )
    made = 0
    for n, cell in enumerate(cells):
        members = list(
            Member.objects.filter(org=cell, status__in=ACTIVE_STATUSES).order_by("sort_key")[:6]
        )
        if len(members) < 6:
            continue
        first, *others = members
        reason = REASONS[n % len(REASONS)]
        # Waiting at the cell; another forwarded to the ward.
        request_file(
            member=others[0], field="phone", proposed=_phone(rng), reason=REASONS[2], by=None
        )
        birth = request_file(
            member=others[1],
            field="birth_date",
            proposed=_birth(others[1], rng),
            reason=reason,
            by=None,
        )
        _climb(birth, ward)
        # Approved at the cell (a phone), and a birth date approved by the province.
        phone = request_file(
            member=others[2], field="phone", proposed=_phone(rng), reason=REASONS[2], by=None
        )
        request_act(request=phone, action=Action.APPROVED, by=None)
        email = request_file(
            member=others[3],
            field="email",
            proposed=f"dangvien{others[3].pk}@example.vn",
            reason="Bổ sung thư điện tử",
            by=None,
        )
        request_act(request=email, action=Action.ASKED, by=None, note="Xác nhận lại địa chỉ thư")
        request_answer(request=email, note="Địa chỉ đúng như đã ghi", by=None)
        made += 4
        if n == 0:
            # The demo member: one approved, one rejected, one waiting for their answer.
            name = request_file(
                member=first,
                field="birth_date",
                proposed=_birth(first, rng),
                reason="Giấy khai sinh ghi ngày khác",
                by=None,
            )
            name = _climb(name, ward)
            request_act(
                request=name,
                action=Action.ASKED,
                by=None,
                note="Gửi ảnh giấy khai sinh để đối chiếu",
            )
            phone = request_file(
                member=first, field="phone", proposed=_phone(rng), reason=REASONS[2], by=None
            )
            request_act(request=phone, action=Action.APPROVED, by=None)
            card = request_file(
                member=first,
                field="email",
                proposed=f"dv{first.pk}@example.vn",
                reason="Thư điện tử cơ quan",
                by=None,
            )
            request_act(
                request=card,
                action=Action.REJECTED,
                by=None,
                note="Đề nghị dùng thư điện tử cá nhân, không dùng thư cơ quan",
            )
            made += 3
        else:
            rejected = request_file(
                member=others[4],
                field="full_name",
                proposed=others[4].full_name + " Anh",
                reason=reason,
                by=None,
            )
            request_act(
                request=rejected,
                action=Action.REJECTED,
                by=None,
                note="Tên trên căn cước công dân khớp với hồ sơ",
            )
            made += 1
    # The requests the ward has sat on: their deadline passed last week, so they show overdue.
    day = today or date.today()
    Request.objects.filter(org=ward, status="review").update(due_on=day - timedelta(days=7))
    requests_mark_overdue(today=day)
    return made
