"""Who hears of a congress without looking: the parent organisation's officials when a unit
becomes late (once per lateness), its approvers when results are reported."""

from datetime import timedelta

from django.utils import timezone

from access.models import Grant, Role
from conftest import World
from congresses import services
from notices.models import Notification

from .test_congress_services import TODAY, congress, held, reported, term  # noqa: F401


def titles(world: World, name: str) -> list[str]:
    return list(
        Notification.objects.filter(recipient=world.users[name], kind="congress")
        .order_by("id")
        .values_list("title", flat=True)
    )


def test_a_unit_newly_late_is_told_to_its_parents_officials_once(world: World, term) -> None:  # noqa: F811
    c = congress(term, world.grassroots)
    services.congress_plan(congress=c, data={"planned_on": TODAY}, by=world.users["central"])
    # A grant expired or revoked on the parent does not hear of it.
    gone = Grant.objects.get(user=world.users["viewer"])
    gone.expires_at = timezone.now() - timedelta(days=1)
    gone.save()
    assert services.congresses_mark_late(today=TODAY + timedelta(days=1)) == 1
    for name in ("ward", "approver"):
        [title] = titles(world, name)
        assert world.grassroots.name in title
    note = Notification.objects.get(recipient=world.users["ward"], kind="congress")
    assert "chưa tổ chức" in note.body and TODAY.strftime("%d/%m/%Y") in note.body
    assert note.url == f"/congresses/{term.pk}/{world.ward.code}/"
    # Officials elsewhere (above the parent, the unit itself, the viewer whose grant ended).
    for name in ("central", "city", "viewer", "secretary", "member"):
        assert titles(world, name) == []
    # The next runs do not tell it again.
    services.congresses_mark_late(today=TODAY + timedelta(days=2))
    services.congresses_mark_late_all()
    assert len(titles(world, "ward")) == 1


def test_held_but_not_reported_in_time_is_a_new_lateness(world: World, term) -> None:  # noqa: F811
    # The cell's parent is the grassroots committee: its own official hears, the ward's do not.
    Grant.objects.create(
        user=world.users["viewer"],
        org=world.grassroots,
        role=Role.EDITOR,
        granted_at=timezone.now(),
    )
    Grant.objects.filter(user=world.users["viewer"], org=world.ward).delete()
    held(world, term, world.cell)
    later = TODAY + timedelta(days=term.report_within_days + 1)
    assert services.congresses_mark_late(today=later) == 1
    [title] = titles(world, "viewer")
    assert world.cell.name in title
    note = Notification.objects.get(recipient=world.users["viewer"], kind="congress")
    assert "chưa báo cáo kết quả" in note.body
    assert note.url == f"/congresses/{term.pk}/{world.grassroots.code}/"
    assert titles(world, "ward") == []


def test_reported_results_are_told_to_the_parents_approvers(world: World, term) -> None:  # noqa: F811
    reported(world, term, world.grassroots)
    for name in ("ward", "approver"):
        [title] = titles(world, name)
        assert "chuẩn y" in title and world.grassroots.name in title
    note = Notification.objects.get(recipient=world.users["approver"], kind="congress")
    assert note.url == f"/congresses/{term.pk}/{world.grassroots.code}/congress/"
    # A viewer cannot approve: not told.
    assert titles(world, "viewer") == []
