"""Counting a secret-ballot election in the Party (pure: the rules are given, never assumed).

The rules come from the Regulation on elections in the Party in force on the congress's day (a
row of settings with an effective date, `elections.models.Rulebook`), so the next regulation is a
change of settings. What this module decides, given those rules:

- whether a candidate list respects the surplus (more names than seats, at most `max_surplus`
  over them);
- the base the "more than half" is counted against (the delegates summoned at a delegates'
  congress; at a members' congress the official members summoned less those the rules subtract);
- whether a ballot is valid (more names kept than seats: invalid; names not on the list:
  invalid; no name kept on a list of several: as the rules say);
- who is elected: more than half of the base, highest first, up to the seats; candidates tied
  across the last seat are none of them elected and the seats they share stay open for a second
  round, as are seats no one reached more than half for.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

MEMBERS = "members"  # a congress (conference) of all the organisation's members
DELEGATES = "delegates"  # a congress of delegates


@dataclass(frozen=True)
class Rules:
    """The counting rules of one regulation (see `elections.models.Rulebook`)."""

    max_surplus: Fraction = Fraction(3, 10)
    # Elected with more than this share of the base ("more than half").
    elected_above: Fraction = Fraction(1, 2)
    # At a members' congress, the kinds of voters on the list the base leaves out
    # ("temporary_out", "exempt_absent", "suspended"…).
    subtracted: frozenset[str] = frozenset()
    # Whether a ballot keeping no name at all, on a list of more than one, is valid.
    blank_valid: bool = False


# -- The candidate list ----------------------------------------------------------------------


def max_candidates(seats: int, rules: Rules) -> int:
    """The longest list the surplus allows for `seats` (30 % of 7 is 2.1: at most 9 names)."""
    return seats + int(seats * rules.max_surplus)


def candidates_problem(seats: int, candidates: int, rules: Rules) -> str | None:
    """Why a list of `candidates` names for `seats` seats is not allowed, or None.

    A list of exactly as many names as seats is allowed (no surplus: the ballot then has
    "agree"/"disagree" columns in the regulation's form); fewer is not."""
    if seats < 1:
        return "no_seats"
    if candidates < seats:
        return "too_few"
    if candidates > max_candidates(seats, rules):
        return "over_surplus"
    return None


# -- The base of "more than half" -------------------------------------------------------------


@dataclass(frozen=True)
class Voter:
    """One person on the voter list, as the base needs them: their kind and whether present."""

    kind: str = ""  # "" for an ordinary voter, or the kind the rules may subtract
    present: bool = False


def base_of(congress_format: str, voters: Iterable[Voter], rules: Rules) -> int:
    """The number "more than half" is counted against.

    A delegates' congress counts every delegate summoned. A members' congress counts the
    official members summoned, less each kind the rules subtract; "exempt_absent" subtracts an
    exempted member only when absent (one who comes votes and counts)."""
    total = 0
    for voter in voters:
        if congress_format == MEMBERS and voter.kind:
            if voter.kind == "exempt" and "exempt_absent" in rules.subtracted:
                if not voter.present:
                    continue
            elif voter.kind in rules.subtracted:
                continue
        total += 1
    return total


def elects(votes: int, base: int, rules: Rules) -> bool:
    """More than the rules' share of the base (half: of 11, 5 do not elect, 6 do)."""
    share = rules.elected_above
    return base > 0 and votes * share.denominator > base * share.numerator


# -- Ballots ---------------------------------------------------------------------------------


def ballot_problem(
    kept: Iterable[int],
    candidates: Sequence[int],
    seats: int,
    rules: Rules,
    unclear: Iterable[int] = (),
) -> str | None:
    """Why a ballot keeping the candidates `kept` is invalid, or None if it is valid.

    On a ballot with "agree"/"disagree" columns (a list without surplus), `kept` are the names
    marked "agree" and `unclear` those marked in both columns or in neither: such a name gets
    no vote and the ballot stays valid, unless the list has one name only, where the one mark
    is the whole ballot (Regulation 244, Art. 17 and 32.1, kept by 190)."""
    kept_set, unclear_set = set(kept), set(unclear)
    if not (kept_set | unclear_set) <= set(candidates) or kept_set & unclear_set:
        return "not_on_list"
    if unclear_set and len(candidates) == 1:
        return "unclear_single"
    if len(kept_set) > seats:
        return "too_many"
    if not kept_set and len(candidates) > 1 and not rules.blank_valid:
        return "none_kept"
    return None


# -- The tally -------------------------------------------------------------------------------


@dataclass
class Outcome:
    """The result of one round: votes per candidate (valid ballots only), who is elected,
    who is tied across the last seat, and how many seats remain open."""

    votes: dict[int, int]
    elected: list[int] = field(default_factory=list)
    tied: list[int] = field(default_factory=list)
    open_seats: int = 0
    valid: int = 0
    invalid: int = 0


def tally(
    ballots: Iterable[Sequence[int]],
    candidates: Sequence[int],
    seats: int,
    base: int,
    rules: Rules,
) -> Outcome:
    """Count `ballots` (each the candidates it keeps) for `candidates` in their list order."""
    votes = dict.fromkeys(candidates, 0)
    valid = invalid = 0
    for kept in ballots:
        if ballot_problem(kept, candidates, seats, rules) is not None:
            invalid += 1
            continue
        valid += 1
        for candidate in set(kept):
            votes[candidate] += 1
    # Those over half, highest first; the list's order breaks nothing (a tie stays a tie).
    over_half = sorted(
        (c for c in candidates if elects(votes[c], base, rules)), key=lambda c: -votes[c]
    )
    elected: list[int] = []
    tied: list[int] = []
    if len(over_half) <= seats:
        elected = over_half
    else:
        last = votes[over_half[seats - 1]]
        above = [c for c in over_half if votes[c] > last]
        at_last = [c for c in over_half if votes[c] == last]
        if len(above) + len(at_last) <= seats:  # pragma: no cover - cannot happen: over seats
            elected = above + at_last
        else:
            elected, tied = above, at_last
    return Outcome(
        votes=votes,
        elected=elected,
        tied=tied,
        open_seats=seats - len(elected),
        valid=valid,
        invalid=invalid,
    )


def share(votes: int, base: int) -> Fraction:
    """A candidate's share of the base (shown as a percentage in the minutes)."""
    return Fraction(votes, base) if base else Fraction(0)
