"""Demo meetings: the cells of the demo ward have held their last two monthly meetings (with
attendance, minutes and a vote), and each has its next one scheduled; the demo member's cell
(demo/logins.py: the first cell of the first ward) meets in three days, with a paper attached.

Made through the services, as the system (no user), so counters and audit rows are the real
ones; deterministic for a seed and a day.
"""

import random
from datetime import date, datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from orgs.models import Kind, Org

from .models import Attendance, Ballot, Meeting
from .services import (
    MEETING_KINDS,
    attendance_set,
    ballot_cast,
    document_attach,
    meeting_close,
    meeting_schedule,
    minutes_post,
    vote_close,
    vote_open,
)

# Cells of the demo ward that get meetings (a ward has up to a few hundred).
DEMO_CELLS = 20
ABSENCE_REASONS = ["Đi công tác", "Ốm, đang điều trị", "Trực cơ quan", "Việc gia đình"]
AGENDA = (
    "1. Thông tin thời sự, chính sách mới.\n"
    "2. Đánh giá kết quả thực hiện nhiệm vụ tháng {prev}.\n"
    "3. Triển khai nhiệm vụ tháng {month}.\n"
    "4. Sinh hoạt chuyên đề: học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh.\n"
    "5. Ý kiến của đảng viên."
)


def demo_ward() -> Org | None:
    """The ward the demo logins are made in (demo/logins.py): the first of the first province."""
    root = Org.objects.filter(parent__isnull=True).first()
    province = (
        Org.objects.filter(parent=root, kind=Kind.PROVINCE).order_by("path").first()
        if root
        else None
    )
    if province is None:
        return None
    return Org.objects.filter(parent=province, kind=Kind.COMMUNE).order_by("path").first()


def _at(day: date, hour: int = 19, minute: int = 30) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _pdf(title: str) -> bytes:
    """A one-page PDF saying `title` (ASCII), small and valid."""
    text = title.encode("ascii", "replace")
    stream = b"BT /F1 18 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R"
        b" >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out


def _held(cell: Org, day: date, rng: random.Random) -> Meeting:
    """A regular meeting held on `day`: attendance confirmed, closed, minutes and a vote."""
    starts = _at(day)
    prev = (day.replace(day=1) - timedelta(days=1)).strftime("%m/%Y")
    meeting = meeting_schedule(
        cell=cell,
        kind=Meeting.Kind.REGULAR,
        topic=f"Sinh hoạt chi bộ thường kỳ tháng {day:%m/%Y}",
        agenda=AGENDA.format(prev=prev, month=f"{day:%m/%Y}"),
        starts_at=starts,
        place="Hội trường khu phố",
        by=None,
        now=starts - timedelta(days=15),
    )
    statuses = {}
    for member_id in meeting.attendances.values_list("member_id", flat=True):
        draw = rng.random()
        statuses[member_id] = (
            Attendance.Status.PRESENT
            if draw < 0.84
            else Attendance.Status.EXCUSED
            if draw < 0.96
            else Attendance.Status.UNEXCUSED
        )
    attendance_set(meeting=meeting, statuses=statuses, by=None, now=starts)
    Attendance.objects.filter(meeting=meeting, status=Attendance.Status.EXCUSED).update(
        reason=rng.choice(ABSENCE_REASONS)
    )
    vote = vote_open(
        meeting=meeting,
        question=f"Thông qua nghị quyết chi bộ tháng {day:%m/%Y}",
        by=None,
        now=starts + timedelta(minutes=80),
    )
    present = [m for m, s in statuses.items() if s == Attendance.Status.PRESENT]
    members = {a.member_id: a.member for a in meeting.attendances.select_related("member")}
    for member_id in present:
        choice = Ballot.Choice.AGREE if rng.random() < 0.95 else Ballot.Choice.ABSTAIN
        ballot_cast(
            vote=vote,
            member=members[member_id],
            by=None,
            choice=choice,
            now=starts + timedelta(minutes=82),
        )
    vote_close(vote=vote, by=None, now=starts + timedelta(minutes=85))
    meeting_close(meeting=meeting, by=None, now=starts + timedelta(minutes=90))
    minutes_post(
        meeting=meeting,
        minutes=(
            f"Chi bộ họp lúc 19 giờ 30 ngày {day:%d/%m/%Y}. Có mặt {len(present)}/{len(statuses)}"
            " đảng viên. Chi bộ đã đánh giá kết quả tháng qua và thống nhất nhiệm vụ tháng tới."
        ),
        resolutions=f"Nghị quyết chi bộ tháng {day:%m/%Y}: thông qua với {len(present)} ý kiến.",
        by=None,
        now=starts + timedelta(hours=20),
    )
    return meeting


def meetings_demo(*, today: date, seed: int) -> int:
    """Meetings of the demo ward's first cells; returns how many were made."""
    ward = demo_ward()
    if ward is None or Meeting.objects.filter(cell__path__startswith=ward.path).exists():
        return 0
    rng = random.Random(seed)
    cells = list(
        Org.objects.filter(
            path__startswith=ward.path, kind__in=MEETING_KINDS, status=Org.Status.ACTIVE
        ).order_by("path")[:DEMO_CELLS]
    )
    first_of_month = today.replace(day=1)
    last_month = (first_of_month - timedelta(days=1)).replace(day=5)
    month_before = (last_month.replace(day=1) - timedelta(days=1)).replace(day=5)
    made = 0
    for index, cell in enumerate(cells):
        for day in (month_before, last_month):
            _held(cell, day + timedelta(days=index % 3), rng)
            made += 1
        # The next one: in three days for the demo member's cell (the first), else next month.
        upcoming = (
            today + timedelta(days=3)
            if index == 0
            else today.replace(day=1) + timedelta(days=35 + index % 3)
        )
        meeting = meeting_schedule(
            cell=cell,
            kind=Meeting.Kind.REGULAR,
            topic=f"Sinh hoạt chi bộ thường kỳ tháng {upcoming:%m/%Y}",
            agenda=AGENDA.format(
                prev=(upcoming.replace(day=1) - timedelta(days=1)).strftime("%m/%Y"),
                month=f"{upcoming:%m/%Y}",
            ),
            starts_at=_at(upcoming),
            place="Hội trường khu phố",
            by=None,
            # Scheduled on the demo's day, which may be another than today's.
            now=_at(today, 8, 0),
        )
        made += 1
        if index == 0:
            document_attach(
                meeting=meeting,
                upload=SimpleUploadedFile(
                    "Du-thao-nghi-quyet.pdf", _pdf("Du thao nghi quyet chi bo")
                ),
                by=None,
            )
    return made
