"""Cell meetings through their services: scheduling, check-in, attendance, closing, minutes,
votes, counters, and every refusal changing nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audit.models import AuditEvent
from conftest import World, person
from core.tick import tick
from meetings.models import Attendance, Ballot, Comment, Meeting, MeetingDocument
from meetings.selectors import attendance_figures, meetings_visible_to
from meetings.services import (
    absence_report,
    agenda_late,
    attendance_checkin,
    attendance_set,
    ballot_cast,
    comment_add,
    document_attach,
    meeting_close,
    meeting_schedule,
    minutes_post,
    vote_close,
    vote_open,
    vote_tally,
)
from members.services import member_create, member_exempt
from orgs.models import OrgCount
from orgs.rollups import rollups_rebuild

from .helpers import current_code, schedule

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _member(world: World):
    return world.members[0]  # the "member" persona's own record


def _refused(call, field: str, text: str) -> None:
    with pytest.raises(ValidationError) as info:
        call()
    messages = info.value.message_dict[field]
    assert any(text in m for m in messages), messages


def test_it_invites_the_cells_members_but_not_those_exempted(world: World) -> None:
    member_exempt(member=world.members[3], on=timezone.localdate(), by=None)
    meeting = schedule(world)
    invited = set(meeting.attendances.values_list("member_id", flat=True))
    assert invited == {m.pk for m in world.members[:3]}
    assert AuditEvent.objects.filter(action="meeting.schedule", object_id=str(meeting.pk)).exists()


def test_the_invited_members_are_notified(world: World) -> None:
    from notices.models import Notification

    meeting = schedule(world, topic="Sinh hoạt tháng 12")
    # Of the invited, only the "member" persona has an account.
    notes = list(Notification.objects.values_list("recipient__username", "kind", "title", "url"))
    assert notes == [
        ("member", "meeting", "Giấy mời: Sinh hoạt tháng 12", f"/so-tay/sinh-hoat/{meeting.pk}/")
    ]


def test_only_the_cells_secretary_schedules(world: World) -> None:
    _refused(lambda: schedule(world, by="viewer"), "cell", "Chỉ bí thư")
    _refused(lambda: schedule(world, by="member"), "cell", "Chỉ bí thư")
    _refused(lambda: schedule(world, cell=world.ward, by="ward"), "cell", "Chỉ chi bộ")
    _refused(lambda: schedule(world, in_hours=-1), "starts_at", "sau thời điểm hiện tại")
    _refused(lambda: schedule(world, place=""), "place", "địa điểm")
    assert not Meeting.objects.exists()


def test_an_agenda_posted_after_the_20th_of_the_month_before_is_late(world: World) -> None:
    now = timezone.now()
    meeting = schedule(world, in_hours=24 * 60)
    assert not agenda_late(meeting)  # two months ahead
    meeting.created_at = timezone.localtime(meeting.starts_at).replace(day=1) - timedelta(days=3)
    assert agenda_late(meeting)  # the 28th or so of the month before
    meeting.kind = Meeting.Kind.EXTRAORDINARY
    assert not agenda_late(meeting)
    assert now  # (the same clock for both)


def test_a_member_sees_only_their_own_cells_meetings(world: World) -> None:
    own = schedule(world)
    other = schedule(world, cell=world.other_cell, by="city")
    assert list(meetings_visible_to(world.users["member"])) == [own]
    assert set(meetings_visible_to(world.users["city"])) == {own, other}
    assert list(meetings_visible_to(world.users["secretary"])) == [own]
    assert list(meetings_visible_to(world.users["outsider"])) == []


def test_a_member_checks_in_with_the_current_code_once(world: World) -> None:
    meeting = schedule(world, in_hours=0.5)
    member, user = _member(world), world.users["member"]
    attendance = attendance_checkin(
        meeting=meeting, member=member, by=user, code=current_code(meeting)
    )
    assert attendance.status == "present" and attendance.method == "qr"
    _refused(
        lambda: attendance_checkin(
            meeting=meeting, member=member, by=user, code=current_code(meeting)
        ),
        "code",
        "đã điểm danh lúc",
    )
    assert Attendance.objects.filter(meeting=meeting, checked_in_at__isnull=False).count() == 1
    tick()
    assert OrgCount.objects.get(org=world.city, key="mt.checkins").value == 1


def test_the_code_of_the_previous_window_passes_and_older_ones_do_not(world: World) -> None:
    meeting = schedule(world, in_hours=0.5)
    now = timezone.now()
    members, user = world.members, world.users["member"]
    attendance_checkin(
        meeting=meeting,
        member=members[1],
        by=user,
        code=current_code(meeting, now - timedelta(seconds=30)),
        now=now,
    )
    for stale in (timedelta(seconds=65), timedelta(days=1)):
        _refused(
            lambda stale=stale: attendance_checkin(
                meeting=meeting,
                member=members[2],
                by=user,
                code=current_code(meeting, now - stale),
                now=now,
            ),
            "code",
            "hết hạn",
        )
    # Another meeting's code is no code for this one.
    other = schedule(world, in_hours=0.5)
    _refused(
        lambda: attendance_checkin(
            meeting=meeting, member=members[2], by=user, code=current_code(other), now=now
        ),
        "code",
        "hết hạn",
    )
    assert not Attendance.objects.filter(meeting=meeting, member=members[2]).exclude(
        checked_in_at=None
    )


def test_check_in_is_refused_for_another_cells_meeting_and_after_the_close(world: World) -> None:
    other = schedule(world, cell=world.other_cell, by="city", in_hours=0.5)
    _refused(
        lambda: attendance_checkin(
            meeting=other,
            member=_member(world),
            by=world.users["member"],
            code=current_code(other),
        ),
        "code",
        "không phải của chi bộ đồng chí",
    )
    meeting = schedule(world, in_hours=0.5)
    meeting_close(meeting=meeting, by=world.users["secretary"], now=meeting.starts_at)
    _refused(
        lambda: attendance_checkin(
            meeting=meeting,
            member=_member(world),
            by=world.users["member"],
            code=current_code(meeting),
        ),
        "code",
        "đã kết thúc",
    )
    far = schedule(world, in_hours=5)
    _refused(
        lambda: attendance_checkin(
            meeting=far, member=_member(world), by=world.users["member"], code=current_code(far)
        ),
        "code",
        "Chưa đến giờ",
    )
    assert not Attendance.objects.exclude(checked_in_at=None).exists()


def test_absences_ticks_and_the_close_give_the_counters(world: World) -> None:
    meeting = schedule(world, in_hours=0.5)
    m = world.members
    absence_report(meeting=meeting, member=m[1], by=None, reason="Đi công tác")
    attendance_checkin(meeting=meeting, member=m[0], by=None, code=current_code(meeting))
    attendance_set(meeting=meeting, statuses={m[2].pk: "present"}, by=world.users["secretary"])
    _refused(
        lambda: attendance_set(
            meeting=meeting, statuses={m[2].pk: "x"}, by=world.users["secretary"]
        ),
        "statuses",
        "không hợp lệ",
    )
    meeting_close(meeting=meeting, by=world.users["secretary"], now=meeting.starts_at)
    statuses = dict(meeting.attendances.values_list("member_id", "status"))
    assert statuses == {
        m[0].pk: "present",
        m[1].pk: "excused",
        m[2].pk: "present",
        m[3].pk: "unexcused",
    }
    tick()
    figures = attendance_figures([world.ward, world.other_ward])
    ward = figures[0]
    assert (ward.held, ward.invited, ward.present, ward.excused, ward.unexcused) == (1, 4, 2, 1, 1)
    assert ward.rate == 50 and ward.cells == 1 and ward.cells_met == 1
    assert figures[1].held == 0 and figures[1].cells_met == 0
    live = dict(OrgCount.objects.filter(org=world.root).values_list("key", "value"))
    rollups_rebuild()
    rebuilt = dict(OrgCount.objects.filter(org=world.root).values_list("key", "value"))
    assert {k: v for k, v in live.items() if k.startswith("mt.")} == {
        k: v for k, v in rebuilt.items() if k.startswith("mt.")
    }
    assert rebuilt["mt.checkins"] == 2


def test_a_second_meeting_in_the_month_is_not_a_second_cell(world: World) -> None:
    for _ in range(2):
        meeting = schedule(world, in_hours=0.5)
        meeting_close(meeting=meeting, by=world.users["secretary"], now=meeting.starts_at)
    tick()
    assert attendance_figures([world.city])[0].cells_met == 1
    assert attendance_figures([world.city])[0].held == 2


def test_comments_only_from_the_cell(world: World) -> None:
    meeting = schedule(world)
    comment_add(meeting=meeting, by=world.users["member"], member=_member(world), body="Đồng ý")
    _refused(
        lambda: comment_add(
            meeting=meeting, by=world.users["outsider"], member=world.stranger, body="Xin góp ý"
        ),
        "body",
        "Chỉ đảng viên của Chi bộ Giáo viên 1",
    )
    _refused(
        lambda: comment_add(
            meeting=meeting, by=world.users["member"], member=_member(world), body="  "
        ),
        "body",
        "Nhập nội dung",
    )
    assert Comment.objects.count() == 1


def test_votes_are_cast_once_by_the_cells_members_while_open(world: World) -> None:
    meeting = schedule(world, in_hours=0.5)
    vote = vote_open(meeting=meeting, question="Thông qua nghị quyết", by=world.users["secretary"])
    ballot_cast(vote=vote, member=world.members[0], by=None, choice="agree")
    ballot_cast(vote=vote, member=world.members[1], by=None, choice="abstain")
    _refused(
        lambda: ballot_cast(vote=vote, member=world.members[0], by=None, choice="disagree"),
        "choice",
        "mỗi người một lần",
    )
    _refused(
        lambda: ballot_cast(vote=vote, member=world.stranger, by=None, choice="agree"),
        "choice",
        "Chỉ đảng viên",
    )
    vote_close(vote=vote, by=world.users["secretary"])
    _refused(
        lambda: ballot_cast(vote=vote, member=world.members[2], by=None, choice="agree"),
        "choice",
        "đã kết thúc",
    )
    assert vote_tally(vote) == {"agree": 1, "disagree": 0, "abstain": 1}
    assert Ballot.objects.count() == 2


def test_minutes_after_the_start_only(world: World) -> None:
    meeting = schedule(world)
    by = world.users["secretary"]
    _refused(lambda: minutes_post(meeting=meeting, minutes="x", by=by), "minutes", "chưa diễn ra")
    minutes_post(
        meeting=meeting, minutes="Biên bản", resolutions="NQ", by=by, now=meeting.starts_at
    )
    meeting.refresh_from_db()
    assert meeting.minutes == "Biên bản" and meeting.minutes_posted_at == meeting.starts_at


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def test_papers_are_documents_of_at_most_20_mb(world: World, settings) -> None:
    meeting = schedule(world)
    by = world.users["secretary"]
    document = document_attach(meeting=meeting, upload=_upload("To trinh.pdf", PDF), by=by)
    assert document.content_type == "application/pdf" and document.size == len(PDF)
    big = _upload("lon.pdf", PDF)
    big.size = 20 * 1024 * 1024 + 1
    _refused(lambda: document_attach(meeting=meeting, upload=big, by=by), "file", "lớn hơn 20 MB")
    _refused(
        lambda: document_attach(meeting=meeting, upload=_upload("a.exe", b"MZ\x90\x00"), by=by),
        "file",
        "chỉ nhận tài liệu PDF",
    )
    _refused(
        lambda: document_attach(meeting=meeting, upload=_upload("a.docx", PDF), by=by),
        "file",
        "không đúng với phần mở rộng",
    )
    _refused(
        lambda: document_attach(
            meeting=meeting, upload=_upload("b.pdf", PDF), by=world.users["member"]
        ),
        "cell",
        "Chỉ bí thư",
    )
    assert MeetingDocument.objects.count() == 1


def test_every_cell_meeting_reaches_the_campaign_milestone(world: World) -> None:
    from campaigns.models import MilestoneDone
    from campaigns.services import campaign_create

    today = timezone.localdate()
    campaign = campaign_create(
        root=world.city,
        name="Đợt",
        starts_on=today,
        ends_on=today + timedelta(days=9),
        milestones=[("Sinh hoạt", today + timedelta(days=5), "meeting_held")],
    )
    meeting = schedule(world, in_hours=0.5)
    meeting_close(meeting=meeting, by=world.users["secretary"], now=meeting.starts_at)
    done = list(MilestoneDone.objects.values_list("unit__code", "on_time"))
    assert done == [(world.ward.code, True)]
    # The other ward's only cell has not met: not done.
    other = schedule(world, cell=world.other_cell, by="city", in_hours=0.5)
    assert not MilestoneDone.objects.filter(unit=world.other_ward).exists()
    meeting_close(meeting=other, by=world.users["city"], now=other.starts_at)
    assert MilestoneDone.objects.filter(unit=world.other_ward).exists()
    tick()
    milestone = campaign.milestones.get()
    assert OrgCount.objects.get(org=world.city, key=milestone.key("done")).value == 2


def test_a_unit_with_a_cell_that_has_not_met_is_not_done(world: World) -> None:
    from campaigns.models import MilestoneDone
    from campaigns.services import campaign_create
    from orgs.models import Kind
    from orgs.services import org_create

    second = org_create(
        code="79.26734.001.02", name="Chi bộ Giáo viên 2", kind=Kind.CELL, parent=world.grassroots
    )
    member_create(org=second, data=person(20))
    today = timezone.localdate()
    campaign_create(
        root=world.city,
        name="Đợt",
        starts_on=today,
        ends_on=today + timedelta(days=9),
        milestones=[("Sinh hoạt", today + timedelta(days=5), "meeting_held")],
    )
    meeting = schedule(world, in_hours=0.5)
    meeting_close(meeting=meeting, by=world.users["secretary"], now=meeting.starts_at)
    assert not MilestoneDone.objects.exists()


def test_a_meeting_cannot_close_before_it_starts_nor_twice(world: World) -> None:
    meeting = schedule(world)
    by = world.users["secretary"]
    _refused(lambda: meeting_close(meeting=meeting, by=by), "meeting", "chưa bắt đầu")
    meeting_close(meeting=meeting, by=by, now=meeting.starts_at)
    _refused(
        lambda: meeting_close(meeting=meeting, by=by, now=meeting.starts_at),
        "meeting",
        "đã kết thúc",
    )


def test_a_member_reports_an_absence_beforehand_with_a_reason(world: World) -> None:
    meeting = schedule(world)
    _refused(
        lambda: absence_report(meeting=meeting, member=world.members[1], by=None, reason=""),
        "reason",
        "lý do",
    )
    _refused(
        lambda: absence_report(
            meeting=meeting, member=world.members[1], by=None, reason="Ốm", now=meeting.starts_at
        ),
        "reason",
        "đã bắt đầu",
    )
    _refused(
        lambda: absence_report(meeting=meeting, member=world.stranger, by=None, reason="Ốm"),
        "reason",
        "không phải của chi bộ",
    )
    absence_report(meeting=meeting, member=world.members[1], by=None, reason="Ốm")
    assert meeting.attendances.get(member=world.members[1]).status == "absence_reported"


def test_meeting_schedule_keeps_online_meetings(world: World) -> None:
    meeting = meeting_schedule(
        cell=world.cell,
        kind="thematic",
        topic="Chuyên đề",
        starts_at=timezone.now() + timedelta(days=1),
        online_link="https://meet.example.org/abc",
        by=world.users["secretary"],
    )
    assert meeting.online_link and not meeting.place


def test_the_secretary_moves_a_meeting_and_the_invited_are_told(world: World) -> None:
    from meetings.services import meeting_update
    from notices.models import Notification

    meeting = schedule(world, in_hours=3)
    later = meeting.starts_at + timedelta(days=1)
    meeting_update(
        meeting=meeting,
        topic=meeting.topic,
        agenda="1. Kiểm điểm\n2. Kết nạp đảng viên",
        starts_at=later,
        place="Hội trường phường",
        online_link="",
        by=world.users["secretary"],
    )
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.place) == (later, "Hội trường phường")
    change = Notification.objects.filter(recipient=world.users["member"], kind="meeting").latest(
        "id"
    )
    assert change.title.startswith("Thay đổi lịch họp") and "Hội trường phường" in change.body
    assert AuditEvent.objects.filter(action="meeting.update", object_id=str(meeting.pk)).exists()
    # The same rules as scheduling, and only the cell's secretary: nothing changes.
    _refused(
        lambda: meeting_update(
            meeting=meeting,
            topic="",
            agenda="",
            starts_at=later,
            place="x",
            online_link="",
            by=world.users["secretary"],
        ),
        "topic",
        "Nhập chủ đề",
    )
    _refused(
        lambda: meeting_update(
            meeting=meeting,
            topic="Khác",
            agenda="",
            starts_at=later,
            place="x",
            online_link="",
            by=world.users["member"],
        ),
        "cell",
        "Chỉ bí thư",
    )
    meeting.refresh_from_db()
    assert meeting.topic == "Sinh hoạt chi bộ tháng 12"


def test_a_cancelled_meeting_takes_no_check_in_and_leaves_the_members_list(world: World) -> None:
    from meetings.selectors import member_meetings
    from meetings.services import meeting_cancel
    from notices.models import Notification

    meeting = schedule(world, in_hours=0.5)
    _refused(
        lambda: meeting_cancel(meeting=meeting, reason=" ", by=world.users["secretary"]),
        "reason",
        "lý do",
    )
    meeting_cancel(meeting=meeting, reason="Trùng lịch họp của phường", by=world.users["secretary"])
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED and meeting.is_cancelled
    note = Notification.objects.filter(recipient=world.users["member"]).latest("id")
    assert note.title.startswith("Huỷ buổi họp") and "Trùng lịch họp của phường" in note.body
    upcoming, _past = member_meetings(_member(world))
    assert meeting not in upcoming
    _refused(
        lambda: attendance_checkin(
            meeting=meeting,
            member=_member(world),
            by=world.users["member"],
            code=current_code(meeting),
        ),
        "code",
        "đã huỷ",
    )
    _refused(
        lambda: meeting_cancel(meeting=meeting, reason="Lần nữa", by=world.users["secretary"]),
        "meeting",
        "đã huỷ",
    )
    assert Attendance.objects.filter(meeting=meeting, checked_in_at__isnull=False).count() == 0


def test_a_member_who_joined_the_cell_after_the_invitations_checks_in_and_is_counted(
    world: World,
) -> None:
    meeting = schedule(world, in_hours=0.5)
    newcomer = member_create(org=world.cell, data=person(30))
    assert not Attendance.objects.filter(meeting=meeting, member=newcomer).exists()
    attendance = attendance_checkin(
        meeting=meeting, member=newcomer, by=None, code=current_code(meeting)
    )
    assert attendance.status == "present"
    # Another who joined and never came is counted absent when the meeting closes.
    absent = member_create(org=world.cell, data=person(31))
    meeting.starts_at = timezone.now() - timedelta(minutes=1)
    meeting.save(update_fields=["starts_at"])
    meeting_close(meeting=meeting, by=world.users["secretary"])
    assert Attendance.objects.get(meeting=meeting, member=absent).status == "unexcused"
