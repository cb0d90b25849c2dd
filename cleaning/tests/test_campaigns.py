"""Campaign milestones: who is done, on time, late, at every level, and the export."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cleaning.campaigns import campaign_create
from cleaning.commit import batch_commit
from cleaning.models import MilestoneDone
from cleaning.tests.test_import_pipeline import GOOD, _upload
from conftest import World
from orgs.rollups import counts_of
from partyorg.tick import tick


def _campaign(world: World, *, due_in: int = 5):
    today = timezone.localdate()
    return campaign_create(
        root=world.city,
        name="Làm sạch dữ liệu 2025",
        starts_on=today - timedelta(days=10),
        ends_on=today + timedelta(days=20),
        milestones=[
            ("Gửi dữ liệu sạch", today + timedelta(days=due_in), "submitted"),
            ("Đồng bộ sổ tay", today + timedelta(days=15), "published"),
        ],
        by=world.users["city"],
    )


def test_every_unit_is_expected_and_a_clean_commit_reaches_the_first_milestone(
    world: World,
) -> None:
    campaign = _campaign(world)
    first = campaign.milestones.get(order=1)
    tick()
    assert counts_of([world.city.id])[world.city.id][first.key("expected")] == 2  # the two wards
    batch_commit(batch=_upload(world, *GOOD), by=world.users["secretary"])
    tick()
    city = counts_of([world.city.id])[world.city.id]
    assert (city[first.key("done")], city[first.key("on_time")]) == (1, 1)
    assert MilestoneDone.objects.get().unit_id == world.ward.id


def test_late_units_are_listed_with_their_contacts(world: World) -> None:
    from cleaning.dashboard import late_units

    world.other_ward.contact_name, world.other_ward.contact_phone = "Đ/c Lan", "0909000111"
    world.other_ward.save(update_fields=["contact_name", "contact_phone"])
    campaign = _campaign(world, due_in=-2)
    late = late_units(campaign, world.city)
    assert [row["unit"].code for row in late] == [world.ward.code, world.other_ward.code]
    assert (
        all(row["days_late"] == 2 for row in late) and late[1]["unit"].contact_phone == "0909000111"
    )
    html = world.client("city").get(f"/campaigns/{campaign.pk}/{world.city.code}/").content.decode()
    assert "Đ/c Lan" in html and "0909000111" in html


def test_it_refuses_milestones_outside_the_period(world: World) -> None:
    today = timezone.localdate()
    with pytest.raises(ValidationError) as info:
        campaign_create(
            root=world.city,
            name="X",
            starts_on=today,
            ends_on=today + timedelta(days=3),
            milestones=[("M", today + timedelta(days=30), "submitted")],
        )
    assert "milestones" in info.value.message_dict


def test_the_dashboard_shows_each_level_and_exports(world: World) -> None:
    campaign = _campaign(world)
    batch_commit(batch=_upload(world, *GOOD), by=None)
    tick()
    html = world.client("city").get(f"/campaigns/{campaign.pk}/{world.city.code}/").content.decode()
    assert 'data-milestone="1">1 / 2<' in html and world.ward.name in html
    ward_html = (
        world.client("ward").get(f"/campaigns/{campaign.pk}/{world.ward.code}/").content.decode()
    )
    assert 'data-milestone="1">1 / 1<' in ward_html
    assert (
        world.client("ward").get(f"/campaigns/{campaign.pk}/{world.other_ward.code}/").status_code
        == 404
    )
    export = world.client("city").get(f"/campaigns/{campaign.pk}/{world.city.code}/export.xlsx")
    assert export.status_code == 200 and export.content[:2] == b"PK"


def test_an_admin_opens_a_campaign_from_the_form(world: World) -> None:
    today = timezone.localdate()
    data = {
        "name": "Đợt 1",
        "starts_on": today.strftime("%d/%m/%Y"),
        "ends_on": (today + timedelta(days=20)).strftime("%d/%m/%Y"),
        "unit_depth": 1,
        "m1_name": "Gửi dữ liệu",
        "m1_due": (today + timedelta(days=5)).strftime("%d/%m/%Y"),
        "m1_condition": "submitted",
    }
    response = world.client("city").post(f"/orgs/{world.city.code}/campaigns/", data)
    assert response.status_code == 302
    assert (
        world.client("secretary").post(f"/orgs/{world.cell.code}/campaigns/", data).status_code
        == 404
    )


def test_exports_are_rate_limited_per_person(world: World, settings) -> None:
    from django.core.cache import cache

    cache.clear()
    settings.PARTYORG_RATE_LIMITS = {**settings.PARTYORG_RATE_LIMITS, "cleaning:campaign_export": 2}
    campaign = _campaign(world)
    url = f"/campaigns/{campaign.pk}/{world.city.code}/export.xlsx"
    client = world.client("city")
    assert [client.get(url).status_code for _i in range(3)] == [200, 200, 429]
    assert world.client("central").get(url).status_code == 200
