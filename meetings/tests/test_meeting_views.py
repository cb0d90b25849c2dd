"""Meeting pages through HTTP: what each persona sees, and every refusal said plainly in
Vietnamese with nothing changed."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import World
from core.tick import tick
from meetings.models import Attendance, Ballot, Comment, Meeting, MeetingDocument
from meetings.services import meeting_close, vote_close

from .helpers import PDF, current_code, meeting_with_paper_and_vote, schedule


def test_the_secretary_schedules_a_meeting_on_the_cells_page(world: World) -> None:
    client = world.client("secretary")
    day = timezone.localdate() + timedelta(days=40)
    response = client.post(
        f"/meetings/cell/{world.cell.code}/",
        {
            "kind": "regular",
            "topic": "Sinh hoạt thường kỳ",
            "on": day.strftime("%d/%m/%Y"),
            "at": "19:30",
            "place": "Nhà văn hoá khu phố",
            "agenda": "1. Thông báo thời sự",
        },
    )
    meeting = Meeting.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/so-tay/sinh-hoat/{meeting.pk}/"
    )
    assert timezone.localtime(meeting.starts_at).strftime("%H:%M %d/%m/%Y") == (
        f"19:30 {day:%d/%m/%Y}"
    )
    assert meeting.attendances.count() == 4
    html = client.get(response["Location"]).content.decode()
    assert "Sinh hoạt thường kỳ" in html and "Thông báo thời sự" in html


def test_a_late_agenda_gets_a_warning_and_a_bad_form_names_its_field(world: World) -> None:
    client = world.client("secretary")
    tomorrow = timezone.localdate() + timedelta(days=1)
    data = {"kind": "regular", "topic": "T", "on": f"{tomorrow:%d/%m/%Y}", "at": "08:00"}
    html = client.post(f"/meetings/cell/{world.cell.code}/", data).content.decode()
    assert "Nhập địa điểm họp hoặc đường dẫn họp trực tuyến." in html
    html = client.post(
        f"/meetings/cell/{world.cell.code}/", {**data, "on": "31/02/2026", "place": "P"}
    ).content.decode()
    assert "dd/mm/yyyy" in html and not Meeting.objects.exists()
    response = client.post(
        f"/meetings/cell/{world.cell.code}/", {**data, "place": "P"}, follow=True
    )
    # Tomorrow's regular meeting was due by the 20th of the month before.
    assert "khoảng ngày 20 tháng trước" in response.content.decode()


def test_nobody_but_the_cells_editors_may_schedule(world: World) -> None:
    for persona in ("viewer", "member", "outsider"):
        response = world.client(persona).post(f"/meetings/cell/{world.cell.code}/", {})
        assert response.status_code == 404, persona
    assert not Meeting.objects.exists()


def test_a_member_reads_the_agenda_and_comments(world: World) -> None:
    meeting = schedule(world)
    client = world.client("member")
    mine = client.get("/so-tay/sinh-hoat/").content.decode()
    assert meeting.topic in mine
    response = client.post(f"/so-tay/sinh-hoat/{meeting.pk}/gop-y/", {"body": "Tôi tán thành"})
    assert response.status_code == 302
    assert "Tôi tán thành" in client.get(f"/so-tay/sinh-hoat/{meeting.pk}/").content.decode()


def test_a_member_never_sees_another_cells_meeting(world: World) -> None:
    other = meeting_with_paper_and_vote_of_other_cell(world)
    client = world.client("member")
    assert client.get(f"/so-tay/sinh-hoat/{other.pk}/").status_code == 404
    assert other.topic not in client.get("/so-tay/sinh-hoat/").content.decode()
    # Nor comments on it, votes in it, or reads its papers.
    refused = client.post(f"/so-tay/sinh-hoat/{other.pk}/gop-y/", {"body": "x"})
    assert refused.status_code == 404
    assert "Không tìm thấy buổi họp này trong các buổi họp của chi bộ đồng chí" in (
        refused.content.decode()
    )
    vote = other.votes.get()
    assert (
        client.post(f"/so-tay/sinh-hoat/bieu-quyet/{vote.pk}/", {"choice": "agree"}).status_code
        == 404
    )
    document = other.documents.get()
    assert client.get(f"/so-tay/sinh-hoat/tai-lieu/{document.pk}/").status_code == 404
    assert not Comment.objects.exists() and not Ballot.objects.exists()
    assert client.get("/so-tay/sinh-hoat/99999999999999999999/").status_code == 404


def meeting_with_paper_and_vote_of_other_cell(world: World) -> Meeting:
    from meetings.services import document_attach, vote_open

    meeting = schedule(world, cell=world.other_cell, by="city", topic="Họp Khu phố 1")
    by = world.users["city"]
    document_attach(meeting=meeting, upload=SimpleUploadedFile("a.pdf", PDF), by=by)
    vote_open(meeting=meeting, question="Q", by=by)
    return meeting


def test_a_comment_on_another_cells_meeting_is_refused_with_a_message(world: World) -> None:
    """A member of both the other ward's officials and nobody's cell: the city official sees
    every meeting but is no member of the cell; the stranger's account is a member elsewhere."""
    from accounts.models import User

    meeting = schedule(world)
    stranger = User.objects.create_user(username="stranger", member=world.stranger)
    from django.test import Client

    client = Client()
    client.force_login(stranger)
    assert client.post(f"/so-tay/sinh-hoat/{meeting.pk}/gop-y/", {"body": "x"}).status_code == 404
    # The ward's viewer sees the meeting, yet is no member of the cell: told so.
    response = world.client("viewer").post(
        f"/so-tay/sinh-hoat/{meeting.pk}/gop-y/", {"body": "Góp ý"}
    )
    assert response.status_code == 400
    assert "Chỉ đảng viên của Chi bộ Giáo viên 1 mới góp ý" in response.content.decode()
    assert not Comment.objects.exists()


