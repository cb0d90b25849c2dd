"""Congress day through its services: the voter list and check-in, candidates within the
surplus, double entry of ballots, the tally by the rules, the results sent to the monitor, and
every refusal of bad input, each leaving nothing half-written."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from conftest import World
from congresses.models import Person
from elections import services
from elections.models import Ballot, Election, Rulebook, Voter, rulebook_on

from .helpers import cell_congress, counted, roll_with_present


@pytest.fixture
def congress(world: World):
    return cell_congress(world)


def _election(world: World, congress, seats: int = 4, candidates: int = 5, kind: str = "committee"):
    election = services.election_create(
        congress=congress, kind=kind, seats=seats, by=world.users["secretary"]
    )
    services.candidates_set(
        election=election, members=world.members[:candidates], by=world.users["secretary"]
    )
    return election


def _counting(world: World, congress, present: int = 10, **kw):
    roll_with_present(world, congress, present)
    election = _election(world, congress, **kw)
    return services.election_start_count(
        election=election, ballots_issued=present, by=world.users["secretary"]
    )


def _ids(election) -> list[int]:
    return [c.pk for c in election.candidates.all()]


def test_the_rules_in_force_are_those_of_190_from_10_october_2024(db) -> None:
    in_2025, in_2020 = rulebook_on(date(2025, 6, 1)), rulebook_on(date(2020, 1, 1))
    assert in_2025 is not None and in_2025.effective_from == date(2024, 10, 10)
    assert in_2020 is not None and "244" in in_2020.name
    assert rulebook_on(date(2010, 1, 1)) is None


def test_a_members_congress_lists_its_official_members(world: World, congress) -> None:
    roll = services.roll_open(congress=congress, by=world.users["secretary"])
    assert roll.voters.count() == 11


def test_a_cell_of_11_with_10_present_does_not_elect_by_5_votes(world: World, congress) -> None:
    election = _counting(world, congress, present=10)
    a, b, c, d, e = _ids(election)
    counted(world, election, [[a, b, c, d]] * 5 + [[b, c, d, e]] * 5)
    election = services.election_close(election=election, by=world.users["secretary"])
    assert election.base == 11
    votes = {x.pk: (x.votes, x.elected) for x in election.candidates.all()}
    assert votes == {a: (5, False), b: (10, True), c: (10, True), d: (10, True), e: (5, False)}


def test_the_subtracted_members_leave_the_base(world: World, congress) -> None:
    roll = roll_with_present(world, congress, 9)
    voters = list(roll.voters.order_by("id"))
    services.voter_mark(
        voter=voters[-1],
        kind=Voter.Kind.TEMPORARY_OUT,
        credentials_ok=True,
        by=world.users["secretary"],
    )
    services.voter_mark(
        voter=voters[-2], kind=Voter.Kind.EXEMPT, credentials_ok=True, by=world.users["secretary"]
    )
    election = _election(world, congress)
    assert services.roll_base(roll, election) == 9


def test_a_tie_at_the_last_seat_leaves_it_open_for_a_second_round(world: World, congress) -> None:
    election = _counting(world, congress, present=10)
    a, b, c, d, e = _ids(election)
    counted(world, election, [[a, b, c, d]] * 4 + [[a, b, c, e]] * 4 + [[a, b, d, e]] * 2)
    election = services.election_close(election=election, by=world.users["secretary"])
    rows = {x.pk: x for x in election.candidates.all()}
    assert [rows[x].votes for x in (a, b, c, d, e)] == [10, 10, 8, 6, 6]
    assert [rows[x].elected for x in (a, b, c, d, e)] == [True, True, True, False, False]
    assert rows[d].tied and rows[e].tied
    with pytest.raises(ValidationError, match="chưa trúng cử ở lần trước"):
        services.election_second_round(
            election=election, members=[rows[a].member], by=world.users["secretary"]
        )
    second = services.election_second_round(
        election=election, members=[rows[d].member, rows[e].member], by=world.users["secretary"]
    )
    assert second.seats == 1 and second.round == 2
    second = services.election_start_count(
        election=second, ballots_issued=10, by=world.users["secretary"]
    )
    c2, d2 = _ids(second)
    counted(world, second, [[c2]] * 7 + [[d2]] * 3)
    services.election_close(election=second, by=world.users["secretary"])
    services.election_send(election=second, by=world.users["secretary"])
    committee = Person.objects.filter(congress=congress, body=Person.Body.COMMITTEE)
    assert sorted(p.member_id or 0 for p in committee) == sorted(
        [rows[x].member_id for x in (a, b, c, d)]
    )


def test_a_ballot_keeping_too_many_names_is_counted_invalid(world: World, congress) -> None:
    election = _counting(world, congress, present=10)
    a, b, c, d, e = _ids(election)
    counted(world, election, [[a, b, c, d, e]] + [[a, b, c, d]] * 9)
    election = services.election_close(election=election, by=world.users["secretary"])
    assert (election.valid, election.invalid) == (9, 1)
    assert election.candidates.get(pk=e).votes == 0


def test_a_candidate_list_over_the_surplus_is_refused(world: World, congress) -> None:
    election = services.election_create(
        congress=congress, kind="committee", seats=4, by=world.users["secretary"]
    )
    with pytest.raises(ValidationError, match=r"vượt số dư tối đa 30%.*nhiều nhất 5 người"):
        services.candidates_set(
            election=election, members=world.members[:6], by=world.users["secretary"]
        )
    assert election.candidates.count() == 0


def test_a_check_in_by_someone_not_on_the_list_is_refused(world: World, congress) -> None:
    roll = services.roll_open(congress=congress, by=world.users["secretary"])
    with pytest.raises(ValidationError, match="không có tên trong danh sách"):
        services.voter_checkin(roll=roll, member=world.stranger, by=world.users["secretary"])
    assert not roll.voters.filter(checked_in_at__isnull=False).exists()


def test_a_second_check_in_is_refused(world: World, congress) -> None:
    roll = roll_with_present(world, congress, 1)
    with pytest.raises(ValidationError, match="đã điểm danh"):
        services.voter_checkin(roll=roll, member=world.members[0], by=world.users["secretary"])


def test_a_delegate_checks_in_with_the_rotating_code(world: World, congress) -> None:
    from django.utils import timezone

    from lib.checkin import code_for, window_of

    roll = services.roll_open(congress=congress, by=world.users["secretary"])
    code = code_for(services.checkin_key(roll), roll.pk, window_of(timezone.now().timestamp()))
    member = world.users["member"]
    voter = services.voter_checkin(roll=roll, member=world.members[0], by=member, code=code)
    assert voter.checkin_method == "qr"
    with pytest.raises(ValidationError, match="hết hạn hoặc không đúng"):
        services.voter_checkin(roll=roll, member=world.members[1], by=member, code="AAAAAAAAAA")


def test_a_ballot_entered_twice_is_refused(world: World, congress) -> None:
    election = _counting(world, congress)
    a, b, *_ = _ids(election)
    services.ballot_enter(election=election, number=1, kept=[a], by=world.users["secretary"])
    with pytest.raises(ValidationError, match="Phiếu số 1 đã được nhập"):
        services.ballot_enter(election=election, number=1, kept=[b], by=world.users["ward"])
    assert Ballot.objects.get(election=election, number=1).kept == [a]


def test_a_counter_cannot_verify_their_own_entry(world: World, congress) -> None:
    election = _counting(world, congress)
    a, *_ = _ids(election)
    services.ballot_enter(election=election, number=1, kept=[a], by=world.users["secretary"])
    with pytest.raises(ValidationError, match="người khác phải đối chiếu"):
        services.ballot_verify(election=election, number=1, kept=[a], by=world.users["secretary"])


def test_a_verification_that_disagrees_is_held_for_the_committee(world: World, congress) -> None:
    election = _counting(world, congress, present=2)
    a, b, *_ = _ids(election)
    counted(world, election, [[a, b]])
    services.ballot_enter(election=election, number=2, kept=[a], by=world.users["secretary"])
    ballot = services.ballot_verify(
        election=election, number=2, kept=[a, b], by=world.users["ward"]
    )
    assert ballot.status == Ballot.Status.DISPUTED
    assert (ballot.kept, ballot.second_kept) == ([a], [a, b])
    with pytest.raises(ValidationError, match="1 phiếu chưa đối chiếu hoặc còn chênh lệch"):
        services.election_close(election=election, by=world.users["secretary"])
    assert Election.objects.get(pk=election.pk).status == Election.Status.COUNTING
    with pytest.raises(ValidationError, match="Hãy ghi"):
        services.ballot_resolve(
            ballot=ballot, kept=[a, b], spoilt=False, note="", by=world.users["ward"]
        )
    services.ballot_resolve(
        ballot=ballot,
        kept=[a, b],
        spoilt=False,
        note="Xem lại: giữ hai tên",
        by=world.users["ward"],
    )
    election = services.election_close(election=election, by=world.users["secretary"])
    assert election.valid == 2


def test_a_tally_closed_with_ballots_not_verified_is_refused(world: World, congress) -> None:
    election = _counting(world, congress)
    a, *_ = _ids(election)
    services.ballot_enter(election=election, number=3, kept=[a], by=world.users["secretary"])
    with pytest.raises(ValidationError, match=r"số 3\)"):
        services.election_close(election=election, by=world.users["secretary"])


def test_the_results_reach_the_monitor_and_are_then_locked(world: World, congress) -> None:
    election = _counting(world, congress, present=10)
    a, b, c, d, e = _ids(election)
    counted(world, election, [[a, b, c, d]] * 6 + [[b, c, d, e]] * 4)
    services.election_close(election=election, by=world.users["secretary"])
    services.election_send(election=election, by=world.users["secretary"])
    congress.refresh_from_db()
    assert (congress.summoned, congress.present) == (11, 10)
    assert (congress.committee_decided, congress.candidates) == (4, 5)
    committee = Person.objects.filter(congress=congress, body=Person.Body.COMMITTEE)
    assert len(committee) == 4
    # The secretary, elected among them, gives one of them the post.
    secretary = services.election_create(
        congress=congress, kind="secretary", seats=1, by=world.users["secretary"]
    )
    elected_b = election.candidates.get(pk=b).member
    services.candidates_set(election=secretary, members=[elected_b], by=world.users["secretary"])
    services.election_start_count(
        election=secretary, ballots_issued=10, by=world.users["secretary"]
    )
    counted(world, secretary, [[secretary.candidates.get().pk]] * 6 + [[]] * 4)
    services.election_close(election=secretary, by=world.users["secretary"])
    services.election_send(election=secretary, by=world.users["secretary"])
    person = Person.objects.get(congress=congress, member=elected_b)
    assert (person.role, person.direct) == (Person.Role.SECRETARY, True)
    # Nothing changes after sending.
    with pytest.raises(ValidationError, match="không sửa được nữa"):
        services.election_send(election=election, by=world.users["secretary"])
    with pytest.raises(ValidationError, match="không sửa được nữa"):
        services.ballot_enter(election=election, number=9, kept=[a], by=world.users["ward"])


def test_the_audit_log_names_who_entered_and_verified_each_ballot_and_never_a_voter(
    world: World, congress
) -> None:
    election = _counting(world, congress, present=2)
    a, *_ = _ids(election)
    counted(world, election, [[a], [a]])
    entered = AuditEvent.objects.filter(action="election.ballot_enter").order_by("id")
    verified = AuditEvent.objects.filter(action="election.ballot_verify").order_by("id")
    assert [e.detail["ballot"] for e in entered] == [1, 2]
    assert {e.actor_id for e in entered} == {world.users["secretary"].pk}
    assert {e.actor_id for e in verified} == {world.users["ward"].pk}
    # No ballot names a voter: the models have no field that could.
    assert not any(f.name in ("voter", "member") for f in Ballot._meta.get_fields())
    assert not any(f.name == "ballot" for f in Voter._meta.get_fields())


def test_someone_without_a_grant_on_the_congress_can_do_nothing(world: World, congress) -> None:
    with pytest.raises(ValidationError, match="không có quyền"):
        services.roll_open(congress=congress, by=world.users["viewer"])
    with pytest.raises(ValidationError, match="không có quyền"):
        services.election_create(
            congress=congress, kind="committee", seats=3, by=world.users["outsider"]
        )


def test_a_new_regulation_is_a_new_row_of_settings(world: World, congress) -> None:
    Rulebook.objects.create(
        name="Quy chế giả định",
        effective_from=congress.held_on,
        max_surplus_percent=50,
        subtracted=[],
        blank_valid=True,
    )
    election = services.election_create(
        congress=congress, kind="committee", seats=4, by=world.users["secretary"]
    )
    services.candidates_set(
        election=election, members=world.members[:6], by=world.users["secretary"]
    )
    assert election.rulebook.name == "Quy chế giả định"


def test_the_new_committee_elects_its_secretary_against_its_own_size(
    world: World, congress
) -> None:
    """The committee the congress elected (5 of them) elects the secretary: 3 votes of 5 elect,
    though 3 of the congress's 11 would not."""
    committee = _counting(world, congress, present=10, seats=5, candidates=5)
    counted(world, committee, [_ids(committee)] * 10)
    services.election_close(election=committee, by=world.users["secretary"])
    secretary = services.election_create(
        congress=congress, kind="secretary", seats=1, by=world.users["secretary"]
    )
    services.candidates_set(
        election=secretary, members=world.members[:1], by=world.users["secretary"]
    )
    secretary = services.election_start_count(
        election=secretary, ballots_issued=5, by=world.users["secretary"]
    )
    (a,) = _ids(secretary)
    # Three keep the name, two cross it out.
    counted(world, secretary, [[a], [a], [a], [], []])
    secretary = services.election_close(election=secretary, by=world.users["secretary"])
    assert secretary.base == 5
    assert [(c.votes, c.elected) for c in secretary.candidates.all()] == [(3, True)]


