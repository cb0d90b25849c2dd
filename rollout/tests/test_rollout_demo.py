"""The demo's rollout: officials at every level, units with no account, difficulties in every
state; its counters equal those rebuilt from the rows."""

from django.utils import timezone

from core.tick import tick
from demo.generate import Generator
from orgs.models import Kind, Org, OrgCount
from orgs.rollups import rollups_rebuild
from rollout.models import Difficulty, FaqEntry, Official
from rollout.selectors import coverage_of, queue_counts, units_without_editor


def test_the_demo_has_officials_gaps_and_difficulties_in_every_state(transactional_db) -> None:
    # Not inside a test transaction: the generator drops and rebuilds indexes around its COPY.
    Generator(scale="ward", seed=1, today=timezone.localdate(), members=300).run()
    tick()
    root = Org.objects.get(parent__isnull=True)
    province = Org.objects.filter(kind=Kind.PROVINCE).order_by("path").first()
    assert province is not None
    kinds = set(Official.objects.values_list("user__grants__org__kind", flat=True))
    assert {Kind.CENTRAL, Kind.PROVINCE} <= kinds and len(kinds) >= 3
    assert units_without_editor(province)
    total, _children = coverage_of(province)
    assert 0 < total.covered <= total.editor < total.units and total.logged_in > 0
    assert set(Difficulty.objects.values_list("status", flat=True)) == {
        "open",
        "asked",
        "escalated",
        "answered",
    }
    assert queue_counts(province)["overdue"] >= 1
    assert queue_counts(root)["escalated"] >= 1
    assert FaqEntry.objects.count() == 2
    live = set(
        OrgCount.objects.filter(key__startswith="rollout.").values_list("org_id", "key", "value")
    )
    rollups_rebuild()
    rebuilt = set(
        OrgCount.objects.filter(key__startswith="rollout.").values_list("org_id", "key", "value")
    )
    assert live == rebuilt
