"""A cell secretary uploads a dirty spreadsheet, fixes it row by row, and commits it."""

import pytest
from playwright.sync_api import expect

from cleaning.models import BatchRow
from conftest import World
from members.models import Member
from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser

DIRTY = (
    "DANH SÁCH ĐẢNG VIÊN CHI BỘ GIÁO VIÊN 1\n"
    "STT,Họ và tên,Số CCCD,Giới tính,Ngày sinh,Ngày vào Đảng,Ngày chính thức,Điện thoại\n"
    "1,NGUYỄN   thị hoà,079185000101,Nữ,12/03/1985,19/05/2010,19/05/2011,0903123456\n"
    "2,Trần Văn Bảo,79080000102,Nam,1/2/1980,3/2/2005,3/2/2006,903123457\n"
    "3,Lê Văn Cường,,Nam,01/01/1990,01/01/2020,,\n"
)


def test_a_secretary_uploads_reviews_fixes_and_commits(page, live_world: World, tmp_path) -> None:
    upload = tmp_path / "chi-bo-giao-vien-1.csv"
    upload.write_text(DIRTY, encoding="utf-8")
    login(page, "secretary")
    page.goto(f"/orgs/{live_world.cell.code}/imports/")
    page.set_input_files("input[type=file]", str(upload))
    shot(page, "cleaning-upload")
    page.click("button:has-text('Tải lên và kiểm tra')")
    page.wait_for_selector("#rules")
    assert page.locator("#commit").is_disabled()
    shot(page, "cleaning-review")
    bad = BatchRow.objects.get(row_number=5)
    row = page.locator(f"#row-{bad.pk}")
    row.locator("input[name=value]").first.fill("079090000103")
    row.locator("button:has-text('Sửa')").first.click()
    expect(page.locator(f"#row-{bad.pk}")).not_to_contain_text("Số CCCD: bắt buộc")
    page.reload()
    page.click("button:has-text('Chấp nhận tất cả')")
    page.wait_for_selector("#commit:not([disabled])")
    page.click("#commit")
    # A page that says what will be written, and a box to tick before writing it.
    expect(page.locator("#commit-preview")).to_contain_text("3 đảng viên được thêm mới")
    page.check("#confirm")
    page.click("#commit-submit")
    page.wait_for_selector("text=Đã ghi vào hồ sơ")
    shot(page, "cleaning-committed")
    assert (
        Member.objects.filter(cccd__in=["079185000101", "079080000102", "079090000103"]).count()
        == 3
    )


def test_a_city_official_follows_the_campaign_and_sees_late_units(
    page, live_world: World, tmp_path
) -> None:
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from campaigns.services import campaign_create
    from cleaning.commit import batch_commit
    from cleaning.services import batch_create
    from core.tick import tick

    today = timezone.localdate()
    campaign = campaign_create(
        root=live_world.city,
        name="Làm sạch dữ liệu đảng viên 2025",
        starts_on=today - timedelta(days=6),
        ends_on=today + timedelta(days=6),
        milestones=[
            ("Rà soát, làm sạch và gửi dữ liệu", today - timedelta(days=1), "submitted"),
            ("Đồng bộ sang Sổ tay đảng viên", today + timedelta(days=3), "published"),
        ],
    )
    lines = DIRTY.splitlines()
    clean = (
        "\n".join(
            [
                lines[1],
                lines[2],
                lines[3]
                .replace("79080000102", "079080000102")
                .replace(",903123457", ",0903123457"),
            ]
        )
        + "\n"
    )
    batch = batch_create(
        org=live_world.cell, uploads=[SimpleUploadedFile("a.csv", clean.encode())], by=None
    )
    batch_commit(batch=batch, by=None)
    tick()
    login(page, "city")
    page.goto(f"/campaigns/{campaign.pk}/{live_world.city.code}/")
    assert page.locator('[data-milestone="1"]').inner_text() == "1 / 2"
    assert live_world.other_ward.name in page.locator("#late-units").inner_text()
    page.wait_for_selector("#campaign-chart canvas")
    shot(page, "campaign-dashboard")

    # The city publishes the units that are done: the ward; the other ward has sent nothing.
    # Without the fade (Bootstrap honours reduced motion), the screenshot shows the dialog settled.
    page.emulate_media(reduced_motion="reduce")
    page.click("button:has-text('Tổng hợp và công bố')")
    confirm = page.locator("#publish-confirm")
    expect(confirm).to_be_visible()
    page.wait_for_selector(".modal-backdrop.show")
    expect(confirm.locator("#publish-ready")).to_have_text("1 đơn vị sẵn sàng công bố.")
    expect(confirm.locator("#publish-not-ready")).to_contain_text(live_world.other_ward.name)
    shot(page, "campaign-publish")
    confirm.locator("#publish-submit").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã công bố 1 đơn vị")
    expect(page.locator(".alert-warning")).to_contain_text(live_world.other_ward.name)
    assert page.locator('[data-milestone="2"]').inner_text() == "1 / 2"
