"""Meetings made through the services, for the tests."""

from datetime import datetime, timedelta

from django.utils import timezone

from conftest import World
from lib.checkin import code_for, window_of
from meetings.models import Meeting
from meetings.services import checkin_key, meeting_schedule


def schedule(
    world: World, *, in_hours: float = 2, cell=None, by: str = "secretary", **fields
) -> Meeting:
    """A regular meeting of the world's cell (or `cell`), scheduled now to start in `in_hours`."""
    now = timezone.now()
    return meeting_schedule(
        cell=cell or world.cell,
        kind=fields.pop("kind", Meeting.Kind.REGULAR),
        topic=fields.pop("topic", "Sinh hoạt chi bộ tháng 12"),
        agenda=fields.pop("agenda", "1. Kiểm điểm công tác tháng\n2. Phương hướng tháng tới"),
        starts_at=now + timedelta(hours=in_hours),
        place=fields.pop("place", "Phòng họp tầng 2"),
        by=world.users[by],
        **fields,
    )


def current_code(meeting: Meeting, at: datetime | None = None) -> str:
    """The code the secretary's screen shows at `at` (now)."""
    at = at or timezone.now()
    return code_for(checkin_key(meeting), meeting.pk, window_of(at.timestamp()))


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def meeting_with_paper_and_vote(world: World) -> Meeting:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from meetings.services import document_attach, vote_open

    meeting = schedule(world, in_hours=0.5)
    by = world.users["secretary"]
    document_attach(meeting=meeting, upload=SimpleUploadedFile("Tờ trình.pdf", PDF), by=by)
    vote_open(meeting=meeting, question="Thông qua nghị quyết tháng", by=by)
    return meeting
