"""The secretary moves a meeting and then cancels another, on a phone (390×844); the member
reads the cancellation and its reason."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import World
from meetings.models import Meeting
from meetings.tests.helpers import schedule

from .conftest import login, shot

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _phone(own_browser, live_server):
    context = own_browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="vi-VN", base_url=live_server.url
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def _fits(page) -> None:
    assert page.locator("html").evaluate("e => e.scrollWidth") <= PHONE["width"]


def test_the_secretary_moves_then_cancels_and_the_member_reads_why(
    own_browser, live_server, live_world: World
) -> None:
    moved = schedule(live_world, in_hours=48, topic="Sinh hoạt chuyên đề")
    secretary = _phone(own_browser, live_server)
    login(secretary, "secretary")
    secretary.goto(f"/so-tay/sinh-hoat/{moved.pk}/")
    secretary.click("#edit-meeting")
    _fits(secretary)
    day = timezone.localdate() + timedelta(days=6)
    secretary.fill("#id_on", day.strftime("%d/%m/%Y"))
    secretary.fill("#id_place", "Hội trường phường")
    shot(secretary, "sinh-hoat-sua")
    secretary.click("button:has-text('Lưu thay đổi')")
    expect(secretary.locator("h1")).to_have_text("Sinh hoạt chuyên đề")
    expect(secretary.locator("dl")).to_contain_text("Hội trường phường")
    expect(secretary.locator("dl")).to_contain_text(day.strftime("%d/%m/%Y"))

    secretary.click("#cancel-meeting summary")
    secretary.fill("#cancel-reason", "Trùng lịch họp của Đảng uỷ phường")
    secretary.click("button:has-text('Huỷ buổi họp và báo cho đảng viên')")
    expect(secretary.locator("#cancelled")).to_contain_text("Trùng lịch họp của Đảng uỷ phường")
    _fits(secretary)
    assert Meeting.objects.get(pk=moved.pk).status == Meeting.Status.CANCELLED

    member = _phone(own_browser, live_server)
    login(member, "member")
    member.goto(f"/so-tay/sinh-hoat/{moved.pk}/")
    expect(member.locator("#cancelled")).to_contain_text("Trùng lịch họp của Đảng uỷ phường")
    _fits(member)
