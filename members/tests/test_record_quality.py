"""The campaign's "complete" record: the fields officials most often find missing, a party card
for an official member, and an official date once the 12 months' probation are over.

The last condition is decided by the calendar alone, so the figure must move as days pass
without anything being written, and a rebuild of the counters must give the live figures.
"""

from datetime import date, timedelta

from conftest import World, person
from core.tick import tick
from members.models import Member
from members.record import complete_keys, complete_of
from members.services import member_create, member_issue_card, member_recognise
from orgs.models import Org, OrgCount
from orgs.rollups import counts_of, rollups_rebuild

TODAY = date(2026, 12, 7)


def _months_ago(months: int, today: date = TODAY) -> date:
    month = today.month - months
    year = today.year + (month - 1) // 12
    return today.replace(year=year, month=(month - 1) % 12 + 1)


def _complete(n: int, **overrides: object) -> dict[str, object]:
    """A record with every field the campaign asks for (an official without a card yet)."""
    data = {
        "birth_place": "Thành phố Hồ Chí Minh",
        "hometown": "Xã Tân Phú, huyện Đức Hòa, tỉnh Long An",
        "residence": "Phường Sài Gòn, Thành phố Hồ Chí Minh",
        **overrides,
    }
    return person(n, **data)


def _probationary(n: int, admitted: date) -> dict[str, object]:
    return _complete(n, admission_date=admitted, official_date=None)


def complete(org: Org, today: date = TODAY) -> int:
    tick()
    counts = counts_of([org.id], complete_keys(today)).get(org.id, {})
    return complete_of(counts, today)


def _counters() -> dict[tuple[int, str], int]:
    return {(c.org_id, c.key): c.value for c in OrgCount.objects.all() if c.value}


def _rebuild_agrees() -> None:
    tick()
    live = _counters()
    rollups_rebuild()
    assert _counters() == live


def test_a_member_admitted_eleven_months_ago_is_complete_and_thirteen_is_not(
    world: World,
) -> None:
    before = complete(world.city)
    member_create(org=world.cell, data=_probationary(50, _months_ago(11)))
    assert complete(world.city) == before + 1
    member_create(org=world.cell, data=_probationary(51, _months_ago(13)))
    assert complete(world.city) == before + 1
    _rebuild_agrees()
    assert complete(world.city) == before + 1


def test_an_official_member_without_a_card_is_not_complete(world: World) -> None:
    before = complete(world.city)
    member = member_create(org=world.cell, data=_complete(52))
    assert member.status == "official" and not member.card_number
    assert complete(world.city) == before
    member_issue_card(member=member, card_number="12345678", on=_months_ago(1))
    assert complete(world.city) == before + 1
    _rebuild_agrees()


def test_a_recognised_member_needs_a_card_to_stay_complete(world: World) -> None:
    before = complete(world.city)
    member = member_create(org=world.cell, data=_probationary(53, _months_ago(13)))
    assert complete(world.city) == before
    member_recognise(member=member, on=_months_ago(1))
    assert complete(world.city) == before  # official now, but no card yet
    _rebuild_agrees()
    member_issue_card(member=member, card_number="12345679", on=_months_ago(1))
    assert complete(world.city) == before + 1
    _rebuild_agrees()


def test_the_figure_changes_as_days_pass_without_a_write(world: World) -> None:
    """Probations ending on days across a month's and a year's turn: on each day the figure
    counts exactly those still within their 12 months, with no write in between."""
    admitted = [
        date(2025, 12, 6),  # over on 7 December 2026 (today)
        date(2025, 12, 20),
        date(2025, 12, 31),  # over on 1 January 2027
        date(2026, 1, 1),
        date(2026, 2, 28),  # over on 1 March 2027
        date(2026, 11, 30),
    ]
    base = complete(world.city, TODAY)
    for n, day in enumerate(admitted):
        member_create(org=world.cell, data=_probationary(60 + n, day))
    writes = Member.objects.count()
    _rebuild_agrees()
    for offset in range(-40, 400):
        day = TODAY + timedelta(days=offset)
        # Admitted on A, the probation is over on the day after A's first anniversary.
        within = sum(1 for a in admitted if day <= a.replace(year=a.year + 1))
        assert complete(world.city, day) == base + within, day
    assert Member.objects.count() == writes


def test_a_partial_admission_date_counts_from_its_last_possible_day(world: World) -> None:
    base = complete(world.city, TODAY)
    member_create(org=world.cell, data=_probationary(70, date(2025, 12, 1)))
    # Only an import keeps a partial date (a date typed in is whole): as it would store one.
    Member.objects.filter(cccd=person(70)["cccd"]).update(admission_date_precision="month")
    rollups_rebuild()
    # "12/2025": the probation may have started on 31 December, so it is over on 1 January.
    assert complete(world.city, date(2026, 12, 31)) == base + 1
    assert complete(world.city, date(2027, 1, 1)) == base
