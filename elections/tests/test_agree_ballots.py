"""Ballots with "agree"/"disagree" columns: a list without surplus (as many names as seats), where
the rulebook in force says so. Each name's mark is read (agree, disagree, or both/neither); a
name marked both or neither gets no vote on a valid ballot, except on a list of one name, where
the ballot is invalid (Regulation 244, Art. 17 and 32.1, as 190 keeps them)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import World
from elections import services
from elections.models import Ballot, Election, Rulebook
from elections.reports import ballots_html

from .helpers import cell_congress, roll_with_present


@pytest.fixture
def congress(world: World):
    return cell_congress(world)


def _counting(world: World, congress, seats: int, candidates: int) -> Election:
    roll_with_present(world, congress, 10)
    by = world.users["secretary"]
    election = services.election_create(congress=congress, kind="committee", seats=seats, by=by)
    services.candidates_set(election=election, members=world.members[:candidates], by=by)
    return services.election_start_count(election=election, ballots_issued=10, by=by)


def _both(world: World, election: Election, number: int, kept: list[int], unclear: list[int]):
    services.ballot_enter(
        election=election, number=number, kept=kept, unclear=unclear, by=world.users["secretary"]
    )
    services.ballot_verify(
        election=election, number=number, kept=kept, unclear=unclear, by=world.users["ward"]
    )


def test_a_name_marked_in_both_columns_gets_no_vote_and_the_ballot_stays_valid(
    world: World, congress
) -> None:
    election = _counting(world, congress, seats=3, candidates=3)
    assert services.agree_form(election)
    a, b, c = (x.pk for x in election.candidates.all())
    _both(world, election, 1, [a, b], [c])
    for n in range(2, 8):
        _both(world, election, n, [a, b, c], [])
    election = services.election_close(election=election, by=world.users["secretary"])
    assert (election.valid, election.invalid) == (7, 0)
    assert [x.votes for x in election.candidates.all()] == [7, 7, 6]


def test_a_list_of_one_marked_in_both_columns_or_neither_is_invalid(world: World, congress) -> None:
    election = _counting(world, congress, seats=1, candidates=1)
    (a,) = (x.pk for x in election.candidates.all())
    _both(world, election, 1, [], [a])
    _both(world, election, 2, [], [])  # disagree: valid, no vote
    for n in range(3, 9):
        _both(world, election, n, [a], [])
    election = services.election_close(election=election, by=world.users["secretary"])
    assert (election.valid, election.invalid) == (7, 1)
    assert election.candidates.get().votes == 6
    from elections.selectors import invalid_ballots

    assert invalid_ballots(election) == [
        (1, "danh sách một người mà đánh dấu cả hai cột hoặc không đánh dấu cột nào")
    ]


def test_the_two_readings_must_agree_on_every_mark(world: World, congress) -> None:
    election = _counting(world, congress, seats=2, candidates=2)
    a, b = (x.pk for x in election.candidates.all())
    services.ballot_enter(
        election=election, number=1, kept=[a], unclear=[b], by=world.users["secretary"]
    )
    ballot = services.ballot_verify(election=election, number=1, kept=[a], by=world.users["ward"])
    assert ballot.status == Ballot.Status.DISPUTED and ballot.second_unclear == []


def test_a_list_with_surplus_has_no_agree_columns(world: World, congress) -> None:
    election = _counting(world, congress, seats=4, candidates=5)
    assert not services.agree_form(election)
    assert "Không đồng ý" not in ballots_html(election)
    a, *_ = (x.pk for x in election.candidates.all())
    with pytest.raises(ValidationError, match="không có cột đồng ý"):
        services.ballot_enter(
            election=election, number=1, kept=[], unclear=[a], by=world.users["secretary"]
        )


def test_the_rulebook_decides_whether_a_list_without_surplus_has_them(
    world: World, congress
) -> None:
    election = _counting(world, congress, seats=2, candidates=2)
    html = ballots_html(election)
    assert "Không đồng ý" in html and "Đánh dấu X vào cột Đồng ý" in html
    Rulebook.objects.filter(pk=election.rulebook_id).update(agree_columns=False)
    election.refresh_from_db()
    assert not services.agree_form(election)
    assert "Không đồng ý" not in ballots_html(election)


def test_the_counter_screen_asks_for_each_names_mark(world: World, congress) -> None:
    election = _counting(world, congress, seats=2, candidates=2)
    a, b = election.candidates.all()
    enter = reverse("elections:enter", args=[election.pk])
    client = world.client("secretary")
    screen = client.get(enter).content.decode()
    assert f'name="mark-{a.pk}" value="unclear"' in screen
    missing = client.post(enter, {"number": 1, f"mark-{a.pk}": "agree"})
    assert missing.status_code == 400
    assert f"Phiếu số 1: chưa ghi dòng của {b.full_name}" in missing.content.decode()
    client.post(enter, {"number": 1, f"mark-{a.pk}": "agree", f"mark-{b.pk}": "unclear"})
    ballot = Ballot.objects.get(election=election, number=1)
    assert (ballot.kept, ballot.unclear) == ([a.pk], [b.pk])
