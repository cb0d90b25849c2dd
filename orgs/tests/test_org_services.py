"""The organisation tree: create, rename, move, merge, split, dissolve, each with history."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import World, person
from core.tick import tick
from members import reorg
from members.models import Member
from members.record import search_text
from members.services import member_create
from orgs import services
from orgs.models import Kind, Org, OrgEvent
from orgs.rollups import counts_of


def _members(org: Org) -> int:
    tick()
    return counts_of([org.id]).get(org.id, {}).get("members", 0)


def test_it_gives_children_paths_under_their_parent(world: World) -> None:
    assert world.cell.path.startswith(world.grassroots.path) and world.grassroots.path.startswith(
        world.ward.path
    )
    assert world.cell.depth == 4


def test_it_refuses_a_duplicate_code(world: World) -> None:
    with pytest.raises(ValidationError) as info:
        services.org_create(code=world.cell.code, name="X", kind=Kind.CELL, parent=world.grassroots)
    assert "code" in info.value.message_dict


def test_it_refuses_an_empty_name_and_a_second_root(world: World) -> None:
    with pytest.raises(ValidationError) as info:
        services.org_create(code="NEW", name="  ", kind=Kind.CELL, parent=world.grassroots)
    assert "name" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.org_create(code="NEW", name="Gốc", kind=Kind.PROVINCE, parent=None)
    assert "parent" in info.value.message_dict


def test_it_renames_and_keeps_the_old_name(world: World) -> None:
    services.org_rename(org=world.cell, name="Chi bộ Giáo viên Toán", on=timezone.localdate())
    event = OrgEvent.objects.get(org=world.cell, kind="renamed")
    assert event.detail == {"old": "Chi bộ Giáo viên 1", "new": "Chi bộ Giáo viên Toán"}


def test_it_moves_a_subtree_with_its_counters(world: World) -> None:
    moved = _members(world.grassroots)
    before_ward, before_other = _members(world.ward), _members(world.other_ward)
    reorg.org_move(org=world.grassroots, new_parent=world.other_ward, on=timezone.localdate())
    world.cell.refresh_from_db()
    assert world.cell.path.startswith(world.other_ward.path)
    assert (_members(world.ward), _members(world.other_ward)) == (
        before_ward - moved,
        before_other + moved,
    )
    assert _members(world.city) == before_ward + before_other
    for member in Member.objects.filter(org__path__startswith=world.cell.path):
        assert member.org_path == world.cell.path
        assert member.search_name == search_text(world.cell.path, member.full_name)


def test_members_are_found_by_name_under_the_new_parent_after_a_move(world: World) -> None:
    """On PostgreSQL name search reads the members' search column, which holds the path."""
    from members.record import columns_drift
    from members.selectors import MemberFilters, members_for

    name = world.members[0].full_name
    central = world.users["central"]

    def found(org: Org) -> bool:
        rows = members_for(viewer=central, org=org, filters=MemberFilters(q=name))
        return world.members[0].pk in {m.pk for m in rows}

    assert found(world.ward) and not found(world.other_ward)
    reorg.org_move(org=world.grassroots, new_parent=world.other_ward, on=timezone.localdate())
    world.ward.refresh_from_db()
    world.other_ward.refresh_from_db()
    assert found(world.other_ward) and not found(world.ward)
    assert columns_drift() == []


def test_it_refuses_to_move_into_its_own_subtree(world: World) -> None:
    with pytest.raises(ValidationError) as info:
        reorg.org_move(org=world.ward, new_parent=world.cell, on=timezone.localdate())
    assert "parent" in info.value.message_dict


def test_it_merges_cells_moving_members_with_events(world: World) -> None:
    total = _members(world.city)
    reorg.org_merge(sources=[world.other_cell], target=world.cell, on=timezone.localdate())
    world.other_cell.refresh_from_db()
    assert world.other_cell.status == "merged"
    assert Member.objects.get(pk=world.stranger.pk).org_id == world.cell.id
    assert world.stranger.events.filter(
        kind="transfer_in", detail__reason=f"merge:{world.other_cell.code}"
    ).exists()
    assert _members(world.city) == total and _members(world.other_ward) == 0
    assert OrgEvent.objects.filter(org=world.cell, kind="absorbed").exists()


def test_it_merges_committees_moving_their_children(world: World) -> None:
    reorg.org_merge(sources=[world.other_ward], target=world.ward, on=timezone.localdate())
    world.other_cell.refresh_from_db()
    assert world.other_cell.parent_id == world.ward.id
    tick()
    assert counts_of([world.city.id])[world.city.id]["orgs.commune"] == 1


def test_it_splits_a_cell_and_closes_it(world: World) -> None:
    ids = [m.pk for m in world.members]
    parts = [
        reorg.SplitPart(code="A", name="Chi bộ A", kind=Kind.CELL, member_ids=ids[:2]),
        reorg.SplitPart(code="B", name="Chi bộ B", kind=Kind.CELL, member_ids=ids[2:]),
    ]
    a, b = reorg.org_split(org=world.cell, parts=parts, on=timezone.localdate())
    assert (_members(a), _members(b)) == (2, 2)
    world.cell.refresh_from_db()
    assert world.cell.status == "dissolved"


def test_it_refuses_to_split_with_members_claimed_twice(world: World) -> None:
    parts = [
        reorg.SplitPart(code="A", name="A", kind=Kind.CELL, member_ids=[world.members[0].pk]),
        reorg.SplitPart(code="B", name="B", kind=Kind.CELL, member_ids=[world.members[0].pk]),
    ]
    with pytest.raises(ValidationError):
        reorg.org_split(org=world.cell, parts=parts, on=timezone.localdate())
    assert not Org.objects.filter(code__in=["A", "B"]).exists()


def test_it_refuses_to_dissolve_an_organisation_with_members(world: World) -> None:
    with pytest.raises(ValidationError) as info:
        reorg.org_dissolve(org=world.cell, on=timezone.localdate())
    assert "org" in info.value.message_dict


def test_it_dissolves_an_empty_cell(world: World) -> None:
    empty = services.org_create(
        code="EMPTY", name="Chi bộ trống", kind=Kind.CELL, parent=world.grassroots
    )
    reorg.org_dissolve(org=empty, on=timezone.localdate(), reason="QĐ 5")
    empty.refresh_from_db()
    assert empty.status == "dissolved" and empty.valid_to == timezone.localdate()
    with pytest.raises(ValidationError):
        member_create(org=empty, data=person(40))
