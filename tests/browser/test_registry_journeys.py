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
