"""A correction climbs the tree, on phones (390×844): a member reports a wrong birth date with a
photo of the birth certificate; the cell forwards it; the ward asks for more; the member answers;
the city approves; the record, its history, the counters and the member's notification show it.
Another request is rejected with a reason the member reads."""

import pytest
from playwright.sync_api import expect

from conftest import World, png
from core.tick import tick
from corrections.models import Request

from .conftest import login, shot

pytestmark = pytest.mark.browser


PHONE = {"width": 390, "height": 844}
PNG = png()


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


def _act(page, request: Request, button: str, note: str = "") -> None:
    page.goto(f"/dinh-chinh/{request.pk}/")
    if note:
        page.fill("#id_note", note)
    page.click(f"#act-form button:has-text('{button}')")
    expect(page.locator(".alert-success")).to_contain_text("Đã ghi bước xử lý")


def test_a_wrong_birth_date_is_corrected_up_the_tree(
    own_browser, live_server, live_world: World, tmp_path
):
    world = live_world
    member_record = world.members[0]
    right = member_record.birth_date.replace(day=27).strftime("%d/%m/%Y")
    photo = tmp_path / "giay-khai-sinh.png"
    photo.write_bytes(PNG)
    contexts = []
    try:
        (mem_context, member) = _phone(own_browser, live_server)
        contexts.append(mem_context)
        login(member, "member")
        # The request's page (the guide's picture of it), then the same from "my record".
        member.goto("/so-tay/dinh-chinh/moi/?truong=birth_date")
        expect(member.locator("#id_field")).to_have_value("birth_date")
        member.fill("#id_proposed_value", right)
        member.fill("#id_reason", "Giấy khai sinh ghi ngày 27; hồ sơ nhập nhầm.")
        member.set_input_files("#id_attachment", str(photo))
        shot(member, "dinh-chinh-gui")
        _fits(member)
        # From "my record": "Báo lỗi" on the birth date's row.
        member.goto("/so-tay/ho-so/")
        member.click("#truong-birth_date summary")
        member.fill("#dung-birth_date", right)
        member.fill("#ly-do-birth_date", "Giấy khai sinh ghi ngày 27; hồ sơ nhập nhầm.")
        member.set_input_files("#anh-birth_date", str(photo))
        member.click("#truong-birth_date button:has-text('Gửi yêu cầu')")
        expect(member.locator("#status")).to_contain_text("Đang xem xét")
        expect(member.locator("#request")).to_contain_text("giay-khai-sinh.png")
        _fits(member)
        request = Request.objects.get()

        # The cell's secretary forwards it (a birth date is for the city to decide).
        sec_context, secretary = _phone(own_browser, live_server)
        contexts.append(sec_context)
        login(secretary, "secretary")
        _act(secretary, request, "Chuyển lên cấp trên")
        _fits(secretary)

        # The ward brings it up from the grassroots committee and asks for more.
        ward_context, ward = _phone(own_browser, live_server)
        contexts.append(ward_context)
        login(ward, "ward")
        _act(ward, request, "Chuyển lên cấp trên")
        tick()
        ward.goto(f"/dinh-chinh/don-vi/{world.ward.code}/")
        expect(ward.locator("#count-review")).to_have_text("1")
        shot(ward, "dinh-chinh-hang-cho")
        _act(ward, request, "Đề nghị đảng viên bổ sung", "Đề nghị gửi ảnh rõ nét cả hai mặt.")
        # Only the ward's own decision is refused: a birth date is not the ward's to approve.
        ward.goto(f"/dinh-chinh/{request.pk}/")
        expect(ward.locator("#status")).to_contain_text("Chờ đảng viên bổ sung")

        # The member reads the request for more and answers with a new photo.
        member.goto("/so-tay/thong-bao/")
        expect(member.locator("main")).to_contain_text("bổ sung")
        member.goto(f"/so-tay/dinh-chinh/{request.pk}/")
        expect(member.locator("#timeline")).to_contain_text("Đề nghị gửi ảnh rõ nét")
        member.fill("#id_note", "Đã chụp lại cả hai mặt giấy khai sinh.")
        member.set_input_files("#id_attachment", str(photo))
        shot(member, "dinh-chinh-bo-sung")
        member.click("#answer-form button:has-text('Gửi bổ sung')")
        expect(member.locator("#status")).to_contain_text("Đang xem xét")
        _fits(member)

        # The ward tries to approve: refused, not competent; it forwards to the city.
        ward.goto(f"/dinh-chinh/{request.pk}/")
        ward.click("#act-form button:has-text('Duyệt và sửa hồ sơ')")
        expect(ward.locator("#act-form .alert-danger")).to_contain_text("không có thẩm quyền")
        _act(ward, request, "Chuyển lên cấp trên")

        # The city approves: the record changes through its one writer.
        city_context, city = _phone(own_browser, live_server)
        contexts.append(city_context)
        login(city, "city")
        city.goto(f"/dinh-chinh/{request.pk}/")
        expect(city.locator("#request")).to_contain_text("giay-khai-sinh.png")
        shot(city, "dinh-chinh-duyet")
        _act(city, request, "Duyệt và sửa hồ sơ")
        expect(city.locator("#status")).to_contain_text("Đã duyệt")
        expect(city.locator("#timeline")).to_contain_text("Đề nghị đảng viên bổ sung")
        _fits(city)
        city.goto(f"/members/{member_record.pk}/")
        expect(city.locator("#history")).to_contain_text("Yêu cầu đính chính")
        tick()
        city.goto(f"/dinh-chinh/don-vi/{world.city.code}/")
        expect(city.locator("#count-review")).to_have_text("0")

        # The member sees the new date on their record, and the notification.
        member.goto("/so-tay/ho-so/")
        expect(member.locator("#truong-birth_date")).to_contain_text(right)
        expect(member.locator("#truong-birth_date")).not_to_contain_text("Đang đính chính")
        member.goto("/so-tay/thong-bao/")
        expect(member.locator("main")).to_contain_text("đã được duyệt")
        shot(member, "dinh-chinh-thong-bao")

        # Another request, rejected with a reason the member reads.
        member.goto("/so-tay/dinh-chinh/moi/?truong=phone")
        member.fill("#id_proposed_value", "0912 000 111")
        member.fill("#id_reason", "Số điện thoại mới")
        member.click("#correction-form button:has-text('Gửi yêu cầu')")
        expect(member.locator("#status")).to_contain_text("Đang xem xét")
        phone = Request.objects.get(field="phone")
        approver_context, approver = _phone(own_browser, live_server)
        contexts.append(approver_context)
        login(approver, "approver")
        _act(approver, phone, "Không duyệt", "Số này đã đăng ký cho người khác; đề nghị kiểm tra.")
        member.goto(f"/so-tay/dinh-chinh/{phone.pk}/")
        expect(member.locator("#status")).to_contain_text("Không duyệt")
        expect(member.locator("#timeline")).to_contain_text("đã đăng ký cho người khác")
        shot(member, "dinh-chinh-tu-choi")
        member.goto("/so-tay/dinh-chinh/")
        expect(member.locator("#my-requests li")).to_have_count(2)
        _fits(member)
    finally:
        contexts.clear()  # the test's own browser closes them all