def test_check_in_by_the_address_the_qr_code_encodes(world: World) -> None:
    meeting = schedule(world, in_hours=0.5)
    page = world.client("secretary").get(f"/meetings/{meeting.pk}/qr/").content.decode()
    code = current_code(meeting)
    url = f"/so-tay/sinh-hoat/{meeting.pk}/diem-danh/?c={code}"
    assert url in page and "<svg" in page
    client = world.client("member")
    assert "Xác nhận có mặt" in client.get(url).content.decode()
    done = client.post(f"/so-tay/sinh-hoat/{meeting.pk}/diem-danh/", {"c": code})
    assert done.status_code == 200 and "Đã điểm danh có mặt lúc" in done.content.decode()
    again = client.post(f"/so-tay/sinh-hoat/{meeting.pk}/diem-danh/", {"c": current_code(meeting)})
    assert again.status_code == 400 and "đã điểm danh lúc" in again.content.decode()
    assert Attendance.objects.filter(meeting=meeting).exclude(checked_in_at=None).count() == 1
    live = world.client("secretary").get(f"/meetings/{meeting.pk}/qr/?live=1").content.decode()
    assert "Có mặt 1/4" in live


def test_check_in_refusals_are_plain_and_change_nothing(world: World) -> None:
    meeting = schedule(world, in_hours=0.5)
    client = world.client("member")
    yesterday = current_code(meeting, timezone.now() - timedelta(days=1))
    response = client.post(f"/so-tay/sinh-hoat/{meeting.pk}/diem-danh/", {"c": yesterday})
    assert response.status_code == 400
    assert "Mã điểm danh đã hết hạn hoặc không đúng" in response.content.decode()
    other = schedule(world, cell=world.other_cell, by="city", in_hours=0.5)
    response = client.post(f"/so-tay/sinh-hoat/{other.pk}/diem-danh/", {"c": current_code(other)})
    assert response.status_code == 404
    assert "Không tìm thấy buổi họp này trong các buổi họp của chi bộ đồng chí" in (
        response.content.decode()
    )
    meeting_close(meeting=meeting, by=world.users["secretary"], now=meeting.starts_at)
    response = client.post(
        f"/so-tay/sinh-hoat/{meeting.pk}/diem-danh/", {"c": current_code(meeting)}
    )
    assert response.status_code == 400 and "Buổi họp đã kết thúc" in response.content.decode()
    # An official of the cell is not on the list of the invited.
    fresh = schedule(world, in_hours=0.5)
    response = world.client("secretary").post(
        f"/so-tay/sinh-hoat/{fresh.pk}/diem-danh/", {"c": current_code(fresh)}
    )
    assert response.status_code == 400 and "không phải của chi bộ đồng chí" in (
        response.content.decode()
    )
    assert not Attendance.objects.exclude(checked_in_at=None).exists()


