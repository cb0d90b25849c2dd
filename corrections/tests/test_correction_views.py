"""Correction pages through HTTP: the member files and answers in the handbook, officials work
their queue, the xlsx lists, the attachment shown to nobody else."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from conftest import World, png
from core.tick import tick
from corrections.models import Request, Status
from members.models import Member

pytestmark = pytest.mark.django_db

PNG = png()


def _file_birth_date(world: World, **extra: object):
    member = world.members[0]
    return world.client("member").post(
        reverse("corrections:mine_new"),
        {
            "field": "birth_date",
            "proposed_value": member.birth_date.replace(day=27).strftime("%d/%m/%Y"),
            "reason": "Giấy khai sinh ghi ngày 27",
            **extra,
        },
    )


def test_a_member_files_a_request_with_a_photo_and_sees_its_timeline(world: World) -> None:
    response = _file_birth_date(world, attachment=SimpleUploadedFile("khai-sinh.png", PNG))
    request = Request.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("corrections:mine_detail", args=[request.pk])
    page = world.client("member").get(response.url).content.decode()
    assert "Gửi yêu cầu" in page and "khai-sinh.png" in page and "Chi bộ Giáo viên 1" in page
    mine = world.client("member").get(reverse("corrections:mine")).content.decode()
    assert request.proposed_value in mine
    photo = world.client("member").get(reverse("corrections:attachment", args=[request.pk]))
    assert photo.status_code == 200 and photo.content == PNG
    assert photo["Cache-Control"] == "private, no-store"


def test_a_member_sees_a_clear_message_for_a_bad_value_and_nothing_is_kept(world: World) -> None:
    response = world.client("member").post(
        reverse("corrections:mine_new"),
        {"field": "birth_date", "proposed_value": "31/02/1980", "reason": "sai"},
    )
    assert response.status_code == 200
    assert "Ngày" in response.content.decode() and "hb-error" in response.content.decode()
    response = world.client("member").post(
        reverse("corrections:mine_new"),
        {"field": "religion", "proposed_value": "Phật giáo", "reason": "sai"},
    )
    assert response.status_code == 200 and "hb-error" in response.content.decode()
    response = _file_birth_date(world, attachment=SimpleUploadedFile("x.docx", b"PK\x03\x04"))
    assert "chỉ nhận ảnh" in response.content.decode()
    assert not Request.objects.exists()


def test_officials_work_the_queue_and_the_member_answers(world: World) -> None:
    _file_birth_date(world)
    request = Request.objects.get()
    tick()
    page = world.client("ward").get(reverse("corrections:queue", args=[world.ward.code]))
    assert 'id="count-review">1<' in page.content.decode()
    assert world.members[0].full_name in page.content.decode()
    detail = reverse("corrections:detail", args=[request.pk])
    assert world.client("secretary").post(detail, {"action": "forwarded"}).status_code == 302
    response = world.client("ward").post(detail, {"action": "asked", "note": ""})
    assert "Hãy ghi rõ cần đảng viên bổ sung gì." in response.content.decode()
    world.client("ward").post(detail, {"action": "asked", "note": "Gửi ảnh giấy khai sinh"})
    request.refresh_from_db()
    assert request.status == Status.WAITING
    mine = reverse("corrections:mine_detail", args=[request.pk])
    timeline = world.client("member").get(mine).content.decode()
    assert "Gửi ảnh giấy khai sinh" in timeline and 'id="answer-form"' in timeline
    world.client("member").post(
        mine, {"note": "Đã gửi ảnh", "attachment": SimpleUploadedFile("ks.png", PNG)}
    )
    request.refresh_from_db()
    assert request.status == Status.REVIEW and request.attachment_name == "ks.png"
    response = world.client("ward").post(detail, {"action": "approved"})
    assert "không có thẩm quyền" in response.content.decode()
    world.client("ward").post(detail, {"action": "forwarded"})
    world.client("ward").post(detail, {"action": "forwarded"})
    world.client("city").post(detail, {"action": "approved"})
    request.refresh_from_db()
    assert request.status == Status.APPROVED
    assert Member.objects.get(pk=world.members[0].pk).birth_date.day == 27


def test_the_attachment_is_served_to_nobody_else(world: World) -> None:
    _file_birth_date(world, attachment=SimpleUploadedFile("khai-sinh.png", PNG))
    request = Request.objects.get()
    url = reverse("corrections:attachment", args=[request.pk])
    for persona in ("viewer", "outsider"):
        assert world.client(persona).get(url).status_code == 404
    for persona in ("secretary", "ward", "city", "member"):
        assert world.client(persona).get(url).status_code == 200
    # Another member never reads it, nor the request.
    from accounts.models import User

    other = User.objects.create_user(username="other-member")
    other.member = world.members[1]
    other.save(update_fields=["member"])
    client = world.client("outsider")
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert client.get(reverse("corrections:mine_detail", args=[request.pk])).status_code == 404


def test_the_lists_download_as_xlsx_with_the_cccd_masked_for_a_viewer(world: World) -> None:
    member = world.members[0]
    world.client("member").post(
        reverse("corrections:mine_new"),
        {"field": "cccd", "proposed_value": "079060100777", "reason": "CCCD cấp lại"},
    )
    url = reverse("corrections:queue_export", args=[world.ward.code])
    for persona, shown in (("ward", "079060100777"), ("viewer", "079*******77")):
        response = world.client(persona).get(url)
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[1][1] == member.full_name and rows[1][5] == shown
    decided = world.client("ward").get(url + "?trang-thai=decided")
    sheet = load_workbook(io.BytesIO(decided.content)).active
    assert sheet is not None and sheet.max_row == 1


def test_the_campaign_dashboard_shows_requests_per_unit(world: World) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from campaigns.services import campaign_create
    from corrections.models import Action
    from corrections.services import request_act, requests_mark_overdue

    _file_birth_date(world)
    request = Request.objects.get()
    world.client("member").post(
        reverse("corrections:mine_new"),
        {"field": "phone", "proposed_value": "0912345678", "reason": "Số mới"},
    )
    phone = Request.objects.get(field="phone")
    request_act(request=phone, action=Action.APPROVED, by=world.users["approver"])
    assert request.due_on is not None
    requests_mark_overdue(today=request.due_on + timedelta(days=1))
    tick()
    today = timezone.localdate()
    campaign = campaign_create(
        root=world.city,
        name="Làm sạch dữ liệu",
        starts_on=today,
        ends_on=today + timedelta(days=9),
        milestones=[("Gửi", today + timedelta(days=5), "submitted")],
    )
    url = reverse("campaigns:dashboard", args=[campaign.pk, world.city.code])
    page = world.client("city").get(url).content.decode()
    section = page[page.index('id="corrections-section"') :]
    row = section[section.index("Đảng bộ Phường Sài Gòn") :].split("</tr>")[0]
    cells = [c.split(">")[-1] for c in row.split("</td>")[1:4]]
    assert cells == ["2", "1", "1"]  # opened, decided, overdue


def test_the_queue_figures_refresh_live_from_the_counters(world: World) -> None:
    url = reverse("corrections:queue", args=[world.ward.code])
    page = world.client("ward").get(url).content.decode()
    assert reverse("orgs:live", args=[world.ward.code]) in page
    _file_birth_date(world)
    tick()
    fragment = world.client("ward").get(url + "?live=1").content.decode()
    assert 'id="count-review">1<' in fragment and "<form" not in fragment


def test_the_record_history_links_the_change_to_its_request(world: World) -> None:
    from corrections.models import Action
    from corrections.services import request_act, request_file

    request = request_file(
        member=world.members[0],
        field="phone",
        proposed="0912345678",
        reason="Số mới",
        by=world.users["member"],
    )
    request_act(request=request, action=Action.APPROVED, by=world.users["approver"])
    page = world.client("ward").get(reverse("members:detail", args=[world.members[0].pk]))
    assert reverse("corrections:detail", args=[request.pk]) in page.content.decode()


def test_the_pages_speak_english_on_the_switch(world: World) -> None:
    from django.utils import translation

    client = world.client("member")
    client.cookies["django_language"] = "en"
    try:
        page = client.get(reverse("corrections:mine_new")).content.decode()
    finally:
        # The middleware leaves the request's language active in this thread.
        translation.activate("vi")
    assert "Report an error in my record" in page and "Báo lỗi hồ sơ" not in page


def test_the_queue_reads_a_fixed_number_of_queries_however_many_requests(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from corrections.services import request_file

    url = reverse("corrections:queue", args=[world.ward.code]) + "?trang-thai=open"
    client = world.client("ward")
    counts = []
    for member in world.members[:3]:
        request_file(member=member, field="email", proposed="a@example.vn", reason="x", by=None)
        client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2]
