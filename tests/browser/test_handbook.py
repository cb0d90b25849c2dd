"""The handbook on a phone (390×844): a member's journey, offline reading, a committee's pages.
Screenshots for the guide are written as docs/guide/img/so-tay-*.png (UPDATE_SCREENSHOTS=1)."""

import re
from collections.abc import Iterator

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from conftest import World
from corrections.models import Request
from handbook.demo import pdf_bytes
from handbook.models import Document, DocumentRead
from handbook.services import document_publish
from notices.services import notify
from tests.browser.conftest import CHROMIUM, FLAGS, login, shot, wait_controlled

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server) -> Iterator[object]:
    # A Chromium of its own per test: a service worker outliving its page kept a shared
    # browser's next context from closing.
    own = browser.browser_type.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
    context = own.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        base_url=live_server.url,
        service_workers="allow",
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    own.close()
    from core import live

    live.hub.stop()


def _wait_cached(page, url: str) -> None:
    """Until the service worker has kept `url` (it stores pages as they arrive, files too)."""
    # As the service worker looks (ignoreVary: a page varies on the cookie, a bare URL has none).
    kept = "(u) => caches.open('hb-1-pages').then((c) => c.match(u, {ignoreVary: true}))"
    for _attempt in range(100):
        if page.evaluate(kept + ".then((r) => !!r)", url):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{url} never reached the cache")


def publish(world: World, org, title: str, *, study: bool = False, kind: str = "resolution"):
    return document_publish(
        org=org,
        upload=SimpleUploadedFile("tai-lieu.pdf", pdf_bytes(title, ["Noi dung tai lieu."])),
        title=title,
        kind=kind,
        summary="Trích yếu của tài liệu.",
        study=study,
        by=world.users["ward"],
    )


def test_a_member_reads_studies_and_reports_on_a_phone(phone, live_world: World) -> None:
    page = phone
    study = publish(live_world, live_world.city, "Nghị quyết về phát triển đảng viên", study=True)
    publish(live_world, live_world.ward, "Chỉ thị về sinh hoạt chi bộ", kind="directive")
    notify(
        [live_world.users["member"]], kind="meeting", title="Chi bộ họp ngày 20/12", url="/so-tay/"
    )
    login(page, "member")
    page.goto("/")
    page.wait_for_url("**/so-tay/")
    expect(page.locator("h1")).to_contain_text(live_world.members[0].full_name)
    expect(page.locator(".hb-nav")).to_be_visible()
    expect(page.get_by_role("link", name=study.title, exact=True)).to_be_visible()
    shot(page, "so-tay-home")

    # My record, and an error report on one field.
    page.click(".hb-nav >> text=Hồ sơ")
    expect(page.locator("h1")).to_have_text("Hồ sơ của tôi")
    expect(page.locator("#truong-cccd")).to_contain_text(live_world.members[0].cccd)
    shot(page, "so-tay-ho-so")
    page.click("#truong-phone summary")
    page.fill("#dung-phone", "0912 345 678")
    page.fill("#ly-do-phone", "Số điện thoại mới")
    page.click("#truong-phone button:has-text('Gửi yêu cầu')")
    expect(page.locator(".hb-alert")).to_contain_text("Đã gửi yêu cầu đính chính")
    assert Request.objects.filter(field="phone").count() == 1
    page.goto("/so-tay/ho-so/")
    expect(page.locator("#truong-phone")).to_contain_text("Đang đính chính")
    shot(page, "so-tay-bao-loi")

    # Documents: search without diacritics, read, bookmark, mark studied.
    page.click(".hb-nav >> text=Tài liệu")
    page.fill("#id_q", "phat trien dang vien")
    page.click("button:has-text('Tìm')")
    results = page.locator(".hb-list li")
    expect(results).to_have_count(1)
    shot(page, "so-tay-tai-lieu")
    results.first.locator("a").click()
    expect(page.locator("h1")).to_have_text(study.title)
    expect(page.get_by_role("link", name="Đọc tài liệu")).to_be_visible()
    page.click("button:has-text('Lưu tài liệu')")
    expect(page.locator(".hb-alert")).to_contain_text("Đã lưu tài liệu")
    page.click("button:has-text('Đã học tập')")
    expect(page.locator(".hb-alert")).to_contain_text("bạn đã học tập")
    shot(page, "so-tay-tai-lieu-doc")
    read = DocumentRead.objects.get(document=study)
    assert read.bookmarked_at and read.studied_at

    # Notifications: listed, marked read.
    page.click(".hb-nav >> text=Thông báo")
    expect(page.get_by_role("link", name="Chi bộ họp ngày 20/12")).to_be_visible()
    shot(page, "so-tay-thong-bao")
    page.click("button:has-text('Đánh dấu tất cả là đã đọc')")
    expect(page.locator(".hb-nav .hb-badge")).to_have_count(0)


