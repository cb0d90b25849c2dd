"""The congress monitor on a phone (390×844): a cell's secretary plans the congress, advances
it, enters its results (picking members from the registry, typing a non-member) and reports
them; the ward's approver, watching the dashboard on another phone, sees the report arrive
without a reload, then approves. The guide's screenshots (docs/guide/img/dai-hoi-*.png)."""

from datetime import timedelta
from time import monotonic, sleep
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import World
from congresses.models import Congress, Step, Tier
from congresses.services import TierDates, target_set, term_create
from core import live
from core.tick import tick
from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _live_quickly(settings: Any) -> None:
    settings.PARTYORG_LIVE_HEARTBEAT = 1.0


@pytest.fixture
def phone(browser, live_server):
    contexts = []

    def open_phone(viewport: dict[str, int] | None = None):
        context = browser.new_context(
            # No service worker in the shared browser: one outliving its page kept the next context
            # from closing (a member's login lands on the handbook, which installs one).
            service_workers="block",
            viewport=viewport or PHONE,
            device_scale_factor=1 if viewport else 2,
            is_mobile=viewport is None,
            has_touch=viewport is None,
            locale="vi-VN",
            base_url=live_server.url,
        )
        contexts.append(context)
        page = context.new_page()
        # Generous: the machine running the suite may be busy (a bound on waiting, not a timing).
        page.set_default_timeout(20_000)
        return page

    yield open_phone
    for context in contexts:
        context.close()
    live.hub.stop()


def _wait_for_a_watcher() -> None:
    until = monotonic() + 20.0
    while live.hub.watching() < 1 and monotonic() < until:
        sleep(0.05)
    assert live.hub.watching() >= 1


