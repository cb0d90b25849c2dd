"""Campaign milestones: who is done, on time, late, at every level, and the export."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaigns.models import MilestoneDone
from campaigns.services import campaign_create
from cleaning.commit import batch_commit
from cleaning.tests.test_import_pipeline import GOOD, _upload
from conftest import World
from core.tick import tick
from members.models import Member
from orgs.rollups import counts_of


def _campaign(
    world: World, *, due_in: int = 5, publish_in: int = 15, meeting_in: int | None = None
):
    today = timezone.localdate()
    milestones = [
        ("Gửi dữ liệu sạch", today + timedelta(days=due_in), "submitted"),
        ("Đồng bộ sổ tay", today + timedelta(days=publish_in), "published"),
    ]
    if meeting_in is not None:
        milestones.append(
            ("Chi bộ sinh hoạt trên sổ tay", today + timedelta(days=meeting_in), "meeting_held")
        )
    return campaign_create(
        root=world.city,
        name="Làm sạch dữ liệu 2025",
        starts_on=today - timedelta(days=10),
        ends_on=today + timedelta(days=20),
        milestones=milestones,
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


def test_a_unit_has_submitted_when_its_last_open_batch_is_in(world: World) -> None:
    """Two files of the ward's cells: committing the first does not reach the milestone while
    the second waits in review; cancelling (or committing) the second does."""
    from cleaning import services

    campaign = _campaign(world)
    first = campaign.milestones.get(order=1)
    waiting = _upload(world, GOOD[1])
    batch_commit(batch=_upload(world, GOOD[0]), by=world.users["secretary"])
    assert not MilestoneDone.objects.filter(milestone=first).exists()
    services.batch_cancel(batch=waiting, by=world.users["secretary"])
    assert MilestoneDone.objects.get(milestone=first).unit_id == world.ward.id


def test_late_units_are_listed_with_their_contacts(world: World) -> None:
    from campaigns.dashboard import late_units

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


def test_the_meeting_milestone_is_counted_from_the_cells_meetings(world: World) -> None:
    """ "Every cell has held a meeting on the handbook" is measured from the meetings the cells
    closed (meetings.services): once its due date has passed, units whose cells have not all
    met are late, and the dashboard shows its figure."""
    from campaigns.dashboard import figures_for, late_units

    campaign = _campaign(world, meeting_in=-1)  # its due date has passed
    tick()
    meeting = figures_for(campaign, [world.city])[0].milestones[2]
    assert meeting.milestone.counted and meeting.overdue
    assert {row["unit"].code for row in late_units(campaign, world.city)} == {
        world.ward.code,
        world.other_ward.code,
    }
    html = world.client("city").get(f"/campaigns/{campaign.pk}/{world.city.code}/").content.decode()
    assert "khi có Sổ tay đảng viên" not in html


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
    settings.PARTYORG_RATE_LIMITS = {**settings.PARTYORG_RATE_LIMITS, "campaigns:export": 2}
    campaign = _campaign(world)
    url = f"/campaigns/{campaign.pk}/{world.city.code}/export.xlsx"
    client = world.client("city")
    assert [client.get(url).status_code for _i in range(3)] == [200, 200, 429]
    assert world.client("central").get(url).status_code == 200


# Publishing: the level above decides that the units whose data is done go to the handbook. ------

# A clean record of a member of the other ward's cell (CCCD: male, born 1975, Hồ Chí Minh City).
OTHER = "1,Phạm Văn Dũng,079075000201,Nam,05/06/1975,19/05/2000,19/05/2001,0903123499"


def _person(world: World, name: str, role: str, org=None):
    """A user holding `role` at `org` (the city by default), granted by the city's admin."""
    from access.services import grant_create
    from accounts.models import User

    user = User.objects.create_user(username=name, password="x")
    grant_create(by=world.users["city"], user=user, org=org or world.city, role=role)
    return user


