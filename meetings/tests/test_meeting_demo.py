"""The demo's meetings: cells of the demo ward have met, and the demo member has one coming."""

from django.utils import timezone

from core.tick import tick
from demo.generate import Generator
from demo.logins import demo_personas
from meetings.demo import demo_ward
from meetings.models import Ballot, Meeting
from meetings.selectors import attendance_figures, member_meetings
from orgs.models import OrgCount
from orgs.rollups import rollups_rebuild


def test_the_demo_cells_have_met_and_the_demo_member_has_a_meeting_coming(
    transactional_db: None,
) -> None:
    # Not inside a test transaction: the generator drops and rebuilds indexes around its COPY.
    Generator(scale="ward", seed=1, today=timezone.localdate(), members=300).run()
    tick()
    member = next(p for p in demo_personas() if p.username == "dangvien").member
    assert member is not None
    upcoming, past = member_meetings(member)
    assert upcoming and upcoming[0].starts_at > timezone.now()
    assert upcoming[0].documents.count() == 1
    assert len(past) == 2 and all(m.minutes and m.votes.exists() for m in past)
    assert Ballot.objects.exists()
    held = Meeting.objects.filter(status="closed")
    ward = demo_ward()
    assert ward is not None
    figures = attendance_figures([ward])[0]
    assert figures.held == held.count() and 0 < figures.present < figures.invited
    assert figures.cells_met_before >= 1
    # Counters kept live by the services equal those rebuilt from the rows.
    live = set(OrgCount.objects.filter(key__startswith="mt.").values_list("org_id", "key", "value"))
    rollups_rebuild()
    rebuilt = set(
        OrgCount.objects.filter(key__startswith="mt.").values_list("org_id", "key", "value")
    )
    assert live == rebuilt
