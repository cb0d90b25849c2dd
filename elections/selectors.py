"""Reads of congress day, each starting from what the viewer may see: an election or a voter
list is reached through its congress's organisation (`access.scope.can`), 404 otherwise."""

from dataclasses import dataclass
from fractions import Fraction

from django.http import Http404
from django.utils import timezone

from access.models import Role
from access.scope import Actor, can, own_member_id
from congresses.models import Congress
from core.http import MAX_DB_INT
from lib.elections import share

from .models import Ballot, Candidate, Counter, Election, Roll, Voter, rulebook_on
from .services import ballot_problem_of, counter_of, roll_base


def _checked(object_id: int) -> int:
    if not 0 < object_id <= MAX_DB_INT:
        raise Http404
    return object_id


def get_election_for_user(actor: Actor, election_id: int, role: str = Role.VIEWER) -> Election:
    """The election, if the actor may act on its congress's organisation with `role`; 404
    for not found and not allowed alike."""
    election = (
        Election.objects.select_related("congress__org__parent", "congress__term", "rulebook")
        .filter(pk=_checked(election_id))
        .first()
    )
    if election is None or not can(actor, election.congress.org.path, role):
        raise Http404
    return election


def get_election_for_counter(actor: Actor, election_id: int) -> Election:
    """The election, for its counting screens: for the congress's editors and for the counters
    of its counting committee (who may hold no grant at all); 404 for anyone else."""
    election = (
        Election.objects.select_related("congress__org__parent", "congress__term", "rulebook")
        .filter(pk=_checked(election_id))
        .first()
    )
    if election is None:
        raise Http404
    counter = counter_of(actor, election.congress_id) is not None
    if not counter and not can(actor, election.congress.org.path, Role.EDITOR):
        raise Http404
    return election


def counters_of(roll: Roll) -> list[Counter]:
    return list(roll.counters.select_related("user"))


def counting_now_for(actor: Actor, roll: Roll) -> list[Election]:
    """The congress's elections being counted whose counting committee includes `actor`."""
    if counter_of(actor, roll.congress_id) is None:
        return []
    return list(
        Election.objects.filter(congress_id=roll.congress_id, status=Election.Status.COUNTING)
    )


def get_roll_for_voter(actor: Actor, roll_id: int) -> Roll:
    """A voter list for its door: for whoever is on it (their own check-in) and the
    congress's editors; 404 for anyone else."""
    roll = (
        Roll.objects.select_related("congress__org", "congress__term")
        .filter(pk=_checked(roll_id))
        .first()
    )
    if roll is None:
        raise Http404
    member_id = own_member_id(actor)
    on_list = member_id is not None and roll.voters.filter(member_id=member_id).exists()
    if not on_list and not can(actor, roll.congress.org.path, Role.EDITOR):
        raise Http404
    return roll


def get_roll_for_counter(actor: Actor, roll_id: int) -> Roll:
    """A voter list for its counting committee's page: for its counters and the congress's
    editors; 404 for anyone else."""
    roll = (
        Roll.objects.select_related("congress__org", "congress__term")
        .filter(pk=_checked(roll_id))
        .first()
    )
    if roll is None:
        raise Http404
    counter = counter_of(actor, roll.congress_id) is not None
    if not counter and not can(actor, roll.congress.org.path, Role.EDITOR):
        raise Http404
    return roll


def roll_of(congress: Congress) -> Roll | None:
    return Roll.objects.filter(congress=congress).first()


@dataclass
class Attendance:
    summoned: int
    present: int
    subtracted: int
    base: int | None  # of "more than half", by the rules in force today


def attendance_of(roll: Roll) -> Attendance:
    voters = list(roll.voters.all())
    present = sum(1 for v in voters if v.checked_in_at is not None)
    rulebook = rulebook_on(roll.congress.held_on or timezone.localdate())
    base = None
    if rulebook is not None:
        base = roll_base(roll, Election(congress=roll.congress, rulebook=rulebook, seats=1))
    return Attendance(
        summoned=len(voters),
        present=present,
        subtracted=len(voters) - base if base is not None else 0,
        base=base,
    )


def voters_of(roll: Roll) -> list[Voter]:
    return list(roll.voters.select_related("member").order_by("member__sort_key", "id"))


@dataclass
class Row:
    candidate: Candidate
    share: Fraction

    @property
    def percent(self) -> str:
        return f"{float(self.share) * 100:.2f}".replace(".", ",")


def tally_rows(election: Election) -> list[Row]:
    """Candidates in the list's order with their share of the base (once the tally closed)."""
    base = election.base or 0
    return [Row(c, share(c.votes or 0, base)) for c in election.candidates.all()]


def ballots_to_verify(election: Election) -> list[int]:
    """Numbers entered and not yet read a second time (never what they keep: the second
    reading is blind)."""
    return list(
        Ballot.objects.filter(election=election, status=Ballot.Status.ENTERED).values_list(
            "number", flat=True
        )
    )


def disputed(election: Election) -> list[Ballot]:
    return list(Ballot.objects.filter(election=election, status=Ballot.Status.DISPUTED))


def elections_of(congress: Congress) -> list[Election]:
    return list(Election.objects.filter(congress=congress).order_by("id"))


def invalid_ballots(election: Election) -> list[tuple[int, str]]:
    """The invalid ballots of a closed tally, by number, with the reason in words."""
    out = []
    for ballot in election.ballots.all():
        reason = ballot_problem_of(election, ballot)
        if reason is not None:
            out.append((ballot.number, reason))
    return out