def test_the_secretary_confirms_attendance_and_closes(world: World) -> None:
    meeting = schedule(world, in_hours=0.5)
    m = world.members
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(minutes=5))
    client = world.client("secretary")
    response = client.post(
        f"/meetings/{meeting.pk}/attendance/",
        {f"m{m[0].pk}": "present", f"m{m[1].pk}": "excused", "close": "1"},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.is_closed
    assert dict(meeting.attendances.values_list("member_id", "status")) == {
        m[0].pk: "present",
        m[1].pk: "excused",
        m[2].pk: "unexcused",
        m[3].pk: "unexcused",
    }
    tick()
    stats = world.client("ward").get(f"/meetings/stats/{world.ward.code}/").content.decode()
    assert "25,0%" in stats or "25.0%" in stats
    assert "1/1" in stats


def test_minutes_and_a_vote_after_the_meeting(world: World) -> None:
    meeting = schedule(world, in_hours=0.5)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(minutes=5))
    client = world.client("secretary")
    response = client.post(
        f"/meetings/{meeting.pk}/minutes/", {"minutes": "Chi bộ đã thảo luận", "resolutions": "NQ"}
    )
    assert response.status_code == 302
    client.post(f"/meetings/{meeting.pk}/votes/", {"question": "Thông qua nghị quyết"})
    vote = meeting.votes.get()
    member = world.client("member")
    assert (
        member.post(f"/so-tay/sinh-hoat/bieu-quyet/{vote.pk}/", {"choice": "agree"}).status_code
        == 302
    )
    twice = member.post(f"/so-tay/sinh-hoat/bieu-quyet/{vote.pk}/", {"choice": "disagree"})
    assert twice.status_code == 400 and "mỗi người một lần" in twice.content.decode()
    vote_close(vote=vote, by=world.users["secretary"])
    html = member.get(f"/so-tay/sinh-hoat/{meeting.pk}/").content.decode()
    assert "Chi bộ đã thảo luận" in html and "Tán thành 1" in html


def test_a_vote_after_close_is_refused(world: World) -> None:
    meeting = meeting_with_paper_and_vote(world)
    vote = meeting.votes.get()
    world.client("secretary").post(f"/meetings/votes/{vote.pk}/close/")
    response = world.client("member").post(
        f"/so-tay/sinh-hoat/bieu-quyet/{vote.pk}/", {"choice": "agree"}
    )
    assert response.status_code == 400
    assert "Biểu quyết đã kết thúc" in response.content.decode()
    assert not Ballot.objects.exists()


def test_a_vote_by_an_official_who_is_not_a_member_of_the_cell_is_refused(world: World) -> None:
    meeting = meeting_with_paper_and_vote(world)
    vote = meeting.votes.get()
    response = world.client("ward").post(
        f"/so-tay/sinh-hoat/bieu-quyet/{vote.pk}/", {"choice": "agree"}
    )
    assert response.status_code == 400
    assert "Chỉ đảng viên của Chi bộ Giáo viên 1 mới được biểu quyết" in response.content.decode()
    assert not Ballot.objects.exists()


