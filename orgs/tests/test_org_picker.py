"""The organisation picker: suggestions by name within the viewer's scope, and what a form makes
of a name or a code typed or picked."""

from django.utils import timezone

from conftest import World
from members.models import Member
from orgs.models import Kind
from orgs.services import org_create


def _suggested(world: World, persona: str, q: str, **params: str) -> str:
    response = world.client(persona).get(
        "/orgs/pick/", {"field": "to_code", "to_code_search": q, **params}
    )
    assert response.status_code == 200
    return response.content.decode()


def test_it_suggests_organisations_by_name_without_diacritics_within_scope(world: World) -> None:
    html = _suggested(world, "central", "chi bo", role="editor", cells="1")
    assert world.cell.name in html and world.other_cell.name in html
    assert world.ward.name not in html.split("·")[0]  # committees are not cells
    ward_html = _suggested(world, "ward", "chi bo", role="editor", cells="1")
    assert world.cell.name in ward_html and world.other_cell.name not in ward_html


def test_it_suggests_only_where_the_role_is_held(world: World) -> None:
    assert world.cell.name in _suggested(world, "viewer", "giao vien", role="viewer")
    assert world.cell.name not in _suggested(world, "viewer", "giao vien", role="editor")


def test_a_member_without_grants_gets_no_suggestions(world: World) -> None:
    response = world.client("member").get("/orgs/pick/", {"q": "chi bo", "role": "viewer"})
    assert response.status_code == 404


def test_a_transfer_takes_the_cell_by_its_name(world: World) -> None:
    member = world.members[1]
    response = world.client("central").post(
        f"/members/{member.pk}/events/transfer/",
        {"to_code_search": "chi bo khu pho 1", "on": timezone.localdate().strftime("%d/%m/%Y")},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.org_id == world.other_cell.id


def test_a_name_several_cells_share_asks_which_and_changes_nothing(world: World) -> None:
    org_create(code="X9", name="Chi bộ Khu phố 1", kind=Kind.CELL, parent=world.grassroots)
    member = world.members[1]
    response = world.client("central").post(
        f"/members/{member.pk}/events/transfer/",
        {"to_code_search": "Chi bộ Khu phố 1", "on": timezone.localdate().strftime("%d/%m/%Y")},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Có nhiều tổ chức khớp" in html
    assert world.other_ward.name in html and world.grassroots.name in html
    assert Member.objects.get(pk=member.pk).org_id == world.cell.id


def test_a_cell_outside_the_editors_scope_is_not_found(world: World) -> None:
    member = world.members[1]
    response = world.client("secretary").post(
        f"/members/{member.pk}/events/transfer/",
        {"to_code": world.other_cell.code, "on": timezone.localdate().strftime("%d/%m/%Y")},
    )
    assert response.status_code == 200 and "Không tìm thấy" in response.content.decode()
    assert Member.objects.get(pk=member.pk).org_id == world.cell.id
