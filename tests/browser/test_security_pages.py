"""The pages of the login and the Content Security Policy, in a real Chromium."""

import pytest
from playwright.sync_api import expect

from conftest import World
from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser


def _csp_violations(page) -> list[str]:
    messages: list[str] = []
    page.on(
        "console",
        lambda m: messages.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return messages


def test_an_official_sets_up_two_factor_and_no_page_breaks_the_policy(
    page, live_world: World
) -> None:
    violations = _csp_violations(page)
    page.goto("/accounts/login/")
    shot(page, "login")
    login(page, "ward")
    assert page.url.endswith(f"/orgs/{live_world.ward.code}/")
    page.goto(f"/orgs/{live_world.ward.code}/members/")
    page.fill("#q", "pham")
    page.goto("/api/tokens/")
    page.fill("#id_name", "Sổ tay đảng viên")
    page.fill("#id_org_code", live_world.ward.code)
    page.click("button:has-text('Tạo khoá')")
    assert page.locator("#new-secret code").first.inner_text().startswith("po_")
    shot(page, "api-tokens")
    page.goto("/accounts/data-protection/")
    assert "72 giờ" in page.inner_text("main")
    # The language switch is a static script now, no inline handler.
    page.select_option("select[name=language]", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert violations == []


def test_the_second_factor_page_shows_the_qr_code(page, live_world: World) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", "secretary")
    page.fill("#id_password", "test-password-123")
    page.click("button:has-text('Đăng nhập')")
    page.wait_for_url("**/accounts/2fa/setup/")
    expect(page.locator("#otp-qr svg")).to_be_visible()
    shot(page, "otp-setup")
