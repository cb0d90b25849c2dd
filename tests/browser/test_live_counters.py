"""A page follows the organisation's changes by itself: the counters move without a reload."""

from time import monotonic, sleep
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import World, person
from core import live
from members.services import member_create
from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _live_quickly(settings: Any) -> None:
    # Streams notice a closed browser at their next heartbeat, and then let go.
    settings.PARTYORG_LIVE_HEARTBEAT = 1.0


def test_the_city_page_counts_a_member_who_joins_while_it_is_open(page, live_world: World) -> None:
    login(page, "city")
    page.wait_for_url("**/orgs/79/")
    counter = page.locator('[data-counter="members"]')
    expect(counter).to_have_text("5")
    # The page's stream is open and its process listens (not a timing: a bound on waiting).
    assert live.hub.wait_until_listening(20.0)
    expect(page.locator("#live[data-live-url]")).to_have_count(1)
    _wait_for_a_watcher()
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    member_create(org=live_world.cell, data=person(30))
    # Within seconds, not the fallback poll's minute: the stream told the page.
    expect(counter).to_have_text("6", timeout=15_000)
    assert navigations == []  # no reload
    shot(page, "org-city-live")


def _wait_for_a_watcher() -> None:
    until = monotonic() + 20.0
    while live.hub.watching() < 1 and monotonic() < until:
        sleep(0.05)
    assert live.hub.watching() >= 1
