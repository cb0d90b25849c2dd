"""The demo's correction requests: every state, the demo member's own, counters that rebuild."""

import pytest
from django.utils import timezone

from core.tick import tick
from corrections.models import Request, Status
from demo.generate import Generator
from demo.logins import demo_personas
from orgs.models import OrgCount
from orgs.rollups import rollups_rebuild


# Outside a test transaction: on PostgreSQL a fresh load builds its indexes at the end, which a
# transaction still holding the load's deferred constraint checks may not do.
@pytest.mark.django_db(transaction=True)
def test_the_demo_has_requests_in_every_state() -> None:
    Generator(scale="ward", seed=1, today=timezone.localdate(), members=300).run()
    tick()
    assert set(Request.objects.values_list("status", flat=True)) == set(Status.values)
    assert Request.objects.filter(overdue=True).exists()
    member = next(p for p in demo_personas() if p.username == "dangvien").member
    assert member is not None
    mine = set(Request.objects.filter(member=member).values_list("status", flat=True))
    assert mine == {Status.APPROVED, Status.REJECTED, Status.WAITING}
    live = set(
        OrgCount.objects.filter(key__startswith="corr.")
        .exclude(value=0)
        .values_list("org_id", "key", "value")
    )
    rollups_rebuild()
    rebuilt = set(
        OrgCount.objects.filter(key__startswith="corr.")
        .exclude(value=0)
        .values_list("org_id", "key", "value")
    )
    assert live == rebuilt