def test_the_secretary_waits_for_the_committees_result(world: World, congress) -> None:
    _counting(world, congress, present=10, seats=5, candidates=5)
    with pytest.raises(ValidationError) as info:
        services.election_create(
            congress=congress, kind="secretary", seats=1, by=world.users["secretary"]
        )
    assert "Ban chấp hành" in str(info.value)
    assert not Election.objects.filter(kind="secretary").exists()


def _previous_term_committee(world: World, congress, members) -> None:
    """The cell's congress of the term before, held and its committee recorded in the monitor."""
    from datetime import timedelta

    from congresses import services as congress_services
    from congresses.models import Congress, Step, Tier
    from congresses.services import PersonIn, TierDates

    year = congress.term.first_year - 5
    start = date(year, 1, 1)
    term = congress_services.term_create(
        by=world.users["central"],
        organiser=world.root,
        name="Nhiệm kỳ trước",
        first_year=year,
        last_year=year + 4,
        schedule=[TierDates(t.value, start, start + timedelta(days=90)) for t in Tier],
    )
    previous = Congress.objects.select_related("org", "term").get(term=term, org=world.cell)
    by = world.users["secretary"]
    congress_services.congress_advance(
        congress=previous, to=Step.HELD, on=start + timedelta(days=10), by=by, note="Đã họp"
    )
    congress_services.congress_results(
        congress=previous,
        numbers={},
        people=[
            PersonIn(body=Person.Body.COMMITTEE, role=Person.Role.MEMBER, member_id=m.pk)
            for m in members
        ],
        by=by,
    )


