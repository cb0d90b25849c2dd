"""A cell holds a meeting on the handbook, on phones (390×844): the secretary schedules it and
attaches a paper; a member reads the agenda and comments; the secretary shows the rotating QR
code and the member checks in through the address it encodes; a vote; the secretary confirms
attendance, closes the meeting and posts the minutes; the ward reads the attendance figures."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import World
from meetings.models import Meeting
from meetings.tests.helpers import PDF

from .conftest import login, shot, wait_controlled

pytestmark = pytest.mark.browser


PHONE = {"width": 390, "height": 844}


def _phone(own_browser, live_server):
    context = own_browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="vi-VN", base_url=live_server.url
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def _fits(page) -> None:
    """Nothing wider than the phone: no sideways scrolling."""
    assert page.locator("html").evaluate("e => e.scrollWidth") <= PHONE["width"]


def test_a_cell_holds_a_meeting_on_phones(own_browser, live_server, live_world: World, tmp_path):
    world = live_world
    _sec_context, secretary = _phone(own_browser, live_server)
    mem_context, member = _phone(own_browser, live_server)
    try:
        # The secretary schedules this evening's meeting (check-in opens an hour before).
        login(secretary, "secretary")
        secretary.goto(f"/meetings/cell/{world.cell.code}/")
        secretary.click("summary:has-text('Lên lịch buổi họp')")
        starts = timezone.localtime() + timedelta(minutes=40)
        secretary.select_option("#id_kind", "regular")
        secretary.fill("#id_topic", "Sinh hoạt chi bộ thường kỳ")
        secretary.fill("#id_on", starts.strftime("%d/%m/%Y"))
        secretary.fill("#id_at", starts.strftime("%H:%M"))
        secretary.fill("#id_place", "Phòng họp tầng 2, Trường THPT Trưng Vương")
        secretary.fill(
            "#id_agenda",
            "1. Thông tin thời sự\n2. Đánh giá công tác tháng\n3. Biểu quyết nghị quyết tháng",
        )
        shot(secretary, "sinh-hoat-len-lich")
        secretary.click("button:has-text('Lên lịch và gửi giấy mời')")
        expect(secretary.locator(".hb-alert[role=alert]")).to_contain_text(
            "gửi giấy mời đến 4 đảng viên"
        )
        meeting = Meeting.objects.get()
        pdf = tmp_path / "Du thao nghi quyet.pdf"
        pdf.write_bytes(PDF)
        secretary.set_input_files("#id_file", str(pdf))
        secretary.click("button:has-text('Đính kèm tài liệu')")
        expect(secretary.locator("#documents")).to_contain_text("Du thao nghi quyet.pdf")
        _fits(secretary)

        # A member reads the agenda and comments.
        login(member, "member")
        member.goto("/so-tay/sinh-hoat/")
        member.click(f"[data-meeting='{meeting.pk}'] a")
        expect(member.locator("#agenda")).to_contain_text("Đánh giá công tác tháng")
        expect(member.locator("#documents")).to_contain_text("Du thao nghi quyet.pdf")
        member.fill("#body", "Đề nghị bổ sung nội dung về công tác phát triển đảng viên.")
        member.click("button:has-text('Gửi góp ý')")
        expect(member.locator("#comments")).to_contain_text("công tác phát triển đảng viên")
        _fits(member)
        member.locator("#agenda").scroll_into_view_if_needed()
        member.evaluate("document.querySelector('#agenda').scrollIntoView()")
        shot(member, "sinh-hoat-gop-y")

        # The handbook's home keeps the next meeting and its paper on the phone: with the
        # network cut, both still open.
        member.goto("/so-tay/")
        expect(member.locator("#next-meeting")).to_contain_text("Sinh hoạt chi bộ thường kỳ")
        wait_controlled(member)
        member.reload()
        document = meeting.documents.get()
        kept = [f"/so-tay/sinh-hoat/{meeting.pk}/", f"/so-tay/sinh-hoat/tai-lieu/{document.pk}/"]
        member.wait_for_function(
            """urls => caches.keys().then(names => Promise.all(names.map(n => caches.open(n)
                 .then(c => Promise.all(urls.map(u => c.match(u)))))))
                 .then(found => urls.every((u, i) => found.some(f => f[i])))""",
            arg=kept,
            timeout=15_000,
            polling=500,
        )
        mem_context.set_offline(True)
        member.goto(kept[0])
        expect(member.locator("#agenda")).to_contain_text("Đánh giá công tác tháng")
        status = member.evaluate(f"fetch('{kept[1]}').then(r => r.status)")
        assert status == 200
        mem_context.set_offline(False)

        # At the meeting: the secretary shows the code, the member opens what the QR encodes.
        secretary.goto(f"/meetings/{meeting.pk}/qr/")
        box = secretary.locator(".qr-box")
        expect(box.locator("svg")).to_be_visible()
        _fits(secretary)
        shot(secretary, "sinh-hoat-ma-qr")
        url = urlsplit(box.get_attribute("data-checkin-url") or "")
        member.goto(f"{url.path}?{url.query}")
        member.click("#checkin-button")
        expect(member.locator("#checked-in")).to_contain_text("Đã điểm danh có mặt")
        _fits(member)
        shot(member, "sinh-hoat-diem-danh")
        # The same code again: refused, said plainly.
        member.goto(f"{url.path}?{url.query}")
        member.click("#checkin-button")
        expect(member.locator("#refusal")).to_contain_text("đã điểm danh lúc")
        # The secretary's screen counts them (it refreshes itself with the next code).
        secretary.reload()
        expect(secretary.locator("#present-count")).to_contain_text("Có mặt 1/4")

        # The meeting has begun: a vote.
        Meeting.objects.filter(pk=meeting.pk).update(
            starts_at=timezone.now() - timedelta(minutes=5)
        )
        secretary.goto(f"/so-tay/sinh-hoat/{meeting.pk}/")
        secretary.fill("#question", "Thông qua nghị quyết chi bộ tháng")
        secretary.click("button:has-text('Mở biểu quyết')")
        member.goto(f"/so-tay/sinh-hoat/{meeting.pk}/#votes")
        member.click("#votes button:has-text('Tán thành')")
        expect(member.locator("#votes")).to_contain_text("Đồng chí đã chọn: Tán thành")
        secretary.goto(f"/so-tay/sinh-hoat/{meeting.pk}/")
        secretary.click("button:has-text('Kết thúc biểu quyết')")
        expect(secretary.locator("#votes")).to_contain_text("Tán thành 1")
        secretary.locator("#votes").scroll_into_view_if_needed()
        shot(secretary, "sinh-hoat-bieu-quyet")

        # The secretary confirms attendance and closes the meeting.
        secretary.goto(f"/meetings/{meeting.pk}/attendance/")
        absent = world.members[1]
        secretary.select_option(f"select[name=m{absent.pk}]", "excused")
        _fits(secretary)
        shot(secretary, "sinh-hoat-xac-nhan")
        secretary.click("button:has-text('Lưu và kết thúc buổi họp')")
        expect(secretary.locator(".hb-alert[role=alert]")).to_contain_text("Đã kết thúc buổi họp")

        # The minutes.
        secretary.goto(f"/meetings/{meeting.pk}/minutes/")
        secretary.fill("#id_minutes", "Chi bộ họp đủ nội dung; có mặt 1/4 đảng viên.")
        secretary.fill("#id_resolutions", "Thông qua nghị quyết chi bộ tháng.")
        secretary.click("button:has-text('Đăng biên bản')")
        expect(secretary.locator("#minutes")).to_contain_text("Chi bộ họp đủ nội dung")
        member.goto(f"/so-tay/sinh-hoat/{meeting.pk}/")
        expect(member.locator("#minutes")).to_contain_text("Thông qua nghị quyết chi bộ tháng")
        expect(member.locator("#my-attendance")).to_contain_text("Có mặt")
    finally:
        pass  # the test's own browser closes them all

    # The ward reads the attendance figures, from its counters.
    _ward_context, ward = _phone(own_browser, live_server)
    try:
        login(ward, "ward")
        ward.goto(f"/meetings/stats/{world.ward.code}/")
        expect(ward.locator("[data-counter=held]")).to_have_text("1")
        expect(ward.locator("[data-counter=rate]")).to_contain_text("25")
        _fits(ward)
        shot(ward, "sinh-hoat-thong-ke")
    finally:
        pass  # the test's own browser closes them all
