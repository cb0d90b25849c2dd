"""Congress day on phones (390×844): the presidium watches the attendance figure rise live as
the secretariat checks delegates in; two counters enter and verify the ballots on two screens,
a difference is shown and resolved, the tally closes and the results reach the congress
monitor. The guide's screenshots (docs/guide/img/bau-cu-*.png)."""

from collections.abc import Iterator
from time import monotonic, sleep
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import World
from congresses.models import Person
from core import live
from elections import services
from elections.models import Election
from elections.tests.helpers import cell_congress
from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _live_quickly(settings: Any) -> None:
    settings.PARTYORG_LIVE_HEARTBEAT = 1.0


@pytest.fixture
def phone(browser, live_server) -> Iterator[Any]:
    contexts = []

    def open_phone() -> Any:
        context = browser.new_context(
            service_workers="block",
            viewport=PHONE,
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
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


def _no_wider_than_the_screen(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide"


def _wait_for_a_watcher() -> None:
    until = monotonic() + 20.0
    while live.hub.watching() < 1 and monotonic() < until:
        sleep(0.05)
    assert live.hub.watching() >= 1


def _read(page: Any, number: int, names: list[str]) -> None:
    """Type one ballot: its number and the names left on it."""
    page.fill("#number", str(number))
    for name in names:
        page.get_by_label(name, exact=False).first.check()
    page.click("#ballot-form button")


def test_two_counters_count_the_ballots_and_the_results_reach_the_monitor(
    phone: Any, live_world: World
) -> None:
    world = live_world
    congress = cell_congress(world)
    secretary = world.users["secretary"]
    roll = services.roll_open(congress=congress, by=secretary)
    for member in world.members[:8]:
        services.voter_checkin(roll=roll, member=member, by=secretary)
    day = f"/elections/{congress.term_id}/{congress.org.code}/"

    # The presidium (the ward's admin) follows the attendance on a phone.
    presidium = phone()
    login(presidium, "ward")
    presidium.goto(day)
    expect(presidium.locator("#present")).to_have_text("8")
    assert live.hub.wait_until_listening(20.0)
    _wait_for_a_watcher()

    # The secretariat checks two more delegates in at its desk.
    desk = phone()
    login(desk, "secretary")
    desk.goto(day)
    _no_wider_than_the_screen(desk)
    for member in world.members[8:10]:
        desk.locator(f'#voters form.checkin:has(input[value="{member.pk}"]) button').click()
        expect(desk.locator(".alert-success")).to_contain_text("đã điểm danh")
    expect(presidium.locator("#present")).to_have_text("10")
    expect(presidium.locator("#base")).to_have_text("11")
    shot(presidium, "bau-cu-diem-danh")

    # The congress names its counting committee: two delegates, counting with the secretary's
    # and the ward admin's accounts.
    services.counter_add(roll=roll, member=world.members[9], user=secretary, by=secretary)
    services.counter_add(
        roll=roll, member=world.members[10], user=world.users["ward"], by=secretary
    )

    # The committee election: 4 seats, 5 candidates, 6 ballots issued (for a short journey).
    election = services.election_create(
        congress=congress, kind=Election.Kind.COMMITTEE, seats=4, by=secretary
    )
    # Four delegates ticked, the fifth picked with the member picker (typed, then chosen).
    desk.goto(f"/elections/e/{election.pk}/")
    form = desk.locator("#candidates-form")
    for member in world.members[:4]:
        form.locator(f'input[name="member"][value="{member.pk}"]').check()
    fifth = world.members[4]
    form.locator('input[name="extra-0-full_name"]').press_sequentially(fifth.full_name[:9])
    form.locator(f'[data-member-pick][data-id="{fifth.pk}"]').click()
    expect(form.locator('input[name="extra-0-member"]')).to_have_value(str(fifth.pk))
    form.locator(f'input[name="member"][value="{fifth.pk}"]').uncheck()
    form.locator("button.btn-danger").click()
    expect(desk.locator("#candidates li")).to_have_count(5)
    services.election_start_count(election=election, ballots_issued=6, by=secretary)
    names = [c.full_name for c in election.candidates.all()]
    ballots = [names[:4]] * 6

    # Counter 1 enters every ballot on their phone.
    first = desk
    first.goto(f"/elections/e/{election.pk}/enter/")
    _no_wider_than_the_screen(first)
    for number, kept in enumerate(ballots, start=1):
        _read(first, number, kept)
        expect(first.locator(".alert-success")).to_contain_text(f"Đã nhập phiếu số {number}")
    # A ballot entered twice is refused.
    _read(first, 1, names[:1])
    expect(first.locator(".alert-danger")).to_contain_text("Phiếu số 1 đã được nhập")
    shot(first, "bau-cu-nhap-phieu")

    # Counter 2 reads each again, blind, on another phone; ballot 6 is read otherwise.
    second = presidium
    second.goto(f"/elections/e/{election.pk}/verify/")
    expect(second.locator("#to-verify")).to_have_text("1, 2, 3, 4, 5, 6")
    for number, kept in enumerate(ballots[:5], start=1):
        _read(second, number, kept)
        expect(second.locator(".alert-success")).to_contain_text(f"Phiếu số {number} khớp")
    _read(second, 6, names[1:5])
    expect(second.locator(".alert-danger")).to_contain_text("hai lần nhập không khớp")
    expect(second.locator("#disputed-6")).to_be_visible()
    shot(second, "bau-cu-doi-chieu")

    # The tally will not close with the difference open.
    first.goto(f"/elections/e/{election.pk}/")
    first.click("#close-form button")
    expect(first.locator(".alert-danger")).to_contain_text("còn chênh lệch (số 6)")

    # The committee looks at ballot 6 together and records what it keeps.
    box = second.locator("#disputed-6")
    for name in names[:4]:
        box.get_by_label(name, exact=False).first.check()
    box.locator('input[name="note"]').fill("Cả ban xem lại: giữ 4 tên đầu")
    box.locator("button").click()
    expect(second.locator(".alert-success")).to_contain_text("Đã xử lý phiếu số 6")

    # Closed: 6 votes of a base of 11 elect the first four.
    first.click("#close-form button")
    expect(first.locator("#tally")).to_contain_text("Tổng số được tính: 11")
    expect(first.locator("#candidates .badge.text-bg-success")).to_have_count(4)
    _no_wider_than_the_screen(first)
    shot(first, "bau-cu-ket-qua")
    first.click("#send-form button")
    expect(first.locator("#sent")).to_be_visible()

    # The congress monitor shows the elected committee.
    first.goto(f"/congresses/{congress.term_id}/{congress.org.code}/congress/")
    for name in names[:4]:
        expect(first.locator("#cg-results-view")).to_contain_text(name)
    first.evaluate("document.getElementById('cg-results-view').scrollIntoView()")
    shot(first, "bau-cu-theo-doi")
    elected = Person.objects.filter(congress=congress, body=Person.Body.COMMITTEE)
    first_four = [c.member_id for c in election.candidates.all()[:4]]
    assert sorted(p.member_id or 0 for p in elected) == sorted(first_four)