def _submit(world: World, org=None, *lines: str) -> None:
    """A unit sends clean data: a batch committed with no blocking problem."""
    batch_commit(batch=_upload(world, *(lines or GOOD), org=org), by=world.users["city"])


def _published(campaign) -> set[int]:
    return set(
        MilestoneDone.objects.filter(
            milestone__campaign=campaign, milestone__condition="published"
        ).values_list("unit_id", flat=True)
    )


def test_an_approver_publishes_the_ready_units_and_they_count_on_time(world: World) -> None:
    from audit.models import AuditEvent
    from campaigns.services import units_publish

    campaign = _campaign(world)
    second = campaign.milestones.get(order=2)
    _submit(world)
    approver = _person(world, "pheduyet", "approver")
    result = units_publish(campaign=campaign, units=None, by=approver)
    assert [u.code for u in result.published] == [world.ward.code]
    assert [r.unit.code for r in result.not_ready] == [world.other_ward.code]
    assert "Gửi dữ liệu sạch" in result.not_ready[0].reasons[0]
    assert _published(campaign) == {world.ward.id}
    tick()
    city = counts_of([world.city.id])[world.city.id]
    assert (city[second.key("expected")], city[second.key("done")]) == (2, 1)
    assert city[second.key("on_time")] == 1
    assert counts_of([world.ward.id])[world.ward.id][second.key("done")] == 1
    event = AuditEvent.objects.get(action="campaign.publish")
    assert event.actor == approver and event.object_id == str(campaign.pk)
    assert event.detail["unit"] == world.ward.code


def test_a_unit_published_after_the_due_date_is_done_but_late(world: World) -> None:
    from campaigns.services import units_publish

    campaign = _campaign(world, publish_in=-1)
    second = campaign.milestones.get(order=2)
    _submit(world)
    units_publish(campaign=campaign, units=None, by=world.users["city"])
    tick()
    city = counts_of([world.city.id])[world.city.id]
    assert (city[second.key("done")], city.get(second.key("on_time"), 0)) == (1, 0)
    assert not MilestoneDone.objects.get(milestone=second).on_time


def test_units_still_at_work_are_not_published_and_say_why(world: World) -> None:
    from campaigns.services import units_publish
    from cleaning import services

    campaign = _campaign(world)
    _submit(world)
    _submit(world, world.other_cell, OTHER)
    # The ward's cell sends a row with an error and a CCCD already held by the other ward's
    # member: a batch in review, open problems, and a pair only the city can decide.
    m = world.stranger
    pending = _upload(
        world,
        f"1,{m.full_name},{m.cccd},{'Nam' if m.sex == 'M' else 'Nữ'},"
        f"{m.birth_date:%d/%m/%Y},{m.admission_date:%d/%m/%Y},,",
        "2,Lê Văn Cường,,Nam,01/01/1990,01/01/2020,,",
    )
    assert pending.status == "review" and pending.candidates.count() == 1
    result = units_publish(campaign=campaign, units=None, by=world.users["city"])
    assert result.published == [] and _published(campaign) == set()
    reasons = {r.unit.code: " ".join(r.reasons) for r in result.not_ready}
    assert set(reasons) == {world.ward.code, world.other_ward.code}
    assert "1 lô dữ liệu" in reasons[world.ward.code]
    assert "vấn đề chưa xử lý" in reasons[world.ward.code]
    assert "1 cặp nghi trùng" in reasons[world.ward.code]
    # The other ward's data is in question too: one of its members may be the same person.
    assert "1 cặp nghi trùng" in reasons[world.other_ward.code]
    assert "lô dữ liệu" not in reasons[world.other_ward.code]
    services.batch_cancel(batch=pending, by=None)
    result = units_publish(campaign=campaign, units=None, by=world.users["city"])
    assert {u.code for u in result.published} == {world.ward.code, world.other_ward.code}