def _no_wider_than_the_screen(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide"


def test_a_cell_plans_holds_and_reports_its_congress_and_the_ward_approves_live(
    phone, live_world: World
) -> None:
    today = timezone.localdate()
    term = term_create(
        by=live_world.users["central"],
        organiser=live_world.root,
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
    target_set(
        by=live_world.users["central"], term=term, org=live_world.root, key="women", percent=15
    )
    target_set(
        by=live_world.users["central"], term=term, org=live_world.root, key="under_40", percent=10
    )
    tick()
    cell, ward = live_world.cell, live_world.ward
    base = f"/congresses/{term.pk}"

    # The ward's approver watches the ward's dashboard on a phone.
    watcher = phone()
    login(watcher, "approver")
    watcher.goto(f"{base}/{ward.code}/")
    expect(watcher.locator('[data-cg="total"]')).to_have_text("3")
    expect(watcher.locator('[data-cg="reported"]')).to_have_text("0")
    _no_wider_than_the_screen(watcher)
    assert live.hub.wait_until_listening(20.0)
    _wait_for_a_watcher()
    navigations: list[str] = []
    watcher.on("framenavigated", lambda frame: navigations.append(frame.url))

    # The cell's secretary plans the congress from their phone.
    official = phone()
    login(official, "secretary")
    official.goto(f"{base}/{cell.code}/congress/")
    _no_wider_than_the_screen(official)
    official.fill("#id_plan-ordinal", "3")
    official.select_option("#id_plan-format", "members")
    official.select_option("#id_plan-contents", "4")
    official.fill("#id_plan-planned_on", today.strftime("%d/%m/%Y"))
    official.fill("#id_plan-planned_committee_size", "3")
    official.fill("#id_plan-summoned", "30")
    shot(official, "dai-hoi-ke-hoach")
    official.click("#plan-form button")
    expect(official.locator("#cg-step")).to_have_attribute("data-step", "scheduled")

    # Next steps: preparing, then held (the form offers the next step first).
    official.fill("#id_step-note", "Văn kiện, nhân sự đã được đảng uỷ cơ sở duyệt")
    official.click("#step-form button")
    expect(official.locator("#cg-step")).to_have_attribute("data-step", "preparing")
    # A skip without a reason is refused on the note.
    official.select_option("#id_step-to", "reported")
    official.click("#step-form button")
    expect(official.locator('[data-field="note"]')).to_contain_text("ghi lý do")
    official.select_option("#id_step-to", "held")
    official.fill("#id_step-note", "")
    official.click("#step-form button")
    expect(official.locator("#cg-step")).to_have_attribute("data-step", "held")
    # The page's own stream may swap the timeline in again at any moment: scroll by id.
    official.evaluate("document.getElementById('cg-timeline').scrollIntoView()")
    shot(official, "dai-hoi-tien-do")

    # Results, on the phone: members picked from the registry, one typed.
    official.click("#enter-results")
    official.fill("#id_present", "28")
    official.fill("#id_committee_decided", "3")
    official.fill("#id_candidates", "3")
    _pick(official, "cm-0", "Nguyễn", "Nguyễn Văn An")
    official.select_option("#id_cm-0-role", "secretary")
    official.check("#id_cm-0-direct")
    official.check("#id_cm-0-reelected")
    _pick(official, "cm-1", "Trần", "Trần Thị Bình")
    official.select_option("#id_cm-1-role", "deputy")
    official.fill("#id_cm-2-full_name", "Hoàng Văn Nam")
    official.select_option("#id_cm-2-sex", "M")
    official.fill("#id_cm-2-birth_year", "1990")
    official.uncheck("#id_cm-2-local")
    _no_wider_than_the_screen(official)
    official.locator('[data-row="cm-0"]').scroll_into_view_if_needed()
    shot(official, "dai-hoi-ket-qua")
    clicked = monotonic()
    official.click("#report-results")
    # The watcher's counter, polled apart from the official's page: when it changes.
    # (Polled from here: the pages' policy forbids the evaluated string wait_for_function polls.)
    reported = watcher.locator('[data-cg="reported"]')
    while (reported.text_content() or "").strip() != "1" and monotonic() - clicked < 15:
        watcher.wait_for_timeout(50)
    # A figure, not an assertion (a timing is never one): the report's click, its commit, the
    # stream's event and the fragment's fetch on the watching phone.
    print(f"\nreport clicked → watching dashboard updated: {monotonic() - clicked:.2f} s")
    expect(official.locator("#cg-step")).to_have_attribute("data-step", "reported")
    expect(official.locator('[data-share="women"]')).to_have_text("33,3%")

    # The watching dashboard shows the report without a reload.
    expect(watcher.locator('[data-cg="reported"]')).to_have_text("1", timeout=15_000)
    assert navigations == []
    shot(watcher, "dai-hoi-bang-theo-doi")
    watcher.locator("#cg-makeup").scroll_into_view_if_needed()
    shot(watcher, "dai-hoi-co-cau")

    # The approver drills down to the cell's congress and approves it.
    watcher.goto(f"{base}/{live_world.grassroots.code}/")
    watcher.click(f'#cg-children a[href="{base}/{cell.code}/congress/"] >> nth=0')
    watcher.fill("#id_approve-note", "Quyết định số 15-QĐ/ĐU")
    watcher.locator("#approve").scroll_into_view_if_needed()
    shot(watcher, "dai-hoi-chuan-y")
    watcher.click("#approve button")
    expect(watcher.locator("#cg-step")).to_have_attribute("data-step", "approved")
    assert Congress.objects.get(term=term, org=cell).step == Step.APPROVED

    # The targets that apply to the ward, inherited from the level that set them.
    watcher.goto(f"{base}/{ward.code}/targets/")
    expect(watcher.locator("#targets")).to_contain_text("Kế thừa từ")
    _no_wider_than_the_screen(watcher)
    shot(watcher, "dai-hoi-chi-tieu")

    # The city's dashboard on a desktop screen (a test artefact; the guide shows phones).
    desk = phone({"width": 1280, "height": 900})
    login(desk, "city")
    desk.goto(f"{base}/{live_world.city.code}/")
    expect(desk.locator('[data-cg="approved"]')).to_have_text("1")
    shot(desk, "dai-hoi-bang-theo-doi-may-tinh")
    desk.goto(f"/congresses/{live_world.city.code}/?all=1")
    expect(desk.locator(f'[data-term="{term.pk}"]')).to_be_visible()
    shot(desk, "dai-hoi-nhiem-ky")


def _pick(page, row: str, typed: str, name: str) -> None:
    page.fill(f"#id_{row}-full_name", "")
    page.type(f"#id_{row}-full_name", typed, delay=30)
    page.locator(f'[data-row="{row}"] [data-member-pick][data-name="{name}"]').click()
    expect(page.locator(f"#id_{row}-full_name")).to_have_value(name)
    assert page.locator(f'[data-row="{row}"] input[name="{row}-member"]').input_value()
