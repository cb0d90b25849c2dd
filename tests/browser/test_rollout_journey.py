"""Rolling out: the ward's admin gives a whole level access with a sheet (a dry run naming the
bad row, then the corrected sheet applied once), and follows the coverage; a cell's secretary
reports a difficulty from the page they are on, the city's desk escalates it, the centre answers
and publishes it in the FAQ, and the secretary finds the answer."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from access.models import Grant
from conftest import World
from rollout.models import Difficulty, Official
from rollout.tests.test_difficulties import png
from rollout.tests.test_sheet import A, B, xlsx

from .conftest import login, shot

PHONE = {"width": 390, "height": 844}


def _fits(page) -> None:
    """Nothing wider than the phone: no sideways scrolling."""
    assert page.locator("html").evaluate("e => e.scrollWidth") <= PHONE["width"]


def test_a_sheet_runs_dry_then_applies(page, live_world: World, tmp_path) -> None:
    world = live_world
    future = (timezone.localdate() + timedelta(days=365)).strftime("%d/%m/%Y")
    rows = [
        [A, "Nguyễn Văn Hùng", world.grassroots.code, "Cập nhật", future, "0901234567", ""],
        [A, "Nguyễn Văn Hùng", world.grassroots.code, "Phê duyệt", future, "", ""],
        [B, "Trần Thị Mai", "Chi bộ Giáo viên 1", "Cập nhật", "", "", ""],
    ]
    bad = tmp_path / "can-bo-loi.xlsx"
    bad.write_bytes(
        xlsx([*rows, ["079123", "Lê Văn Sai", world.city.code, "Quản trị", "", "", ""]])
    )
    good = tmp_path / "can-bo.xlsx"
    good.write_bytes(xlsx(rows))

    login(page, "ward")
    page.click("text=Cấp quyền cán bộ")
    page.set_input_files("#id_sheet", str(bad))
    page.click("button:has-text('Kiểm tra trước')")
    expect(page.locator("#sheet-bad")).to_be_visible()
    expect(page.locator("tr[data-row='7']")).to_contain_text("Số CCCD")
    expect(page.locator("tr[data-row='7']")).to_contain_text("không thuộc phạm vi bạn quản trị")
    shot(page, "trien-khai-bang-loi")
    assert not Official.objects.exists()

    page.click("text=Tải lên bảng khác")
    page.set_input_files("#id_sheet", str(good))
    page.click("button:has-text('Kiểm tra trước')")
    expect(page.locator("#apply-form")).to_be_visible()
    shot(page, "trien-khai-bang-kiem-tra")
    page.click("button:has-text('Áp dụng')")
    expect(page.locator("#applied")).to_contain_text("Cán bộ mới: 2")
    expect(page.locator("#invites")).to_contain_text("/rollout/first-login/")
    shot(page, "trien-khai-bang-ap-dung")
    assert Grant.objects.filter(user__cccd__in=[A, B]).count() == 3

    page.goto(f"/rollout/coverage/{world.ward.code}/")
    expect(page.locator("#totals")).to_contain_text("Đơn vị có người cập nhật")
    expect(page.locator("#uncovered")).not_to_contain_text("Trường THPT Trưng Vương")
    shot(page, "trien-khai-do-phu")


def test_a_difficulty_climbs_to_the_centre(browser, live_server, live_world: World, tmp_path):
    world = live_world
    image = tmp_path / "man-hinh.png"
    image.write_bytes(png((320, 200)))

    def person(username: str, phone: bool = False):
        context = browser.new_context(
            # No service worker in the shared browser: one outliving its page kept the next context
            # from closing (a member's login lands on the handbook, which installs one).
            service_workers="block",
            viewport=PHONE if phone else {"width": 1280, "height": 860},
            is_mobile=phone,
            has_touch=phone,
            locale="vi-VN",
            base_url=live_server.url,
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        login(page, username)
        return context, page

    contexts = []
    try:
        # The secretary works on a phone.
        context, secretary = person("secretary", phone=True)
        contexts.append(context)
        secretary.goto(f"/meetings/cell/{world.cell.code}/")
        secretary.click(".navbar-toggler")
        secretary.click("#report-difficulty")
        expect(secretary.locator("#id_page_url")).to_have_value(
            f"/meetings/cell/{world.cell.code}/"
        )
        secretary.fill("#id_doing", "Nhập kết quả đại hội chi bộ")
        secretary.fill("#id_description", "Bấm Lưu thì báo lỗi ngày, dù đã nhập đúng dd/mm/yyyy.")
        secretary.set_input_files("#id_screenshot", str(image))
        _fits(secretary)
        shot(secretary, "trien-khai-bao-kho-khan")
        secretary.click("button:has-text('Gửi')")
        expect(secretary.locator("#difficulty-status")).to_contain_text("Đang chờ trả lời")
        difficulty = Difficulty.objects.get()
        assert difficulty.desk == world.city

        context, city = person("city")
        contexts.append(context)
        city.goto(f"/rollout/difficulties/desk/{world.city.code}/")
        expect(city.locator("[data-counter='open']")).to_have_text("1")
        shot(city, "trien-khai-ban-ho-tro-tinh")
        city.click("text=Nhập kết quả đại hội chi bộ")
        city.fill("#id_text", "Nhiều chi bộ cùng gặp; đề nghị Trung ương xem lỗi chung.")
        city.click("button:has-text('Chuyển Trung ương')")
        expect(city.locator("#difficulty-status")).to_contain_text("Đã chuyển Trung ương")

        context, central = person("central")
        contexts.append(context)
        central.goto(f"/rollout/difficulties/desk/{world.root.code}/")
        expect(central.locator("[data-counter='escalated']")).to_have_text("1")
        central.click("text=Nhập kết quả đại hội chi bộ")
        central.fill("#id_text", "Đã sửa lỗi đọc ngày; tải lại trang rồi nhập lại.")
        central.click("button[value='answer']")
        expect(central.locator("#difficulty-status")).to_contain_text("Đã trả lời")
        central.fill("#id_question", "Bấm Lưu kết quả đại hội thì báo lỗi ngày?")
        central.click("#faq-form button")
        shot(central, "trien-khai-trung-uong-tra-loi")

        secretary.goto("/rollout/difficulties/")
        expect(secretary.locator("#difficulties")).to_contain_text("Đã trả lời")
        secretary.goto("/rollout/faq/?q=bao loi ngay")
        expect(secretary.locator("#faq")).to_contain_text("Đã sửa lỗi đọc ngày")
        _fits(secretary)
        shot(secretary, "trien-khai-hoi-dap")
    finally:
        for context in contexts:
            context.close()
