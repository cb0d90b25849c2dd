"""Member pages: the record, the event forms, and refusals shown on the field."""

from audit.models import AuditEvent
from conftest import World
from lib.vn.cccd import mask_cccd
from members.models import Member


def test_the_member_page_shows_the_record_and_is_audited(world: World) -> None:
    member = world.members[1]
    html = world.client("secretary").get(f"/members/{member.pk}/").content.decode()
    assert member.full_name in html and member.cccd in html
    assert "Kết nạp" in html and "tạo hồ sơ" in html
    assert AuditEvent.objects.filter(
        action="member.view.record", object_id=str(member.pk), actor=world.users["secretary"]
    ).exists()


def test_a_member_sees_their_own_record(world: World) -> None:
    response = world.client("member").get("/members/me/")
    assert response.status_code == 200 and world.members[0].full_name in response.content.decode()
    assert world.client("member").get(f"/members/{world.members[1].pk}/").status_code == 404


def test_a_viewer_sees_a_masked_cccd_on_the_page(world: World) -> None:
    from django.test import Client
    from django.utils import timezone

    from access.models import Grant, Role
    from accounts.models import User

    viewer = User.objects.create_user(username="v")
    Grant.objects.create(user=viewer, org=world.city, role=Role.VIEWER, granted_at=timezone.now())
    client = Client()
    client.force_login(viewer)
    html = client.get(f"/members/{world.members[1].pk}/").content.decode()
    assert world.members[1].cccd not in html
    assert client.get(f"/members/{world.members[1].pk}/edit/").status_code == 404


def test_the_create_form_adds_a_member(world: World) -> None:
    data = {
        "full_name": "Đặng Thị Hoà",
        "cccd": "079185012345",
        "sex": "F",
        "birth_date": "12/03/1985",
        "admission_date": "19/05/2010",
        "official_date": "19/05/2011",
        "phone": "0903 123 456",
    }
    response = world.client("secretary").post(f"/members/new/{world.cell.code}/", data)
    assert response.status_code == 302
    member = Member.objects.get(cccd="079185012345")
    assert member.phone == "+84903123456" and member.org_id == world.cell.id


def test_the_create_form_refuses_bad_input_naming_each_field(world: World) -> None:
    before = Member.objects.count()
    data = {
        "full_name": "X",
        "cccd": "79185012345",
        "sex": "M",
        "birth_date": "12/03/1985",
        "admission_date": "19/05/2000",
    }
    html = world.client("secretary").post(f"/members/new/{world.cell.code}/", data).content.decode()
    assert Member.objects.count() == before
    assert 'data-field="cccd"' in html and 'data-field="admission_date"' in html


def test_an_event_form_records_a_transfer(world: World) -> None:
    member = world.members[2]
    response = world.client("city").post(
        f"/members/{member.pk}/events/transfer/",
        {"to_code": world.other_cell.code, "on": "01/10/2025"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.org_id == world.other_cell.id


def test_an_event_form_refuses_a_cell_outside_the_editors_scope(world: World) -> None:
    member = world.members[2]
    html = (
        world.client("secretary")
        .post(
            f"/members/{member.pk}/events/transfer/",
            {"to_code": world.other_cell.code, "on": "01/10/2025"},
        )
        .content.decode()
    )
    assert 'data-field="to_code"' in html
    member.refresh_from_db()
    assert member.org_id == world.cell.id


def test_an_unknown_event_is_not_found(world: World) -> None:
    assert (
        world.client("city").get(f"/members/{world.members[1].pk}/events/fly/").status_code == 404
    )


def test_the_edit_form_keeps_history(world: World) -> None:
    member = world.members[1]
    form = world.client("secretary").get(f"/members/{member.pk}/edit/")
    assert form.status_code == 200
    data = {k: v for k, v in form.context["form"].initial.items() if v not in (None,)}
    for key in ("birth_date", "admission_date", "official_date"):
        if data.get(key):
            data[key] = data[key].strftime("%d/%m/%Y")
    data["residence"] = "Phường Sài Gòn"
    response = world.client("secretary").post(f"/members/{member.pk}/edit/", data)
    assert response.status_code == 302
    assert member.field_changes.filter(field="residence", new_value="Phường Sài Gòn").exists()


def test_a_viewer_cannot_recover_masked_digits_by_searching_their_beginning(world: World) -> None:
    """A viewer sees CCCDs masked; searching by their first digits would read them back."""
    member = world.members[1]
    url = f"/orgs/{world.ward.code}/members/"
    viewer, editor = world.client("viewer"), world.client("approver")
    by_prefix = viewer.get(url, {"q": member.cccd[:8]}).content.decode()
    assert member.full_name not in by_prefix
    whole = viewer.get(url, {"q": member.cccd}).content.decode()
    assert member.full_name in whole and mask_cccd(member.cccd) in whole
    assert member.full_name in editor.get(url, {"q": member.cccd[:8]}).content.decode()


def test_the_form_the_import_the_export_and_the_api_follow_one_list_of_fields() -> None:
    from api.api import MemberRecordOut
    from cleaning.exports import EXPORT_FIELDS
    from lib.cleaning.columns import FIELDS
    from lib.record import IMPORTED, NAMES, TYPED
    from members.forms import MemberForm

    assert list(MemberForm.base_fields) == list(TYPED)
    assert FIELDS[: len(IMPORTED)] == IMPORTED
    assert EXPORT_FIELDS[1 : 1 + len(NAMES)] == list(NAMES)
    assert set(NAMES) <= set(MemberRecordOut.model_fields)


def test_a_name_typed_in_lower_case_is_saved_as_the_import_would_save_it(world: World) -> None:
    from conftest import person
    from members.services import member_create

    member = member_create(org=world.cell, data=person(60, full_name="  nguyễn   văn  an "))
    assert member.full_name == "Nguyễn Văn An"
