"""The counting committee (ban kiểm phiếu): named by the congress's editors among the delegates;
only its counters' accounts enter, verify and resolve ballots, never in an election where the
counter is a candidate; counting does not start without two who may count."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from access.models import Grant, Role
from accounts.models import User
from audit.models import AuditEvent
from conftest import World
from elections import services
from elections.models import Ballot, Counter, Election
from notices.models import Notification

from .helpers import cell_congress, counted


@pytest.fixture
def congress(world: World):
    return cell_congress(world)


@pytest.fixture
def roll(world: World, congress):
    roll = services.roll_open(congress=congress, by=world.users["secretary"])
    for member in world.members[:10]:
        services.voter_checkin(roll=roll, member=member, by=world.users["secretary"])
    return roll


def _counting(world: World, congress, candidates) -> Election:
    by = world.users["secretary"]
    election = services.election_create(congress=congress, kind="committee", seats=3, by=by)
    services.candidates_set(election=election, members=candidates, by=by)
    return services.election_start_count(election=election, ballots_issued=10, by=by)


def test_a_counter_counts_with_the_account_linked_to_their_record(
    world: World, congress, roll
) -> None:
    counter = services.counter_add(roll=roll, member=world.members[0], by=world.users["secretary"])
    assert counter.user == world.users["member"]
    assert AuditEvent.objects.filter(action="election.counter_add").exists()
    told = Notification.objects.get(recipient=world.users["member"])
    assert told.url == reverse("elections:counting", args=[roll.pk])


def test_a_counter_without_an_account_needs_an_officials_account_named(
    world: World, congress, roll
) -> None:
    by = world.users["secretary"]
    with pytest.raises(ValidationError, match="chưa có tài khoản gắn với hồ sơ"):
        services.counter_add(roll=roll, member=world.members[5], by=by)
    # An account holding no grant near the congress is no official's here.
    with pytest.raises(ValidationError, match="Không tìm thấy tài khoản cán bộ này"):
        services.counter_add(
            roll=roll, member=world.members[5], user=world.users["outsider"], by=by
        )
    other = User.objects.create_user(username="tan-dinh", password="x" * 12)
    Grant.objects.create(
        user=other, org=world.other_ward, role=Role.EDITOR, granted_at=timezone.now()
    )
    with pytest.raises(ValidationError, match="Không tìm thấy tài khoản cán bộ này"):
        services.counter_add(roll=roll, member=world.members[5], user=other, by=by)
    # Someone whose record has an account counts with that one, not another.
    with pytest.raises(ValidationError, match="đã có tài khoản gắn với hồ sơ"):
        services.counter_add(roll=roll, member=world.members[0], user=world.users["ward"], by=by)
    counter = services.counter_add(
        roll=roll, member=world.members[5], user=world.users["ward"], by=by
    )
    assert counter.user == world.users["ward"]
    assert Counter.objects.count() == 1


def test_a_counter_is_a_delegate_on_the_list_named_once(world: World, congress, roll) -> None:
    by = world.users["secretary"]
    with pytest.raises(ValidationError, match="không có tên trong danh sách đại biểu"):
        services.counter_add(roll=roll, member=world.stranger, user=world.users["ward"], by=by)
    services.counter_add(roll=roll, member=world.members[5], user=world.users["ward"], by=by)
    with pytest.raises(ValidationError, match="đã có trong ban kiểm phiếu"):
        services.counter_add(roll=roll, member=world.members[5], user=world.users["city"], by=by)
    with pytest.raises(ValidationError, match="không có quyền"):
        services.counter_add(
            roll=roll, member=world.members[6], user=world.users["city"], by=world.users["viewer"]
        )


def test_only_counters_read_ballots_and_a_candidate_never_counts_their_election(
    world: World, congress, roll
) -> None:
    by = world.users["secretary"]
    services.counter_add(roll=roll, member=world.members[8], user=by, by=by)
    services.counter_add(roll=roll, member=world.members[9], user=world.users["ward"], by=by)
    # The member's own record (members[0]) is on the committee and on the ballot.
    services.counter_add(roll=roll, member=world.members[0], by=by)
    election = _counting(world, congress, world.members[:3])
    a = election.candidates.all()[0].pk
    # An editor of the organisation who is not a counter is refused.
    with pytest.raises(ValidationError, match="Chỉ thành viên ban kiểm phiếu"):
        services.ballot_enter(election=election, number=1, kept=[a], by=world.users["city"])
    with pytest.raises(ValidationError, match="có tên trong danh sách bầu cử này"):
        services.ballot_enter(election=election, number=1, kept=[a], by=world.users["member"])
    assert not Ballot.objects.exists()
    counted(world, election, [[a]])
    ballot = Ballot.objects.get(election=election, number=1)
    assert (ballot.entered_by, ballot.verified_by) == (by, world.users["ward"])


def test_counting_waits_for_two_counters_who_are_not_candidates(
    world: World, congress, roll
) -> None:
    by = world.users["secretary"]
    services.counter_add(roll=roll, member=world.members[9], user=by, by=by)
    services.counter_add(roll=roll, member=world.members[0], by=by)
    election = services.election_create(congress=congress, kind="committee", seats=3, by=by)
    services.candidates_set(election=election, members=world.members[:3], by=by)
    with pytest.raises(ValidationError, match="Hãy cử ban kiểm phiếu trước"):
        services.election_start_count(election=election, ballots_issued=10, by=by)
    services.counter_add(roll=roll, member=world.members[8], user=world.users["ward"], by=by)
    election = services.election_start_count(election=election, ballots_issued=10, by=by)
    assert election.status == "counting"


def test_a_counter_without_a_grant_counts_on_the_counting_screens(
    world: World, congress, roll
) -> None:
    by = world.users["secretary"]
    services.counter_add(roll=roll, member=world.members[0], by=by)
    services.counter_add(roll=roll, member=world.members[9], user=world.users["ward"], by=by)
    election = _counting(world, congress, world.members[3:6])
    member = world.client("member")
    home = member.get(reverse("elections:counting", args=[roll.pk])).content.decode()
    enter = reverse("elections:enter", args=[election.pk])
    assert f'href="{enter}"' in home
    # Three names for three seats: a ballot with agree/disagree columns, a mark per name.
    marks = {f"mark-{c.pk}": "agree" for c in election.candidates.all()}
    assert member.post(enter, {"number": 1, **marks}).status_code == 302
    world.client("ward").post(
        reverse("elections:verify", args=[election.pk]), {"number": 1, **marks}
    )
    kept = [election.candidates.all()[0].pk]
    assert Ballot.objects.get(number=1).status == Ballot.Status.VERIFIED
    # An editor who is not a counter sees why the screen takes no ballot.
    screen = world.client("city").get(enter).content.decode()
    assert 'id="not-counter"' in screen and 'id="ballot-form"' not in screen
    refused = world.client("city").post(enter, {"number": 2, "kept": kept})
    assert refused.status_code == 400 and not Ballot.objects.filter(number=2).exists()
    # Neither the screens nor the committee's page open to anyone else.
    for url in (enter, reverse("elections:counting", args=[roll.pk])):
        assert world.client("outsider").get(url).status_code == 404


def test_the_presidium_names_and_removes_counters_on_the_day_page(
    world: World, congress, roll
) -> None:
    client = world.client("secretary")
    day = reverse("elections:day", args=[congress.term_id, congress.org.code])
    response = client.post(
        day,
        {"action": "counter", "member": world.members[7].pk, "username": "ward", "head": "on"},
        follow=True,
    )
    page = response.content.decode()
    assert f"Đã cử {world.members[7].full_name} vào ban kiểm phiếu." in page
    counter = Counter.objects.get()
    assert counter.head and counter.user == world.users["ward"]
    unknown = client.post(
        day, {"action": "counter", "member": world.members[6].pk, "username": "nobody"}, follow=True
    )
    assert "Không tìm thấy tài khoản cán bộ này" in unknown.content.decode()
    client.post(day, {"action": "counter_remove", "counter": counter.pk})
    assert not Counter.objects.exists()
    assert (
        world.client("viewer").post(day, {"action": "counter_remove", "counter": 1}).status_code
        == 404
    )


def test_an_officials_account_counts_only_at_the_officer_level(
    world: World, congress, roll
) -> None:
    by = world.users["secretary"]
    services.counter_add(roll=roll, member=world.members[8], user=by, by=by)
    services.counter_add(roll=roll, member=world.members[0], by=by)
    election = _counting(world, congress, world.members[3:6])
    by.session_assurance_level = 1
    assert "Chỉ thành viên ban kiểm phiếu" in services.counting_refusal(by, election)
    # The member's own account counts at a member's level.
    member = world.users["member"]
    member.session_assurance_level = 1
    assert services.counting_refusal(member, election) == ""


def test_the_counting_screen_of_an_election_without_a_voter_list_opens(
    world: World, congress
) -> None:
    election = services.election_create(
        congress=congress, kind="committee", seats=3, by=world.users["secretary"]
    )
    response = world.client("secretary").get(reverse("elections:enter", args=[election.pk]))
    assert (
        response.status_code == 200 and "không ở giai đoạn kiểm phiếu" in response.content.decode()
    )
