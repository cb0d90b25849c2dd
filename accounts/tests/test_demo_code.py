"""The demo's second-factor box (DEBUG and PARTYORG_DEMO only) never offers a code the form
refuses: a code already used waits for the next time step."""

import re
import time

import pytest
from django.test import Client

from accounts.demo import DEMO_PASSWORD
from conftest import World
from demo.logins import demo_users_create

# Five seconds into a 30-second time step: every request of a test falls in the same step.
STEP_START = 30 * 56_666_667


@pytest.fixture
def demo(world: World, settings, monkeypatch: pytest.MonkeyPatch) -> dict[str, float]:
    settings.DEBUG = settings.PARTYORG_DEMO = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    demo_users_create()
    clock = {"now": STEP_START + 5.0}
    # django-otp reads the clock as time.time (the device) and as oath's own `time` (a code).
    monkeypatch.setattr(time, "time", lambda: clock["now"])
    monkeypatch.setattr("django_otp.oath.time", lambda: clock["now"])
    return clock


def _box(client: Client) -> tuple[str | None, str]:
    """The code the demo box offers (None if it offers none) and the page."""
    page = client.get("/accounts/2fa/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="demo-code"' in html
    found = re.search(r'id="demo-code".*?<code>(\d{6})</code>', html, re.S)
    return (found[1] if found else None), html


def _login(client: Client) -> None:
    response = client.post("/accounts/login/", {"username": "phuong", "password": DEMO_PASSWORD})
    assert response["Location"].startswith("/accounts/2fa/")


def test_the_code_it_shows_is_accepted(demo: dict[str, float]) -> None:
    client = Client()
    _login(client)
    code, _html = _box(client)
    assert code is not None
    assert client.post("/accounts/2fa/", {"token": code}).status_code == 302


def test_a_code_used_once_is_not_offered_again(demo: dict[str, float]) -> None:
    first = Client()
    _login(first)
    used, _html = _box(first)
    assert used and first.post("/accounts/2fa/", {"token": used}).status_code == 302
    # A second demo login in the same time step: the box must not offer the code just used.
    second = Client()
    _login(second)
    offered, html = _box(second)
    assert offered is None
    wait = 30 - 5
    assert f"{wait} giây" in html and f'http-equiv="refresh" content="{wait}"' in html
    # Once the step has passed, the box offers the new code, and the form takes it.
    demo["now"] += wait
    offered, _html = _box(second)
    assert offered is not None and offered != used
    assert second.post("/accounts/2fa/", {"token": offered}).status_code == 302


def test_there_is_no_box_outside_the_demo(demo: dict[str, float], settings) -> None:
    settings.DEBUG = False
    client = Client()
    _login(client)
    assert 'id="demo-code"' not in client.get("/accounts/2fa/").content.decode()
