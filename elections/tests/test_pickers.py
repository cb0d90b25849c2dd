"""Delegates and candidates picked from the organisation's subtree with the congress results'
member picker (scoped by members_visible_to, each look-up audited): an id typed outside the
official's scope is refused, a name typed in full without JavaScript is resolved, a candidate
may be someone who is not a delegate, and probationary members neither vote nor stand."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from conftest import World, person
from elections import services
from elections.models import Candidate, Election
from members.services import member_create

from .helpers import delegates_congress


@pytest.fixture
def day(world: World):
    return delegates_congress(world)


def _day(congress) -> str:
    return reverse("elections:day", args=[congress.term_id, congress.org.code])


def test_the_delegate_form_is_the_results_member_picker(world: World, day) -> None:
    congress, _roll = day
    page = world.client("ward").get(_day(congress)).content.decode()
    pick = reverse("congresses:member_pick", args=[congress.term_id, congress.org.code])
    assert f'hx-get="{pick}?field=pick-full_name"' in page
    assert 'name="pick-member"' in page and "Mã đảng viên trong hệ thống" not in page
    # The picker's look-up offers the subtree's members, audited as a member list is.
    found = world.client("ward").get(
        pick, {"field": "pick-full_name", "pick-full_name": world.members[3].full_name}
    )
    assert f'data-id="{world.members[3].pk}"' in found.content.decode()
    assert AuditEvent.objects.filter(action="member.list").exists()


def test_a_delegate_picked_is_added(world: World, day) -> None:
    congress, roll = day
    member = world.members[3]
    response = world.client("ward").post(
        _day(congress),
        {"action": "add", "pick-member": member.pk, "pick-full_name": member.full_name},
        follow=True,
    )
    assert f"Đã thêm {member.full_name} vào danh sách." in response.content.decode()
    assert roll.voters.filter(member=member).exists()


def test_a_member_id_outside_the_officials_scope_is_refused(world: World, day) -> None:
    congress, roll = day
    before = roll.voters.count()
    response = world.client("ward").post(
        _day(congress), {"action": "add", "pick-member": world.stranger.pk}, follow=True
    )
    page = response.content.decode()
    assert "Không tìm thấy đảng viên này trong Đảng bộ Trường THPT Trưng Vương" in page
    assert roll.voters.count() == before


def test_a_name_typed_in_full_is_found_without_javascript(world: World, day) -> None:
    congress, roll = day
    # Several members of the cell share the test names: give one a name of their own.
    member = member_create(org=world.cell, data=person(40, full_name="Đặng Thị Hồng Nhung"))
    world.client("ward").post(
        _day(congress), {"action": "add", "pick-full_name": "  đặng thị hồng  nhung "}
    )
    assert roll.voters.filter(member=member).exists()
    response = world.client("ward").post(
        _day(congress), {"action": "add", "pick-full_name": "Không Ai Tên Này"}, follow=True
    )
    assert "Không tìm thấy đảng viên này" in response.content.decode()


def test_a_probationary_member_is_neither_delegate_nor_candidate(world: World, day) -> None:
    congress, roll = day
    probationary = member_create(org=world.cell, data=person(41, official_date=None))
    with pytest.raises(ValidationError, match="đảng viên dự bị"):
        services.voter_add(roll=roll, member=probationary, by=world.users["ward"])
    election = services.election_create(
        congress=congress, kind="delegates", seats=2, by=world.users["ward"]
    )
    with pytest.raises(ValidationError, match=r"Dòng 2: .*đảng viên dự bị"):
        services.candidates_set(
            election=election,
            members=[world.members[0], probationary],
            by=world.users["ward"],
        )
    assert not Candidate.objects.filter(election=election).exists()


def _election(world: World, congress, seats: int = 3) -> Election:
    return services.election_create(
        congress=congress, kind="delegates", seats=seats, by=world.users["ward"]
    )


def test_a_candidate_who_is_not_a_delegate_is_picked_from_the_subtree(world: World, day) -> None:
    congress, roll = day
    election = _election(world, congress)
    outsider_to_the_list = world.members[4]
    assert not roll.voters.filter(member=outsider_to_the_list).exists()
    page = reverse("elections:election", args=[election.pk])
    shown = world.client("ward").get(page).content.decode()
    assert 'name="extra-0-member"' in shown and "?field=extra-0-full_name" in shown
    world.client("ward").post(
        page,
        {
            "action": "candidates",
            "member": [world.members[0].pk, world.members[1].pk],
            "extra-0-member": outsider_to_the_list.pk,
        },
    )
    names = [c.member_id for c in election.candidates.all()]
    assert sorted(names) == sorted(m.pk for m in [*world.members[:2], outsider_to_the_list])
    # In the list's order: the Vietnamese order of given names, whoever picked them.
    keys = [c.member.sort_key for c in election.candidates.select_related("member")]
    assert keys == sorted(keys)
    # The candidate from outside the list stays offered, ticked, on the next visit.
    again = world.client("ward").get(page).content.decode()
    assert f'value="{outsider_to_the_list.pk}" id="m{outsider_to_the_list.pk}" checked' in again


def test_a_candidate_outside_the_scope_is_refused_and_nothing_is_written(world: World, day) -> None:
    congress, _roll = day
    election = _election(world, congress, seats=1)
    page = reverse("elections:election", args=[election.pk])
    response = world.client("ward").post(
        page,
        {
            "action": "candidates",
            "member": [world.members[0].pk],
            "extra-0-member": world.stranger.pk,
        },
        follow=True,
    )
    assert "Không tìm thấy đảng viên này" in response.content.decode()
    assert not election.candidates.exists()
    # A ticked id outside the scope too.
    world.client("ward").post(page, {"action": "candidates", "member": [world.stranger.pk]})
    assert not election.candidates.exists()


def test_a_list_short_of_the_seats_is_kept_as_a_draft_but_not_counted(world: World, day) -> None:
    congress, _roll = day
    election = _election(world, congress, seats=3)
    services.candidates_set(election=election, members=world.members[:2], by=world.users["ward"])
    page = world.client("ward").get(reverse("elections:election", args=[election.pk]))
    shown = page.content.decode()
    assert 'id="short"' in shown and 'id="start-form"' not in shown
    assert (
        world.client("ward").get(reverse("elections:ballots_pdf", args=[election.pk])).status_code
        == 404
    )
    with pytest.raises(ValidationError, match="ít hơn số lượng cần bầu"):
        services.election_start_count(election=election, ballots_issued=1, by=world.users["ward"])
    # The surplus still limits the list however it is drawn up.
    with pytest.raises(ValidationError, match="vượt số dư tối đa"):
        services.candidates_set(
            election=election, members=world.members[:5], by=world.users["ward"]
        )
    assert election.candidates.count() == 2
