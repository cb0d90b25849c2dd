"""On a phone (390×844): the organising level moves a tier's dates on the terms page (a wrong
date named on its field first); the ward's approver, with a cell's congress page open, sees its
step and timeline change without a reload when the cell updates it. The guide's screenshot
docs/guide/img/dai-hoi-sua-lich.png."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import World
from congresses.models import Congress, Step, Tier, TierSchedule
from congresses.services import TierDates, congress_advance, congress_plan, term_create
from tests.browser.conftest import login, shot
from tests.browser.test_congress_journey import (  # noqa: F401 - fixtures
    _live_quickly,
    _no_wider_than_the_screen,
    _wait_for_a_watcher,
    phone,
)

pytestmark = pytest.mark.browser


def _term(world: World):
    today = timezone.localdate()
    return term_create(
        by=world.users["central"],
        organiser=world.root,
        name=f"Nhiệm kỳ {today.year}–{today.year + 5}",
        first_year=today.year,
        last_year=today.year + 5,
        schedule=[
            TierDates(Tier.CELL, today - timedelta(days=30), today + timedelta(days=30)),
            TierDates(Tier.GRASSROOTS, today - timedelta(days=20), today + timedelta(days=60)),
            TierDates(Tier.UPPER, today - timedelta(days=10), today + timedelta(days=90)),
            TierDates(Tier.PROVINCIAL, today, today + timedelta(days=120)),
            TierDates(Tier.NATIONAL, today, today + timedelta(days=150)),
        ],
    )


def test_the_organising_level_moves_a_tiers_dates_on_a_phone(
    phone,  # noqa: F811
    live_world: World,
) -> None:
    term = _term(live_world)
    today = timezone.localdate()
    page = phone()
    login(page, "central")
    page.goto(f"/congresses/{live_world.root.code}/?all=1")
    page.click(f"#schedule-{term.pk} summary")
    form = page.locator(f"#schedule-{term.pk}-cell")
    # A deadline before the start is named on the deadline.
    form.locator("input[name$='-deadline']").fill((today - timedelta(days=40)).strftime("%d/%m/%Y"))
    form.locator("button").click()
    form = page.locator(f"#schedule-{term.pk}-cell")
    expect(form.locator('[data-field="deadline"]')).to_be_visible()
    _no_wider_than_the_screen(page)
    form.scroll_into_view_if_needed()
    shot(page, "dai-hoi-sua-lich")
    later = today + timedelta(days=45)
    form.locator("input[name$='-deadline']").fill(later.strftime("%d/%m/%Y"))
    form.locator("button").click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert TierSchedule.objects.get(term=term, tier=Tier.CELL).deadline == later


def test_the_congress_page_follows_the_cells_updates_without_a_reload(
    phone,  # noqa: F811
    live_world: World,
) -> None:
    from core import live

    term = _term(live_world)
    today = timezone.localdate()
    cell = live_world.cell
    watcher = phone()
    login(watcher, "approver")
    watcher.goto(f"/congresses/{term.pk}/{cell.code}/congress/")
    expect(watcher.locator("#cg-step")).to_have_attribute("data-step", "not_scheduled")
    assert live.hub.wait_until_listening(20.0)
    _wait_for_a_watcher()
    navigations: list[str] = []
    watcher.on("framenavigated", lambda frame: navigations.append(frame.url))
    congress = Congress.objects.get(term=term, org=cell)
    by = live_world.users["secretary"]
    congress_plan(congress=congress, data={"planned_on": today, "ordinal": 3}, by=by)
    expect(watcher.locator("#cg-step")).to_have_attribute("data-step", "scheduled")
    expect(watcher.locator("#cg-plan [data-planned]")).to_have_text(today.strftime("%d/%m/%Y"))
    congress_advance(
        congress=congress, to=Step.HELD, on=today, by=by, note="Đại hội đã họp sáng nay"
    )
    expect(watcher.locator("#cg-step")).to_have_attribute("data-step", "held")
    expect(watcher.locator("#cg-timeline")).to_contain_text("Đại hội đã họp sáng nay")
    assert navigations == []
