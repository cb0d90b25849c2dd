"""Officials browse the tree, find a member and record an event, in a real Chromium."""

import pytest
from playwright.sync_api import expect

from conftest import World
from members.models import Member
from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser


def test_a_city_official_drills_down_to_a_cell_and_opens_a_member(page, live_world: World) -> None:
    login(page, "city")
    page.wait_for_url("**/orgs/79/")
    assert page.locator('[data-counter="members"]').inner_text() == "5"
    shot(page, "org-city")
    page.click(f"text={live_world.ward.name}")
    page.click(f"text={live_world.grassroots.name}")
    page.click(f"text={live_world.cell.name}")
    page.wait_for_url(f"**/orgs/{live_world.cell.code}/")
    page.click("text=Danh sách đảng viên")
    expect(page.locator("#members tbody tr")).to_have_count(4)  # waits for the page
    shot(page, "org-members")
    page.click("text=Trần Thị Bình")
    expect(page.locator("#record")).to_be_visible()
    assert "Kết nạp" in page.locator("#events").inner_text()
    shot(page, "member-detail")


def test_a_ward_official_finds_a_member_without_diacritics_as_they_type(
    page, live_world: World
) -> None:
    login(page, "ward")
    page.goto(f"/orgs/{live_world.ward.code}/members/")
    page.fill("#q", "pham thi thuy")
    # A locator wait, not wait_for_function: the page's Content Security Policy forbids eval.
    expect(page.locator("#members tbody tr")).to_have_count(1)
    assert "Phạm Thị Thuỷ" in page.locator("#members").inner_text()
    shot(page, "member-search")


def test_a_cell_secretary_records_a_transfer_and_sees_a_refusal_first(
    page, live_world: World
) -> None:
    member = live_world.members[2]
    login(page, "city")
    page.goto(f"/members/{member.pk}/events/transfer/")
    page.fill("#id_to_code", "KHONG-CO")
    page.fill("#id_on", "01/10/2025")
    page.click("button:has-text('Lưu')")
    # Waits for the refused form to come back (is_visible() alone would not wait for it).
    expect(page.locator('[data-field="to_code"]')).to_be_visible()
    shot(page, "member-event-refused")
    # The organisation picker: typing a name without diacritics suggests the cells in scope.
    page.fill("#id_to_code", "khu pho 1")
    suggestion = page.locator("[data-org-pick]", has_text=live_world.other_cell.name)
    expect(suggestion).to_be_visible()
    shot(page, "org-picker")
    suggestion.click()
    expect(page.locator("#id_to_code")).to_have_value(live_world.other_cell.name)
    page.click("button:has-text('Lưu')")
    page.wait_for_url(f"**/members/{member.pk}/")
    assert live_world.other_cell.name in page.locator("#events").inner_text()
    assert Member.objects.get(pk=member.pk).org_id == live_world.other_cell.id


def test_the_interface_switches_to_english(page, live_world: World) -> None:
    login(page, "city")
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.locator("text=Member list")).to_be_visible()
    shot(page, "org-city-english")


PHONE = {"width": 390, "height": 844}


def test_the_member_list_fits_a_phone(browser, live_server, live_world: World) -> None:
    context = browser.new_context(
        # No service worker in the shared browser: one outliving its page kept the next context
        # from closing (a member's login lands on the handbook, which installs one).
        service_workers="block",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        base_url=live_server.url,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        login(page, "ward")
        page.goto(f"/orgs/{live_world.ward.code}/members/")
        rows = page.locator("#members tbody tr")
        expect(rows).to_have_count(4)
        shot(page, "org-members-phone")
        # Nothing is wider than the screen: no sideways scrolling, no column cut off.
        assert page.locator("html").evaluate("e => e.scrollWidth") <= PHONE["width"]
        table = page.locator("#members").bounding_box()
        assert table is not None and table["x"] >= 0
        assert table["x"] + table["width"] <= PHONE["width"], table
        assert page.locator("#members").evaluate("e => e.scrollWidth") <= table["width"] + 1
        # What one looks a member up for is on the screen: name, birth date, CCCD, cell, status.
        for row in rows.all():
            for cell in row.locator("td:visible").all():
                box = cell.bounding_box()
                assert box is not None and box["x"] >= 0, cell.inner_text()
                assert box["x"] + box["width"] <= PHONE["width"], (cell.inner_text(), box)
        first = rows.first.inner_text()
        member = live_world.members[0]
        for shown in (member.full_name, "Chính thức", live_world.cell.name, member.cccd[:3]):
            assert shown in first, (shown, first)
    finally:
        context.close()
