"""Browser tests: Playwright for Python driving Debian's Chromium against a live server."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import PASSWORD, World, make_world
from core import live

# Playwright's sync API runs an event loop in this thread; the live server's ORM work runs in
# its own thread, and the test's setup code is synchronous by design.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
GUIDE_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "guide" / "img"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="session", autouse=True)
def _live_listener_stopped(django_db_setup: None) -> Iterator[None]:
    """Stops the live layer's listener once the live server has gone, before the test database
    is dropped: a stream a page opened as its test ended may have started it again."""
    yield
    live.hub.stop()


@pytest.fixture
def own_browser(browser) -> Iterator[object]:
    """A Chromium of this test's own, for pages of the handbook: a service worker outliving its
    page can keep a shared browser's next context from closing. Closed whole at the end, its
    contexts with it."""
    own = browser.browser_type.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
    yield own
    own.close()


@pytest.fixture
def live_world(transactional_db: None) -> World:
    return make_world()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        # No service worker in the shared browser: one outliving its page kept the next context
        # from closing (a member's login lands on the handbook, which installs one).
        service_workers="block",
        viewport={"width": 1280, "height": 860},
        locale="vi-VN",
        base_url=live_server.url,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
    # Pages open streams of server-sent events: their process's listener (a connection of its
    # own on PostgreSQL) must not outlive the test database.
    live.hub.stop()


# Whether the service worker controls the page, waiting a few seconds for it to claim the page.
# Evaluated, not polled: the Content Security Policy forbids the eval a polled function needs.
CONTROLLED = """async () => {
  const wait = (ms) => new Promise((done) => setTimeout(done, ms));
  const sw = navigator.serviceWorker;
  if (!(await Promise.race([sw.ready.then(() => true), wait(10000).then(() => false)]))) return false;
  if (!sw.controller) {
    await Promise.race([new Promise((done) => sw.addEventListener("controllerchange", done)), wait(3000)]);
  }
  return sw.controller !== null;
}"""


def wait_controlled(page) -> None:
    """Until the service worker controls the page. A page whose navigation began before the
    worker activated may miss its claim (and never hear of it): the next navigation is
    controlled, as a member's next visit is."""
    for _attempt in range(4):
        if page.evaluate(CONTROLLED):
            return
        page.reload()
    raise AssertionError("the service worker never took control of the page")


def totp_code(secret: str) -> str:
    """The current code of an authenticator holding this base32 secret (what a phone shows)."""
    from base64 import b32decode

    from django_otp.oath import totp

    key = b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    return f"{totp(key):06d}"


def login(page, username: str) -> None:
    """Log in as a person would: password, then, for an official, the second factor.

    The first time, the official sets up an authenticator from the secret the page shows (as
    they would by scanning the QR code), and keeps the secret for the next logins.
    """
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Đăng nhập')")
    page.wait_for_load_state()
    if "/accounts/2fa/setup/" in page.url:
        secret = page.inner_text("#otp-secret")
        _SECRETS[username] = secret
        page.fill("#id_token", totp_code(secret))
        page.click("button:has-text('Xác nhận')")
        page.click("text=Tôi đã cất các mã, tiếp tục")
    elif "/accounts/2fa/" in page.url:
        page.fill("#id_token", totp_code(_SECRETS[username]))
        page.click("button:has-text('Xác nhận')")
    page.wait_for_load_state()


_SECRETS: dict[str, str] = {}


def shot(page, name: str) -> None:
    """Keep a screenshot as a test artefact; with UPDATE_SCREENSHOTS=1 also for the user guide."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        GUIDE_IMAGES.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(GUIDE_IMAGES / f"{name}.png"), full_page=False)