def test_the_committee_sent_is_re_elected_where_it_sat_in_the_previous_committee(
    world: World, congress
) -> None:
    election = _counting(world, congress, present=10)
    a, b, c, d, e = (x for x in election.candidates.all())
    _previous_term_committee(world, congress, [a.member, e.member])
    counted(world, election, [[a.pk, b.pk, c.pk, d.pk]] * 10)
    services.election_close(election=election, by=world.users["secretary"])
    services.election_send(election=election, by=world.users["secretary"])
    sent = {
        p.member_id: (p.reelected, p.local)
        for p in Person.objects.filter(congress=congress, body=Person.Body.COMMITTEE)
    }
    assert sent == {
        a.member_id: (True, True),
        b.member_id: (False, True),
        c.member_id: (False, True),
        d.member_id: (False, True),
    }


def test_no_one_is_re_elected_when_no_previous_committee_was_recorded(
    world: World, congress
) -> None:
    facts = services.elected_facts(
        congress=congress, body=Person.Body.COMMITTEE, member_ids=[world.members[0].pk]
    )
    assert facts == {world.members[0].pk: (False, True)}


def test_someone_from_outside_the_organisation_is_not_local(world: World, congress) -> None:
    facts = services.elected_facts(
        congress=congress,
        body=Person.Body.COMMITTEE,
        member_ids=[world.members[0].pk, world.stranger.pk],
    )
    assert facts[world.members[0].pk][1] is True and facts[world.stranger.pk][1] is False
