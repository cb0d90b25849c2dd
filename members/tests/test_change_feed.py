"""GET /api/v1/changes: member writes in a stable order, scoped by the API token, idempotent."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from access.services import api_token_create
from conftest import World, person
from core.tick import tick
from members.services import member_create, member_transfer, member_update


def _token(world: World, org, *, can_write: bool = False) -> str:
    _token_row, secret = api_token_create(
        by=world.users["central"],
        org=org,
        name="sổ tay",
        can_write=can_write,
        expires_at=timezone.now() + timedelta(days=30),
    )
    return secret


def _feed(secret: str, after: int = 0) -> dict:
    tick()
    response = Client().get(f"/api/v1/changes?after={after}", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200, response.content
    return response.json()


def test_it_lists_changes_in_order_and_resumes_after_the_cursor(world: World) -> None:
    secret = _token(world, world.ward)
    first = _feed(secret)
    ids = [item["member"]["id"] for item in first["items"]]
    assert set(ids) == {m.pk for m in world.members}
    assert [item["cursor"] for item in first["items"]] == sorted(
        item["cursor"] for item in first["items"]
    )
    member_update(member=world.members[1], changes={"residence": "Phường Sài Gòn"})
    new = member_create(org=world.cell, data=person(60))
    second = _feed(secret, first["next"])
    assert [(i["action"], i["member"]["id"]) for i in second["items"]] == [
        ("member.update", world.members[1].pk),
        ("member.create", new.pk),
    ]
    assert second["items"][0]["member"]["residence"] == "Phường Sài Gòn"
    assert _feed(secret, second["next"])["items"] == []
    # Asking for the same page again gives the same answer.
    assert _feed(secret, first["next"])["items"] == second["items"]


def test_it_shows_only_the_tokens_subtree_and_masks_the_cccd(world: World) -> None:
    secret = _token(world, world.other_ward)
    items = _feed(secret)["items"]
    assert {i["member"]["id"] for i in items} == {world.stranger.pk}
    assert items[0]["member"]["cccd"] != world.stranger.cccd and items[0]["member"][
        "cccd"
    ].startswith(world.stranger.cccd[:3])
    writer = _token(world, world.other_ward, can_write=True)
    assert _feed(writer)["items"][0]["member"]["cccd"] == world.stranger.cccd


def test_a_member_transferred_in_appears_in_the_new_units_feed(world: World) -> None:
    secret = _token(world, world.other_ward)
    start = _feed(secret)["next"]
    member_transfer(member=world.members[2], to_org=world.other_cell, on=timezone.localdate())
    items = _feed(secret, start)["items"]
    assert [(i["action"], i["member"]["org_code"]) for i in items] == [
        ("member.transfer", world.other_cell.code)
    ]


def test_it_refuses_without_a_token(world: World) -> None:
    assert Client().get("/api/v1/changes").status_code == 401


def test_members_written_by_an_import_appear_in_the_feed(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cleaning.commit import batch_commit
    from cleaning.services import batch_create

    secret = _token(world, world.ward)
    start = _feed(secret)["next"]
    upload = SimpleUploadedFile(
        "chibo.csv",
        "Họ và tên,Số CCCD,Giới tính,Ngày sinh,Ngày vào Đảng\n"
        "Lê Văn Tám,079090000555,Nam,02/09/1990,03/02/2015\n".encode(),
    )
    batch = batch_create(org=world.cell, uploads=[upload], by=world.users["secretary"])
    batch_commit(batch=batch, by=world.users["secretary"])
    items = _feed(secret, start)["items"]
    assert [(i["action"], i["member"]["full_name"]) for i in items] == [
        ("member.import", "Lê Văn Tám")
    ]


def test_a_member_transferred_out_leaves_the_old_units_feed_without_their_record(
    world: World,
) -> None:
    from members.services import members_transfer_bulk

    ward, city = _token(world, world.ward), _token(world, world.city)
    ward_start, city_start = _feed(ward)["next"], _feed(city)["next"]
    moved, bulk = world.members[2], world.members[3]
    member_transfer(member=moved, to_org=world.other_cell, on=timezone.localdate())
    members_transfer_bulk(members=[bulk], to_org=world.other_cell, on=timezone.localdate())
    page = _feed(ward, ward_start)
    items = page["items"]
    # The ward's copy must drop them: it is told so, and told nothing more about them.
    assert [(i["action"], i["member_id"], i["member"]) for i in items] == [
        ("member.left_scope", moved.pk, None),
        ("member.left_scope", bulk.pk, None),
    ]
    # The city sees both units: an ordinary transfer, with the record.
    assert [
        (i["action"], i["member_id"], i["member"]["org_code"])
        for i in _feed(city, city_start)["items"]
    ] == [
        ("member.transfer", moved.pk, world.other_cell.code),
        ("member.transfer", bulk.pk, world.other_cell.code),
    ]
    # Back in the ward: its feed carries them again, whole.
    member_transfer(member=moved, to_org=world.cell, on=timezone.localdate())
    latest = _feed(ward, page["next"])["items"]
    assert [(i["action"], i["member"]["id"]) for i in latest] == [("member.transfer", moved.pk)]


def test_a_transfer_recorded_before_its_old_path_was_kept_is_placed_by_its_code(
    world: World,
) -> None:
    from audit.services import audit_log
    from members.models import Member

    ward = _token(world, world.ward)
    start = _feed(ward)["next"]
    moved = world.members[2]
    # As earlier transfers were audited: the old unit's code, not its path.
    Member.objects.filter(pk=moved.pk).update(org=world.other_cell, org_path=world.other_cell.path)
    audit_log(
        actor=None,
        action="member.transfer",
        object_type="member",
        object_id=moved.pk,
        detail={"from": world.cell.code, "to": world.other_cell.code, "temporary": False},
    )
    assert [(i["action"], i["member_id"]) for i in _feed(ward, start)["items"]] == [
        ("member.left_scope", moved.pk)
    ]
