"""Live counters and a rebuild from the data agree after any sequence of services."""

import random

from django.utils import timezone

from conftest import World, person
from core.tick import tick
from members import reorg
from members import services as members
from members.models import ACTIVE_STATUSES, Member
from orgs import services as orgs
from orgs.models import Kind, OrgCount
from orgs.rollups import counts_changed, rollups_fold, rollups_rebuild


def _snapshot() -> dict[tuple[int, str], int]:
    return {
        (o, k): v
        for o, k, v in OrgCount.objects.exclude(value=0).values_list("org_id", "key", "value")
    }


def test_live_counters_match_a_rebuild_after_random_services(world: World) -> None:
    rng = random.Random(7)
    today = timezone.localdate()
    cells = [
        world.cell,
        world.other_cell,
        orgs.org_create(code="C3", name="Chi bộ 3", kind=Kind.CELL, parent=world.grassroots),
    ]
    for n in range(40, 70):
        action = rng.choice(["create", "transfer", "exit", "exempt", "update"])
        active = list(Member.objects.filter(status__in=ACTIVE_STATUSES))
        if action == "create" or not active:
            members.member_create(
                org=rng.choice(cells),
                data=person(n, official_date=None if n % 3 else person(n)["official_date"]),
            )
            continue
        member = rng.choice(active)
        if action == "transfer":
            target = rng.choice([c for c in cells if c.id != member.org_id])
            members.member_transfer(member=member, to_org=target, on=today)
        elif action == "exit":
            members.member_exit(member=member, kind=rng.choice(["died", "resigned"]), on=today)
        elif action == "exempt":
            members.member_exempt(member=member, on=today, end=member.exempt)
        else:
            members.member_update(member=member, changes={"residence": f"Khu phố {n}"})
    reorg.org_move(org=world.grassroots, new_parent=world.other_ward, on=today)
    reorg.org_merge(sources=[cells[2]], target=world.other_cell, on=today)
    tick()
    live = _snapshot()
    rollups_rebuild()
    assert _snapshot() == live
    # And a figure can be read at any level: the root counts every active member once.
    assert (
        live[(world.root.id, "members")]
        == Member.objects.filter(status__in=ACTIVE_STATUSES).count()
    )


def test_folding_applies_each_delta_once(world: World) -> None:
    before = _snapshot()[(world.root.id, "members")]
    counts_changed({(world.cell.id, "members"): 2})
    counts_changed({(world.other_cell.id, "members"): 3})
    assert rollups_fold() == 2
    assert rollups_fold() == 0
    after = _snapshot()
    assert after[(world.root.id, "members")] == before + 5
