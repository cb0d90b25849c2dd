"""The tree browser and the member list, through HTTP."""

import re

from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from audit.models import AuditEvent
from conftest import World, person
from core.tick import tick
from members.models import Member
from members.selectors import FOUND_AT_MOST, Found
from members.services import member_create


def _table(response) -> str:
    html = response.content.decode()
    return html[html.index('id="members"') : html.index("</table>", html.index('id="members"'))]


def test_it_shows_children_with_live_counts(world: World) -> None:
    response = world.client("city").get(f"/orgs/{world.city.code}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert world.ward.name in html and world.other_ward.name in html
    assert 'data-counter="members">5<' in html
    # A cell under a grassroots committee and a grassroots cell are both party cells.
    assert 'data-counter="cells">2<' in html


def test_each_child_row_counts_every_kind_of_party_cell(world: World) -> None:
    from orgs.models import Kind, Org

    html = world.client("city").get(f"/orgs/{world.city.code}/").content.decode()
    # The ward's cell is under a grassroots committee; the other ward's is a grassroots cell.
    for ward in (world.ward, world.other_ward):
        row = html.split(f">{ward.name}</a>", 1)[1].split("</tr>", 1)[0]
        members, _probationary, cells = re.findall(r'<td class="text-end">([^<]*)</td>', row)
        expected = Org.objects.filter(
            path__startswith=ward.path, kind__in=[Kind.CELL, Kind.GRASSROOTS_CELL]
        ).count()
        assert expected >= 1 and cells == str(expected)
        assert members == str(Member.objects.filter(org_path__startswith=ward.path).count())


def test_the_counts_follow_a_new_member(world: World) -> None:
    member_create(org=world.cell, data=person(50))
    tick()
    html = world.client("ward").get(f"/orgs/{world.ward.code}/").content.decode()
    assert 'data-counter="members">5<' in html


def test_the_page_costs_the_same_queries_at_the_root_and_at_a_cell(world: World) -> None:
    client = world.client("central")
    client.get(f"/orgs/{world.root.code}/")  # warm the session
    counts = []
    for org in (world.root, world.cell):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/orgs/{org.code}/").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] and counts[0] <= 14, counts


def test_it_finds_members_without_diacritics(world: World) -> None:
    member_create(org=world.cell, data=person(51, full_name="Nguyễn Thị Thuỷ"))
    html = (
        world.client("ward")
        .get(f"/orgs/{world.ward.code}/members/?q=nguyen+thi+thuy")
        .content.decode()
    )
    assert "Nguyễn Thị Thuỷ" in html and "Trần Thị Bình" not in html


def test_it_finds_a_member_by_cccd_and_masks_it_for_viewers(world: World) -> None:
    target = world.members[1]
    client = world.client("viewer")
    html = _table(client.get(f"/orgs/{world.ward.code}/members/?q={target.cccd}"))
    assert target.full_name in html and target.cccd not in html and target.cccd[:3] + "*" in html
    editor_html = _table(
        world.client("ward").get(f"/orgs/{world.ward.code}/members/?q={target.cccd}")
    )
    assert target.cccd in editor_html


def test_listing_members_is_audited_without_a_full_cccd(world: World) -> None:
    cccd = world.members[1].cccd
    world.client("ward").get(f"/orgs/{world.ward.code}/members/?q={cccd}")
    event = AuditEvent.objects.filter(action="member.list").latest("id")
    assert cccd not in str(event.detail) and event.detail["members"] == [world.members[1].pk]


def test_it_sorts_members_the_vietnamese_way(world: World) -> None:
    html = world.client("ward").get(f"/orgs/{world.ward.code}/members/").content.decode()
    # An < Bình < Cường < Thuỷ: by given name, not by surname.
    positions = [
        html.index(name)
        for name in ("Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "Phạm Thị Thuỷ")
    ]
    assert positions == sorted(positions)


def test_a_page_number_that_names_no_page_is_a_404(world: World) -> None:
    # partyorg/tests/test_numeric_params.py calls every such parameter with many more.
    assert world.client("ward").get(f"/orgs/{world.ward.code}/members/?page=abc").status_code == 404
    assert world.client("ward").get(f"/orgs/{world.ward.code}/members/?page=-4").status_code == 404


def test_the_member_list_says_how_many_it_found(world: World) -> None:
    for q, n in (("", 4), ("nguyen van", 1), (world.members[1].cccd[:6], 1), ("xyz", 0)):
        html = world.client("ward").get(f"/orgs/{world.ward.code}/members/", {"q": q})
        found = re.search(r'id="found"[^>]*>([^<]*)<', html.content.decode())
        assert found is not None
        assert found.group(1) == (f"Tìm thấy {n} đảng viên." if n else ""), (q, found.group(1))


def test_a_list_longer_than_its_page_is_counted_whole(world: World, settings) -> None:
    def counting(queries: list[dict[str, str]]) -> list[str]:
        # The subtree's counters, or a search counted up to FOUND_AT_MOST + 1.
        cap = f"LIMIT {FOUND_AT_MOST + 1}"
        return [q["sql"] for q in queries if "orgs_orgcount" in q["sql"] or cap in q["sql"]]

    settings.PARTYORG_PAGE_SIZE = 1
    client = world.client("ward")
    for q, n in (("", 4), ("thi", 2)):
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(f"/orgs/{world.ward.code}/members/", {"q": q}).content.decode()
        assert f"Tìm thấy {n} đảng viên." in html, q
        assert counting(ctx.captured_queries), q
    # A first page that holds the whole list counts it without asking the database.
    settings.PARTYORG_PAGE_SIZE = 50
    for q, n in (("", 4), ("thi", 2)):
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(f"/orgs/{world.ward.code}/members/", {"q": q}).content.decode()
        assert f"Tìm thấy {n} đảng viên." in html, q
        assert not counting(ctx.captured_queries), q


def test_the_count_is_grouped_by_thousands_and_says_when_it_stopped_counting() -> None:
    def shown(found: Found, language: str) -> str:
        with translation.override(language):
            html = render_to_string("members/_member_rows.html", {"found": found, "page": 1})
        return html[html.index('id="found"') :].split(">", 1)[1].split("<", 1)[0]

    assert shown(Found(1234, exact=True), "vi") == "Tìm thấy 1.234 đảng viên."
    assert shown(Found(1_000, exact=False), "vi") == "Tìm thấy hơn 1.000 đảng viên."
    assert shown(Found(1, exact=True), "en") == "Found 1 member."
    assert shown(Found(1234, exact=True), "en") == "Found 1,234 members."
    assert shown(Found(1_000, exact=False), "en") == "Found more than 1,000 members."


def test_the_member_list_costs_the_same_queries_at_the_city_and_at_a_cell(world: World) -> None:
    client = world.client("central")
    client.get(f"/orgs/{world.city.code}/members/")  # warm the session
    for q in ("", "nguyen", world.members[1].cccd[:5], "xyz"):
        counts = []
        for org in (world.city, world.cell):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(f"/orgs/{org.code}/members/", {"q": q})
                assert response.status_code == 200
            counts.append(len(ctx.captured_queries))
        assert counts[0] == counts[1], (q, counts)


def test_it_creates_a_child_organisation_through_the_form(world: World) -> None:
    response = world.client("ward").post(
        f"/orgs/{world.grassroots.code}/new/",
        {
            "code": "79.26734.001.02",
            "name": "Chi bộ Giáo viên 2",
            "kind": "cell",
            "on": "01/09/2025",
        },
    )
    assert response.status_code == 302
    assert world.client("ward").get("/orgs/79.26734.001.02/").status_code == 200


def test_the_form_names_the_bad_field_and_changes_nothing(world: World) -> None:
    from orgs.models import Org

    before = Org.objects.count()
    response = world.client("ward").post(
        f"/orgs/{world.grassroots.code}/new/",
        {"code": world.cell.code, "name": "", "kind": "cell", "on": "31/02/2025"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and Org.objects.count() == before
    assert 'data-field="name"' in html and 'data-field="on"' in html


def test_the_live_partial_refreshes_only_the_counters(world: World) -> None:
    member_create(org=world.cell, data=person(52))
    tick()
    response = world.client("ward").get(f"/orgs/{world.ward.code}/?live=1")
    html = response.content.decode()
    assert 'data-counter="members">5<' in html and "<html" not in html