def test_publishing_twice_is_harmless(world: World) -> None:
    from audit.models import AuditEvent
    from campaigns.services import units_publish

    campaign = _campaign(world)
    second = campaign.milestones.get(order=2)
    _submit(world)
    units_publish(campaign=campaign, units=None, by=world.users["city"])
    tick()
    before = counts_of([world.city.id])[world.city.id]
    again = units_publish(campaign=campaign, units=None, by=world.users["city"])
    tick()
    assert again.published == [] and [u.code for u in again.already] == [world.ward.code]
    assert MilestoneDone.objects.filter(milestone=second).count() == 1
    assert AuditEvent.objects.filter(action="campaign.publish").count() == 1
    assert counts_of([world.city.id])[world.city.id] == before


def test_it_publishes_only_the_units_asked_for(world: World) -> None:
    from campaigns.services import units_publish

    campaign = _campaign(world)
    _submit(world)
    result = units_publish(campaign=campaign, units=[world.other_ward], by=world.users["city"])
    assert result.published == [] and [r.unit for r in result.not_ready] == [world.other_ward]
    assert _published(campaign) == set()
    with pytest.raises(ValidationError) as info:
        units_publish(campaign=campaign, units=[world.cell], by=world.users["city"])
    assert "units" in info.value.message_dict


def test_it_refuses_a_viewer_an_official_below_the_root_and_a_member(world: World) -> None:
    from campaigns.services import units_publish

    campaign = _campaign(world)
    _submit(world)
    refused = [
        _person(world, "xem", "viewer"),
        _person(world, "capnhat", "editor"),
        _person(world, "pheduyetphuong", "approver", world.ward),
        world.users["ward"],
        world.users["secretary"],
        world.users["member"],
    ]
    for user in refused:
        with pytest.raises(ValidationError) as info:
            units_publish(campaign=campaign, units=None, by=user)
        assert "by" in info.value.message_dict, user
    assert _published(campaign) == set()
    # The level above the root may: an admin of the whole tree.
    assert units_publish(campaign=campaign, units=None, by=world.users["central"]).published


def test_it_refuses_a_campaign_with_no_publishing_milestone_or_outside_its_period(
    world: World,
) -> None:
    from campaigns.services import units_publish

    today = timezone.localdate()
    submit_only = campaign_create(
        root=world.city,
        name="Chỉ gửi dữ liệu",
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=5),
        milestones=[("Gửi", today, "submitted")],
    )
    ended = campaign_create(
        root=world.city,
        name="Đợt đã qua",
        starts_on=today - timedelta(days=20),
        ends_on=today - timedelta(days=1),
        milestones=[
            ("Gửi", today - timedelta(days=10), "submitted"),
            ("Công bố", today - timedelta(days=5), "published"),
        ],
    )
    not_yet = campaign_create(
        root=world.city,
        name="Đợt sau",
        starts_on=today + timedelta(days=1),
        ends_on=today + timedelta(days=9),
        milestones=[("Công bố", today + timedelta(days=5), "published")],
    )
    _submit(world)
    for campaign in (submit_only, ended, not_yet):
        with pytest.raises(ValidationError) as info:
            units_publish(campaign=campaign, units=None, by=world.users["city"])
        assert "campaign" in info.value.message_dict
    assert not MilestoneDone.objects.filter(milestone__condition="published").exists()


def test_the_live_counters_agree_with_a_rebuild_after_publishing(world: World) -> None:
    from campaigns.services import units_publish
    from orgs.models import OrgCount
    from orgs.rollups import rollups_rebuild

    late = _campaign(world, publish_in=-1)
    on_time = _campaign(world)
    _submit(world)
    _submit(world, world.other_cell, OTHER)
    units_publish(campaign=late, units=[world.ward], by=world.users["city"])
    units_publish(campaign=on_time, units=None, by=world.users["city"])
    tick()

    def snapshot() -> dict[tuple[int, str], int]:
        rows = OrgCount.objects.filter(key__startswith="ms.").exclude(value=0)
        return {(o, k): v for o, k, v in rows.values_list("org_id", "key", "value")}

    live = snapshot()
    assert live[(world.city.id, on_time.milestones.get(order=2).key("on_time"))] == 2
    assert (world.city.id, late.milestones.get(order=2).key("on_time")) not in live
    rollups_rebuild()
    assert snapshot() == live