def test_papers_upload_download_and_refusals(world: World) -> None:
    meeting = schedule(world)
    client = world.client("secretary")
    response = client.post(
        f"/meetings/{meeting.pk}/documents/",
        {"file": SimpleUploadedFile("Tờ trình.pdf", PDF)},
    )
    assert response.status_code == 302
    document = MeetingDocument.objects.get()
    # Kept encrypted: the stored bytes are not the PDF.
    assert PDF not in document.stored_path().read_bytes()
    download = world.client("member").get(f"/so-tay/sinh-hoat/tai-lieu/{document.pk}/")
    assert download.status_code == 200 and download.content == PDF
    assert download["Content-Type"] == "application/pdf"
    bad = client.post(
        f"/meetings/{meeting.pk}/documents/",
        {"file": SimpleUploadedFile("virus.exe", b"MZ\x90\x00rest")},
    )
    assert bad.status_code == 400
    assert "Tệp virus.exe: chỉ nhận tài liệu PDF, DOCX, ODT hoặc ảnh" in bad.content.decode()
    big = SimpleUploadedFile("lon.pdf", PDF + b"0" * (20 * 1024 * 1024))
    bad = client.post(f"/meetings/{meeting.pk}/documents/", {"file": big})
    assert bad.status_code == 400 and "lớn hơn 20 MB" in bad.content.decode()
    assert MeetingDocument.objects.count() == 1


def test_an_absence_reported_beforehand(world: World) -> None:
    meeting = schedule(world)
    client = world.client("member")
    empty = client.post(f"/so-tay/sinh-hoat/{meeting.pk}/bao-vang/", {"reason": ""})
    assert empty.status_code == 400 and "Nhập lý do vắng mặt." in empty.content.decode()
    client.post(f"/so-tay/sinh-hoat/{meeting.pk}/bao-vang/", {"reason": "Đi công tác"})
    attendance = Attendance.objects.get(meeting=meeting, member=world.members[0])
    assert attendance.status == "absence_reported" and attendance.reason == "Đi công tác"


def test_the_pages_speak_english_on_the_switch(world: World) -> None:
    meeting = schedule(world, in_hours=0.5)
    client = world.client("member")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(f"/so-tay/sinh-hoat/{meeting.pk}/").content.decode()
    assert "Agenda" in html and "Send comment" in html and "Chương trình" not in html
    yesterday = current_code(meeting, timezone.now() - timedelta(days=1))
    refused = client.post(
        f"/so-tay/sinh-hoat/{meeting.pk}/diem-danh/", {"c": yesterday}
    ).content.decode()
    assert "The check-in code has expired or is wrong" in refused
    bad = world.client("secretary")
    bad.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = bad.post(
        f"/meetings/{meeting.pk}/documents/", {"file": SimpleUploadedFile("x.exe", b"MZ")}
    )
    assert "File x.exe: only PDF, DOCX, ODT documents or images" in response.content.decode()


def test_a_check_in_costs_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries
) -> None:
    """The hot path of a meeting: the session, the user, their grants (once for every role) and
    member record, the meeting, the invitation, one update, one counter delta, one audit row,
    the unread notifications; the session is not written again within the minute."""
    meeting = schedule(world, in_hours=0.5)
    client = world.client("member")
    client.get("/so-tay/sinh-hoat/")
    with django_assert_max_num_queries(12):
        response = client.post(
            f"/so-tay/sinh-hoat/{meeting.pk}/diem-danh/", {"c": current_code(meeting)}
        )
    assert response.status_code == 200


def test_the_handbook_home_shows_the_next_meeting_kept_for_offline(world: World) -> None:
    meeting = meeting_with_paper_and_vote(world)
    html = world.client("member").get("/so-tay/").content.decode()
    document = meeting.documents.get()
    assert 'id="next-meeting"' in html and meeting.topic in html
    assert (
        f'data-precache="/so-tay/sinh-hoat/{meeting.pk}/ /so-tay/sinh-hoat/tai-lieu/{document.pk}/"'
        in html
    )
    # The member of another cell has nothing coming.
    from django.test import Client

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.create_user(username="s", member=world.stranger))
    assert 'id="next-meeting"' not in client.get("/so-tay/").content.decode()


