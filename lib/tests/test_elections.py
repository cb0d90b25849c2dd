"""The counting rules of the Regulation on elections in the Party, on its worked cases."""

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from lib.elections import (
    DELEGATES,
    MEMBERS,
    Rules,
    Voter,
    ballot_problem,
    base_of,
    candidates_problem,
    elects,
    max_candidates,
    tally,
)

R190 = Rules(
    max_surplus=Fraction(3, 10),
    subtracted=frozenset({"temporary_out", "exempt_absent", "suspended"}),
    blank_valid=False,
)


def test_a_cell_of_11_official_members_with_10_present_is_not_elected_by_5_votes() -> None:
    voters = [Voter(present=True) for _ in range(10)] + [Voter(present=False)]
    base = base_of(MEMBERS, voters, R190)
    assert base == 11
    assert not elects(5, base, R190)
    assert elects(6, base, R190)


def test_five_of_ten_ballots_do_not_elect_in_the_count_of_that_cell() -> None:
    candidates = [1, 2, 3, 4]
    ballots = [[1, 2, 3]] * 5 + [[2, 3, 4]] * 5
    outcome = tally(ballots, candidates, seats=3, base=11, rules=R190)
    assert outcome.votes == {1: 5, 2: 10, 3: 10, 4: 5}
    assert outcome.elected == [2, 3]
    assert outcome.open_seats == 1


def test_the_base_subtracts_temporary_transfers_suspended_and_absent_exempted_members() -> None:
    voters = [
        *[Voter(present=True) for _ in range(8)],
        Voter(kind="temporary_out"),
        Voter(kind="suspended"),
        Voter(kind="exempt", present=False),
        Voter(kind="exempt", present=True),
    ]
    assert base_of(MEMBERS, voters, R190) == 9


def test_a_delegates_congress_counts_every_delegate_summoned() -> None:
    voters = [Voter(present=True)] * 90 + [Voter(kind="suspended")] * 2 + [Voter()] * 8
    assert base_of(DELEGATES, voters, R190) == 100


def test_a_tie_at_the_last_seat_elects_neither_and_leaves_the_seat_open() -> None:
    candidates = [1, 2, 3, 4]
    # Ten voters, base 10: 1 and 2 are elected, 3 and 4 tie at 6 for the third seat.
    ballots = [[1, 2, 3]] * 4 + [[1, 2, 4]] * 4 + [[1, 3, 4]] * 2
    outcome = tally(ballots, candidates, seats=3, base=10, rules=R190)
    assert outcome.votes == {1: 10, 2: 8, 3: 6, 4: 6}
    assert outcome.elected == [1, 2]
    assert sorted(outcome.tied) == [3, 4]
    assert outcome.open_seats == 1


def test_a_tie_within_the_seats_elects_both() -> None:
    outcome = tally([[1, 2]] * 6 + [[3]] * 4, [1, 2, 3], seats=2, base=10, rules=R190)
    assert sorted(outcome.elected) == [1, 2]
    assert outcome.tied == []


def test_a_ballot_keeping_too_many_names_is_invalid_and_counts_for_nobody() -> None:
    assert ballot_problem([1, 2, 3], [1, 2, 3, 4], seats=2, rules=R190) == "too_many"
    outcome = tally([[1, 2, 3]] + [[1, 2]] * 6, [1, 2, 3, 4], seats=2, base=7, rules=R190)
    assert outcome.invalid == 1
    assert outcome.valid == 6
    assert outcome.votes[3] == 0


def test_a_ballot_keeping_fewer_names_than_seats_is_valid() -> None:
    assert ballot_problem([2], [1, 2, 3, 4], seats=3, rules=R190) is None


def test_a_ballot_crossing_out_every_name_follows_the_rules_setting() -> None:
    assert ballot_problem([], [1, 2, 3], seats=2, rules=R190) == "none_kept"
    assert ballot_problem([], [1, 2, 3], seats=2, rules=Rules(blank_valid=True)) is None
    # A list of one: crossing the name out is a vote against, and valid.
    assert ballot_problem([], [1], seats=1, rules=R190) is None


def test_an_agree_ballot_with_a_name_marked_in_both_columns_or_neither() -> None:
    # A list without surplus: that name gets no vote, the ballot stays valid.
    assert ballot_problem([1], [1, 2, 3], seats=3, rules=R190, unclear=[2]) is None
    # A list of one name: the one mark is the ballot, which is then invalid.
    assert ballot_problem([], [1], seats=1, rules=R190, unclear=[1]) == "unclear_single"
    # A name cannot be both agreed and unclear on one reading.
    assert ballot_problem([1], [1, 2], seats=2, rules=R190, unclear=[1]) == "not_on_list"


def test_a_name_not_on_the_list_makes_a_ballot_invalid() -> None:
    assert ballot_problem([9], [1, 2, 3], seats=2, rules=R190) == "not_on_list"


def test_the_surplus_is_at_most_thirty_percent_of_the_seats() -> None:
    assert max_candidates(7, R190) == 9
    assert max_candidates(9, R190) == 11
    assert candidates_problem(7, 9, R190) is None
    assert candidates_problem(7, 10, R190) == "over_surplus"
    assert candidates_problem(7, 6, R190) == "too_few"
    assert candidates_problem(7, 7, R190) is None
    assert candidates_problem(0, 1, R190) == "no_seats"


@given(
    st.lists(st.lists(st.integers(1, 6), max_size=6), max_size=40),
    st.integers(1, 5),
)
def test_no_more_are_elected_than_seats_and_each_has_more_than_half(
    ballots: list[list[int]], seats: int
) -> None:
    candidates = [1, 2, 3, 4, 5, 6]
    base = max(len(ballots), 1)
    outcome = tally(ballots, candidates, seats, base, R190)
    assert len(outcome.elected) + outcome.open_seats == seats
    assert all(2 * outcome.votes[c] > base for c in outcome.elected + outcome.tied)
    assert outcome.valid + outcome.invalid == len(ballots)


def test_the_threshold_is_a_setting_of_the_rules() -> None:
    two_thirds = Rules(elected_above=Fraction(2, 3))
    assert not elects(6, 9, two_thirds)
    assert elects(7, 9, two_thirds)
