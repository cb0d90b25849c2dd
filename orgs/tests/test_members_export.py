"""The members page's list, exported to xlsx with its filters: scoped, masked as on screen,
neutralised, audited and rate-limited."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from audit.models import AuditEvent
from conftest import World
from lib.vn.cccd import mask_cccd
from members.services import member_update

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _export(client: Client, code: str, query: str = "") -> list[dict[str, object]]:
    response = client.get(f"/orgs/{code}/members/export.xlsx{query}")
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == f'attachment; filename="dang-vien-{code}.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    stamp, header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert "Xuất bởi" in str(stamp[0])
    return [dict(zip(header, row, strict=True)) for row in rows]


@pytest.mark.parametrize(("persona", "masked"), [("viewer", True), ("approver", False)])
def test_it_masks_cccds_in_the_file_where_the_page_masks_them(
    world: World, persona: str, masked: bool
) -> None:
    client = world.client(persona)
    member = world.members[0]
    shown = mask_cccd(member.cccd) if masked else member.cccd
    page = client.get(f"/orgs/{world.ward.code}/members/").content.decode()
    assert shown in page and (member.cccd not in page) == masked
    rows = {r["Mã hồ sơ"]: r for r in _export(client, world.ward.code)}
    assert rows[member.pk]["Số CCCD"] == shown


def test_it_writes_an_audit_row_naming_the_members_exported(world: World) -> None:
    _export(world.client("secretary"), world.cell.code, "?q=an")
    event = AuditEvent.objects.get(action="member.export")
    assert event.actor == world.users["secretary"] and event.object_id == world.cell.code
    detail = event.detail
    assert detail["format"] == "xlsx" and detail["q"] == "an" and detail["cccd_masked"] is False
    assert detail["rows"] == len(detail["members"]) > 0
    assert set(detail["members"]) <= {m.pk for m in world.members}


def test_it_neutralises_what_was_typed(world: World) -> None:
    member = world.members[2]
    member_update(member=member, changes={"residence": '=HYPERLINK("http://x.example","y")'})
    rows = {r["Mã hồ sơ"]: r for r in _export(world.client("ward"), world.ward.code)}
    assert rows[member.pk]["Nơi ở hiện nay"] == '\'=HYPERLINK("http://x.example","y")'


def test_it_exports_nothing_outside_the_viewers_subtree(world: World) -> None:
    url = f"/orgs/{world.ward.code}/members/export.xlsx"
    for persona in ("secretary", "member", "outsider"):
        assert world.client(persona).get(url).status_code == 404, persona
    assert not AuditEvent.objects.filter(action="member.export").exists()


def test_it_is_rate_limited_per_person(world: World, settings) -> None:
    from django.core.cache import cache

    cache.clear()
    settings.PARTYORG_RATE_LIMITS = {**settings.PARTYORG_RATE_LIMITS, "members:list_export": 2}
    url = f"/orgs/{world.ward.code}/members/export.xlsx"
    client = world.client("ward")
    assert [client.get(url).status_code for _i in range(3)] == [200, 200, 429]
    assert world.client("city").get(url).status_code == 200


def test_it_sends_a_list_too_long_back_to_be_filtered(world: World, settings) -> None:
    settings.PARTYORG_EXPORT_MAX_ROWS = 2
    response = world.client("ward").get(
        f"/orgs/{world.ward.code}/members/export.xlsx?status=all", follow=True
    )
    assert response.redirect_chain[-1][0] == f"/orgs/{world.ward.code}/members/?status=all"
    assert "hãy lọc bớt" in response.content.decode()
    assert not AuditEvent.objects.filter(action="member.export").exists()


def test_the_page_links_to_the_export_of_what_it_shows(world: World) -> None:
    html = world.client("ward").get(f"/orgs/{world.ward.code}/members/?q=an&sex=M").content
    assert f"/orgs/{world.ward.code}/members/export.xlsx?q=an&status=active&sex=M" in (
        html.decode()
    )