def test_the_record_and_documents_stay_readable_offline(phone, live_world: World) -> None:
    page = phone
    opened = publish(live_world, live_world.ward, "Tài liệu đọc khi mất mạng")
    never = publish(live_world, live_world.ward, "Tài liệu chưa mở lần nào")
    login(page, "member")
    page.goto("/so-tay/")
    # Wait for the service worker to control the page (it claims its clients on activation).
    wait_controlled(page)
    page.goto("/so-tay/ho-so/")
    expect(page.locator("#truong-cccd")).to_contain_text(live_world.members[0].cccd)
    page.goto(f"/so-tay/tai-lieu/{opened.pk}/")
    _wait_cached(page, f"/so-tay/tai-lieu/{opened.pk}/tep/")
    page.context.set_offline(True)
    page.goto("/so-tay/ho-so/")
    expect(page.locator("#truong-cccd")).to_contain_text(live_world.members[0].cccd)
    expect(page.locator("#hb-offline")).to_be_visible()
    shot(page, "so-tay-ngoai-tuyen")
    page.goto(f"/so-tay/tai-lieu/{opened.pk}/")
    expect(page.locator("h1")).to_have_text(opened.title)
    status = page.evaluate(
        "(u) => fetch(u).then(r => r.status + ' ' + r.headers.get('content-type'))",
        f"/so-tay/tai-lieu/{opened.pk}/tep/",
    )
    assert status == "200 application/pdf"
    # A page never opened is not there (proof that the network is cut).
    missing = page.evaluate(
        "(u) => fetch(u).then((r) => String(r.status)).catch(() => 'failed')",
        f"/so-tay/tai-lieu/{never.pk}/",
    )
    assert missing == "failed"


def test_a_committee_publishes_and_follows_adoption(phone, live_world: World, tmp_path) -> None:
    page = phone
    login(page, "ward")
    page.goto(f"/so-tay/don-vi/{live_world.ward.code}/tai-lieu/")
    pdf = tmp_path / "nghi-quyet.pdf"
    pdf.write_bytes(pdf_bytes("Nghi quyet", ["Noi dung."]))
    page.fill("#id_title", "Nghị quyết chuyên đề quý IV")
    page.select_option("#id_kind", "resolution")
    page.check("#id_study")
    page.set_input_files("#id_file", str(pdf))
    shot(page, "so-tay-dang-tai-lieu")
    page.click("button:has-text('Đăng tài liệu')")
    expect(page.locator(".hb-alert")).to_contain_text("Đã đăng tài liệu")
    assert Document.objects.filter(title="Nghị quyết chuyên đề quý IV").exists()
    # A file that is not a document is refused, naming the field.
    bad = tmp_path / "bang.pdf"
    bad.write_bytes(b"MZ this is no pdf")
    page.fill("#id_title", "Tệp giả")
    page.set_input_files("#id_file", str(bad))
    page.click("button:has-text('Đăng tài liệu')")
    expect(page.locator(".hb-error")).to_contain_text(re.compile("Tệp"))
    assert not Document.objects.filter(title="Tệp giả").exists()

    page.goto(f"/so-tay/don-vi/{live_world.ward.code}/")
    expect(page.locator(".hb-figure")).to_have_text("0%")
    shot(page, "so-tay-su-dung")
    page.click("text=Đảng viên chưa kích hoạt")
    expect(page.locator(".hb-list li")).to_have_count(4)
    shot(page, "so-tay-chua-kich-hoat")