def test_an_approver_publishes_from_the_dashboard(world: World) -> None:
    from django.test import Client

    campaign = _campaign(world)
    _submit(world)
    tick()
    url = f"/campaigns/{campaign.pk}/{world.city.code}/"
    publish = f"{url}publish/"
    city = world.client("city")
    html = city.get(url).content.decode()
    assert "Tổng hợp và công bố" in html and 'id="publish-ready">1 ' in html
    assert world.other_ward.name in html.split('id="publish-not-ready"')[1]
    # An official below the root sees the campaign, but neither the button nor the right.
    ward_url = f"/campaigns/{campaign.pk}/{world.ward.code}/"
    assert "Tổng hợp và công bố" not in world.client("ward").get(ward_url).content.decode()
    assert world.client("ward").post(f"{ward_url}publish/").status_code == 404
    assert world.client("secretary").post(publish).status_code == 404
    assert world.client("city").get(publish).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.users["city"])
    assert strict.post(publish).status_code == 403
    assert _published(campaign) == set()
    response = city.post(publish)
    assert response.status_code == 302 and response["Location"] == url
    tick()  # what the commit does outside a test's transaction
    page = city.get(url).content.decode()
    assert "Đã công bố 1 đơn vị" in page
    assert world.other_ward.name in page and "chưa sẵn sàng" in page
    assert 'data-milestone="2">1 / 2<' in page
    assert _published(campaign) == {world.ward.id}