def test_the_figures_follow_the_organisations_stream(world: World) -> None:
    """The statistics page watches its organisation's live stream and fetches its figures again
    (a fragment) when something below changed: a check-in moves them at once."""
    meeting = schedule(world, in_hours=0.5)
    client = world.client("ward")
    page = client.get(f"/meetings/stats/{world.ward.code}/").content.decode()
    assert f'data-live-url="/orgs/{world.ward.code}/live/"' in page
    client_member = world.client("member")
    client_member.post(f"/so-tay/sinh-hoat/{meeting.pk}/diem-danh/", {"c": current_code(meeting)})
    meeting_close(meeting=meeting, by=world.users["secretary"], now=meeting.starts_at)
    tick()
    fragment = client.get(f"/meetings/stats/{world.ward.code}/?live=1").content.decode()
    assert "<html" not in fragment and 'data-counter="present">1/4' in fragment


def test_the_secretary_moves_a_meeting_on_its_page_and_a_bad_date_names_its_field(
    world: World,
) -> None:
    meeting = schedule(world, in_hours=48)
    client = world.client("secretary")
    page = client.get(f"/meetings/{meeting.pk}/edit/")
    assert page.status_code == 200 and meeting.topic in page.content.decode()
    # Filled in as a person types it (hh:mm): the form sent back unchanged is accepted.
    hour = timezone.localtime(meeting.starts_at).strftime("%H:%M")
    assert f'value="{hour}"' in page.content.decode()
    day = timezone.localdate() + timedelta(days=5)
    fields = {
        "kind": "regular",
        "topic": "Sinh hoạt thường kỳ (dời lịch)",
        "on": day.strftime("%d/%m/%Y"),
        "at": "08:00",
        "place": "Hội trường phường",
        "agenda": "1. Thông báo",
    }
    response = client.post(f"/meetings/{meeting.pk}/edit/", fields)
    assert response["Location"] == f"/so-tay/sinh-hoat/{meeting.pk}/"
    meeting.refresh_from_db()
    assert timezone.localtime(meeting.starts_at).strftime("%H:%M %d/%m/%Y") == (
        f"08:00 {day:%d/%m/%Y}"
    )
    past = timezone.localdate() - timedelta(days=1)
    response = client.post(
        f"/meetings/{meeting.pk}/edit/", fields | {"on": past.strftime("%d/%m/%Y"), "topic": "X"}
    )
    assert response.status_code == 400
    assert "Thời gian họp phải sau thời điểm hiện tại" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.topic == "Sinh hoạt thường kỳ (dời lịch)"


def test_the_secretary_cancels_with_a_reason_the_member_reads(world: World) -> None:
    meeting = schedule(world, in_hours=24)
    client = world.client("secretary")
    refused = client.post(f"/meetings/{meeting.pk}/cancel/", {"reason": ""})
    assert refused.status_code == 400 and "Nhập lý do huỷ" in refused.content.decode()
    response = client.post(f"/meetings/{meeting.pk}/cancel/", {"reason": "Bão số 9"})
    assert response.status_code == 302
    html = world.client("member").get(f"/so-tay/sinh-hoat/{meeting.pk}/").content.decode()
    assert "Buổi họp đã huỷ" in html and "Bão số 9" in html
    # Neither the edit page nor a member may change it now; a member may not cancel at all.
    assert client.get(f"/meetings/{meeting.pk}/edit/").status_code == 400
    other = schedule(world, in_hours=24)
    assert (
        world.client("member").post(f"/meetings/{other.pk}/cancel/", {"reason": "x"}).status_code
        == 404
    )
