"""A congress of the world's cell with 11 official members, held today, and its voter list."""

from datetime import date, timedelta
from typing import Any

from conftest import World, person
from congresses import services as congress_services
from congresses.models import Congress, Step, Tier
from congresses.services import TierDates
from elections import services
from elections.models import Roll
from members.models import Member
from members.services import member_create

TODAY = date.today()


def rulebooks_present() -> None:
    """The rulebooks the data migration seeds: a test on a flushed database (a live server's
    tests flush the tables after each) gets them again, as the migration wrote them."""
    from importlib import import_module

    from django.apps import apps

    import_module("elections.migrations.0002_rulebooks_244_and_190").seed(apps, None)


def cell_congress(world: World, *, members: int = 11) -> Congress:
    """The cell's congress (a members' congress), held today, its cell grown to `members`."""
    rulebooks_present()
    for n in range(len(world.members), members):
        world.members.append(member_create(org=world.cell, data=person(20 + n)))
    term = congress_services.term_create(
        by=world.users["central"],
        organiser=world.root,
        name="Nhiệm kỳ 2025–2030",
        first_year=TODAY.year,
        last_year=TODAY.year + 5,
        schedule=[
            TierDates(t.value, TODAY - timedelta(days=30), TODAY + timedelta(days=90)) for t in Tier
        ],
    )
    congress = Congress.objects.select_related("org", "term").get(term=term, org=world.cell)
    by = world.users["secretary"]
    congress_services.congress_plan(
        congress=congress, data={"planned_on": TODAY, "summoned": members}, by=by
    )
    congress_services.congress_advance(
        congress=congress, to=Step.HELD, on=TODAY, by=by, note="Đại hội hôm nay"
    )
    return Congress.objects.select_related("org", "term").get(pk=congress.pk)


def roll_with_present(world: World, congress: Congress, present: int) -> Roll:
    """The congress's voter list with its first `present` members checked in at the desk, and
    its counting committee (`counting_committee`)."""
    roll = services.roll_open(congress=congress, by=world.users["secretary"])
    for member in world.members[:present]:
        services.voter_checkin(roll=roll, member=member, by=world.users["secretary"])
    counting_committee(world, roll)
    return roll


def counting_committee(world: World, roll: Roll) -> None:
    """Two counters, the last two members on the list (never the tests' candidates), who count
    with the officials' accounts named for them: the cell's secretary and the ward's admin."""
    by = world.users["secretary"]
    services.counter_add(
        roll=roll, member=world.members[-2], user=world.users["secretary"], head=True, by=by
    )
    services.counter_add(roll=roll, member=world.members[-1], user=world.users["ward"], by=by)


def members_by_name(world: World) -> list[Member]:
    return list(world.members)


def counted(world: World, election: Any, ballots: list[list[int]]) -> None:
    """Enter each ballot (by the secretary) and verify it (by the ward's admin), agreeing."""
    for number, kept in enumerate(ballots, start=1):
        services.ballot_enter(
            election=election, number=number, kept=kept, by=world.users["secretary"]
        )
        services.ballot_verify(election=election, number=number, kept=kept, by=world.users["ward"])


def delegates_congress(world: World, delegates: int = 3) -> tuple[Congress, Roll]:
    """The grassroots organisation's congress, a delegates' congress held today, with the first
    `delegates` members of its cell on its list (added by the ward's admin)."""
    rulebooks_present()
    cell_congress(world)
    congress = Congress.objects.select_related("org", "term").get(
        term__first_year=TODAY.year, org=world.grassroots
    )
    by = world.users["ward"]
    congress_services.congress_plan(
        congress=congress,
        data={"planned_on": TODAY, "summoned": delegates, "format": Congress.Format.DELEGATES},
        by=by,
    )
    congress_services.congress_advance(
        congress=congress, to=Step.HELD, on=TODAY, by=by, note="Đại hội hôm nay"
    )
    congress = Congress.objects.select_related("org", "term").get(pk=congress.pk)
    roll = services.roll_open(congress=congress, by=by)
    for member in world.members[:delegates]:
        services.voter_add(roll=roll, member=member, by=by)
    return congress, roll