def test_each_unit_row_shows_its_quality_and_last_submission_on_the_page_and_in_the_export(
    world: World,
) -> None:
    import io

    from openpyxl import load_workbook

    campaign = _campaign(world)
    batch = _upload(world, *GOOD)
    batch_commit(batch=batch, by=None)
    batch.refresh_from_db()
    tick()
    when = timezone.localtime(batch.committed_at).strftime("%d/%m/%Y %H:%M")
    client = world.client("city")
    html = client.get(f"/campaigns/{campaign.pk}/{world.city.code}/").content.decode()
    table = html[html.index('id="campaign-children"') :]
    table = table[: table.index("</table>")]
    ward_row = next(r for r in table.split("<tr") if world.ward.name in r)
    other_row = next(r for r in table.split("<tr") if world.other_ward.name in r)
    ward = counts_of([world.ward.id])[world.ward.id]
    assert when in ward_row and when not in other_row
    assert f'data-quality="members">{ward["members"]}<' in ward_row
    assert f'data-quality="cccd_ok">{ward["q.cccd_ok"]}<' in ward_row
    export = client.get(f"/campaigns/{campaign.pk}/{world.city.code}/export.xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    rows = {r[1].value: [c.value for c in r] for r in sheet.iter_rows(min_row=2)}
    column = header.index("Lần gửi gần nhất")
    assert rows[world.ward.code][column].strftime("%d/%m/%Y %H:%M") == when
    assert rows[world.city.code][column].strftime("%d/%m/%Y %H:%M") == when
    assert rows[world.other_ward.code][column] is None


# Every column the campaign's "complete" asks for; the rows are written relative to today.
COMPLETE_HEADER = (
    "Họ và tên,Số CCCD,Giới tính,Ngày sinh,Nơi sinh,Quê quán,Nơi thường trú,Dân tộc,"
    "Ngày vào Đảng,Ngày chính thức,Số thẻ đảng viên,Điện thoại"
)
PLACES = "Thành phố Hồ Chí Minh,Tỉnh Long An,Phường Sài Gòn Thành phố Hồ Chí Minh,Kinh"


def _complete_rows(today) -> tuple[list[str], date]:
    """Four records complete in every field: on probation for 11 more days, past it without an
    official date, official without a card, official with one. Returns the rows and the day
    the first one's probation is over."""
    from lib.cleaning.rules import probation_over_on
    from lib.vn.dates import PartialDate

    soon = today - timedelta(days=355)
    late = today - timedelta(days=400)
    over_on = probation_over_on(PartialDate.from_date(soon))
    rows = [
        f"Lê Thị Mai,079190000301,Nữ,01/02/1990,{PLACES},{soon:%d/%m/%Y},,,0903000301",
        f"Đỗ Văn Hùng,079091000302,Nam,02/03/1991,{PLACES},{late:%d/%m/%Y},,,0903000302",
        f"Vũ Thị Lan,079192000303,Nữ,03/04/1992,{PLACES},19/05/2015,19/05/2016,,0903000303",
        f"Hồ Văn Tâm,079093000304,Nam,04/05/1993,{PLACES},19/05/2016,19/05/2017,"
        "12340304,0903000304",
    ]
    return rows, over_on


def test_complete_needs_a_card_and_an_official_date_after_probation_and_follows_the_calendar(
    world: World, monkeypatch
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from campaigns.dashboard import figures_for
    from cleaning.services import batch_create
    from orgs.models import CountDelta, OrgCount

    today = timezone.localdate()
    campaign = _campaign(world)
    rows, over_on = _complete_rows(today)
    upload = SimpleUploadedFile("day-du.csv", "\n".join([COMPLETE_HEADER, *rows]).encode())
    batch = batch_create(org=world.cell, uploads=[upload], by=world.users["secretary"])
    batch_commit(batch=batch, by=world.users["secretary"])
    tick()

    def complete(day) -> int:
        return figures_for(campaign, [world.city], today=day)[0].quality["q_complete"]

    # The one still on probation and the official with a card; not the one past probation
    # without an official date, nor the official without a card.
    assert complete(today) == 2
    assert complete(over_on - timedelta(days=1)) == 2
    assert complete(over_on) == 1
    # The page reads the same figure on the day it is shown, with nothing written meanwhile.
    written = (OrgCount.objects.count(), CountDelta.objects.count(), Member.objects.count())
    url = f"/campaigns/{campaign.pk}/{world.city.code}/?live=1"
    page = world.client("city").get(url).content.decode()
    assert 'data-quality="complete">2<' in page
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: over_on)
    page = world.client("city").get(url).content.decode()
    assert 'data-quality="complete">1<' in page
    assert (OrgCount.objects.count(), CountDelta.objects.count(), Member.objects.count()) == (
        written
    )


def test_the_quality_counters_agree_with_a_rebuild_after_an_import_and_services(
    world: World,
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cleaning.services import batch_create
    from members.services import member_issue_card, member_recognise
    from orgs.models import OrgCount
    from orgs.rollups import rollups_rebuild

    today = timezone.localdate()
    rows, _over_on = _complete_rows(today)
    upload = SimpleUploadedFile("day-du.csv", "\n".join([COMPLETE_HEADER, *rows]).encode())
    batch = batch_create(org=world.cell, uploads=[upload], by=world.users["secretary"])
    batch_commit(batch=batch, by=world.users["secretary"])
    tick()
    late = Member.objects.get(cccd="079091000302")
    member_recognise(member=late, on=today)
    member_issue_card(
        member=Member.objects.get(cccd="079192000303"), card_number="12340303", on=today
    )
    tick()

    def snapshot() -> dict[tuple[int, str], int]:
        rows = OrgCount.objects.filter(key__startswith="q.").exclude(value=0)
        return {(o, k): v for o, k, v in rows.values_list("org_id", "key", "value")}

    live = snapshot()
    assert any(key.startswith("q.probation.") for _org, key in live)
    rollups_rebuild()
    assert snapshot() == live
