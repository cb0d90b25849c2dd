"""Access for a whole level at once: the sheet's dry run, its application in one transaction,
and every bad row refused by name, nothing half-written."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from access.models import Grant, Role
from accounts.models import User
from audit.models import AuditEvent
from conftest import World
from lib.cleaning.export import XlsxBook
from lib.vn.cccd import make_cccd
from rollout.models import Official
from rollout.services import official_by_invite, sheet_apply, sheet_upload
from rollout.sheet import TEMPLATE_HEADERS, check_sheet

A = make_cccd(79, "M", 1980, 1)
B = make_cccd(79, "F", 1985, 2)
C = make_cccd(1, "M", 1975, 3)
FUTURE = (timezone.localdate() + timedelta(days=200)).strftime("%d/%m/%Y")
PAST = (timezone.localdate() - timedelta(days=1)).strftime("%d/%m/%Y")


def xlsx(rows: list[list[str]]) -> bytes:
    buffer = io.BytesIO()
    book = XlsxBook(buffer)
    sheet = book.sheet("Cán bộ")
    sheet.write(0, 0, "DANH SÁCH CÁN BỘ ĐƯỢC CẤP TÀI KHOẢN")
    sheet.write_row(2, TEMPLATE_HEADERS)
    for r, row in enumerate(rows, start=3):
        sheet.write_row(r, row)
    book.close()
    return buffer.getvalue()


def good_rows(w: World) -> list[list[str]]:
    return [
        [A, "Nguyễn Văn Hùng", w.grassroots.code, "Cập nhật", FUTURE, "0901234567", "h@x.vn"],
        [A, "Nguyễn Văn Hùng", w.grassroots.code, "Phê duyệt", "", "", ""],
        [B, "Trần Thị Mai", "Chi bộ Giáo viên 1", "editor", "", "", ""],
    ]


def test_a_good_sheet_runs_dry_then_applies_once(world: World) -> None:
    ward = world.users["ward"]
    check = check_sheet(by=ward, data=xlsx(good_rows(world)), name="can-bo.xlsx")
    assert check.ok, [r.errors for r in check.rows]
    assert [r.row for r in check.rows] == [4, 5, 6]
    assert {r.action for r in check.rows} == {"new"}
    assert not Official.objects.exists()  # a dry run writes nothing

    upload = sheet_upload(by=ward, name="can-bo.xlsx", data=xlsx(good_rows(world)), ctx=None)
    _check, done, invites = sheet_apply(by=ward, upload=upload)
    assert done == {"new": 2, "grant": 3, "expiry": 0, "same": 0}
    # No e-ID configured: each new local account gets its first-login link.
    assert len(invites) == 2
    assert official_by_invite(invites[0][1]) == invites[0][0]
    hung = User.objects.get(cccd=A)
    assert set(Grant.objects.filter(user=hung).values_list("role", flat=True)) == {
        Role.EDITOR,
        Role.APPROVER,
    }
    assert AuditEvent.objects.filter(action="rollout.sheet.apply").count() == 1

    # The same sheet again: nothing changes.
    again = sheet_upload(by=ward, name="can-bo.xlsx", data=xlsx(good_rows(world)), ctx=None)
    check2, done2, invites2 = sheet_apply(by=ward, upload=again)
    assert {r.action for r in check2.rows} == {"same"}
    assert done2 == {"new": 0, "grant": 0, "expiry": 0, "same": 3}
    assert invites2 == []
    assert Grant.objects.filter(user__cccd__in=[A, B]).count() == 3


def test_an_e_id_login_finds_the_grants_waiting(world: World, settings) -> None:
    settings.OIDC_ISSUER, settings.OIDC_CLIENT_ID = "https://eid.example", "partyorg"
    from accounts.services import user_from_eid

    upload = sheet_upload(
        by=world.users["ward"], name="a.xlsx", data=xlsx(good_rows(world)), ctx=None
    )
    _check, _done, invites = sheet_apply(by=world.users["ward"], upload=upload)
    assert invites == []  # e-ID: no local account links
    # Not in the member registry, yet their first level-2 e-ID login is theirs.
    user = user_from_eid(cccd=B, level=2)
    assert user is not None and user.official.full_name == "Trần Thị Mai"
    assert list(Grant.objects.filter(user=user).values_list("org__code", flat=True)) == [
        world.cell.code
    ]


BAD = [
    ("cccd", ["12345", "Lê Văn Sai", "79.26734.001", "Xem", "", "", ""]),
    ("org", [C, "Lê Văn Ngoài", "79.26740", "Xem", "", "", ""]),  # the other ward
    ("org", [C, "Lê Văn Trên", "79", "Xem", "", "", ""]),  # the city above
    ("role", [C, "Lê Văn Vượt", "79.26734", "Quản trị", "", "", ""]),  # admin at own level
    ("expires", [C, "Lê Văn Cũ", "79.26734.001", "Xem", PAST, "", ""]),
    ("role", [C, "Lê Văn Lạ", "79.26734.001", "Chủ tịch", "", "", ""]),
]


@pytest.mark.parametrize(("column", "row"), BAD)
def test_a_bad_row_is_refused_by_name_and_nothing_is_written(
    world: World, column: str, row: list[str]
) -> None:
    ward = world.users["ward"]
    data = xlsx([*good_rows(world), row])
    check = check_sheet(by=ward, data=data, name="x.xlsx")
    assert not check.ok
    bad = [r for r in check.rows if r.errors]
    assert [r.row for r in bad] == [7]
    assert bad[0].errors[0][0] == column
    upload = sheet_upload(by=ward, name="x.xlsx", data=data, ctx=None)
    with pytest.raises(ValidationError):
        sheet_apply(by=ward, upload=upload)
    assert not Official.objects.exists()
    assert not User.objects.filter(cccd__in=[A, B, C]).exists()


def test_roles_are_read_in_either_language_whatever_the_page_speaks() -> None:
    from django.utils import translation

    from rollout.sheet import role_of

    with translation.override("en"):
        assert [role_of(t) for t in ("Cập nhật", "phe duyet", "Admin", "viewer", "Chủ tịch")] == [
            "editor",
            "approver",
            "admin",
            "viewer",
            None,
        ]


def test_a_duplicate_row_is_refused(world: World) -> None:
    rows = good_rows(world)
    check = check_sheet(by=world.users["ward"], data=xlsx([*rows, rows[0]]), name="d.xlsx")
    assert [(r.row, r.errors[0][0]) for r in check.rows if r.errors] == [(7, "")]
    assert "Trùng dòng 4" in check.rows[-1].errors[0][1]


def test_an_admin_never_grants_outside_their_subtree_or_above_their_role(world: World) -> None:
    # The ward's approver may not give anything; the ward's admin nothing above or beside it.
    for persona in ("approver", "viewer"):
        check = check_sheet(by=world.users[persona], data=xlsx(good_rows(world)), name="a.xlsx")
        assert all(r.errors and r.errors[0][0] == "org" for r in check.rows)
    rows = [[A, "Nguyễn Văn Hùng", world.city.code, "Xem", "", "", ""]]
    check = check_sheet(by=world.users["ward"], data=xlsx(rows), name="a.xlsx")
    assert check.rows[0].errors[0][0] == "org"


def test_a_file_that_is_no_sheet_is_refused(world: World) -> None:
    check = check_sheet(by=world.users["ward"], data=b"\x89PNG\r\n\x1a\nxx", name="a.xlsx")
    assert check.error and not check.ok


def test_the_page_checks_then_applies(world: World) -> None:
    client = world.client("ward")
    page = client.get(reverse("rollout:officials"))
    assert page.status_code == 200
    upload = io.BytesIO(xlsx(good_rows(world)))
    upload.name = "can-bo.xlsx"
    response = client.post(reverse("rollout:officials"), {"upload": "1", "sheet": upload})
    assert response.status_code == 302
    dry = client.get(response["Location"])
    assert "Áp dụng" in dry.content.decode()
    assert not Official.objects.exists()
    applied = client.post(response["Location"])
    assert applied.status_code == 200
    assert Official.objects.count() == 2
    assert "/rollout/first-login/" in applied.content.decode()


def test_one_official_from_the_page_with_the_picker(world: World) -> None:
    client = world.client("ward")
    response = client.post(
        reverse("rollout:officials"),
        {
            "one": "1",
            "one-cccd": C,
            "one-full_name": "Lê Văn Một",
            "one-org": world.cell.code,
            "one-role": "editor",
            "one-expires_on": "",
        },
    )
    assert response.status_code == 200, response.content[:500]
    assert "/rollout/first-login/" in response.content.decode()
    assert Grant.objects.filter(user__cccd=C, org=world.cell, role="editor").exists()
    bad = client.post(
        reverse("rollout:officials"),
        {
            "one": "1",
            "one-cccd": "123",
            "one-full_name": "X",
            "one-org": world.cell.code,
            "one-role": "editor",
        },
    )
    assert "one-cccd" in bad.content.decode() or "CCCD" in bad.content.decode()
    assert not User.objects.filter(first_name="X").exists()


def test_the_first_login_link_sets_a_password_once_then_the_second_factor(world: World) -> None:
    upload = sheet_upload(
        by=world.users["ward"], name="a.xlsx", data=xlsx(good_rows(world)), ctx=None
    )
    _check, _done, invites = sheet_apply(by=world.users["ward"], upload=upload)
    official, secret = invites[0]
    from django.test import Client

    client = Client()
    url = reverse("rollout:first_login", args=[secret])
    assert client.get(url).status_code == 200
    response = client.post(url, {"password": "mot-mat-khau-dai", "password2": "mot-mat-khau-dai"})
    assert response["Location"] == reverse("accounts:otp_setup")
    assert client.get(reverse("accounts:otp_setup")).status_code == 200
    assert Client().get(url).status_code == 404  # single use
    official.refresh_from_db()
    assert official.user.check_password("mot-mat-khau-dai")


def test_an_admin_renews_a_first_login_link_within_their_subtree(world: World) -> None:
    upload = sheet_upload(
        by=world.users["ward"], name="a.xlsx", data=xlsx(good_rows(world)), ctx=None
    )
    _check, _done, invites = sheet_apply(by=world.users["ward"], upload=upload)
    official, old = invites[0]
    page = world.client("ward").get(reverse("rollout:officials")).content.decode()
    assert official.full_name in page and "Chờ đăng nhập lần đầu" in page
    url = reverse("rollout:invite_renew", args=[official.pk])
    assert world.client("approver").post(url).status_code == 404
    response = world.client("ward").post(url)
    assert "/rollout/first-login/" in response.content.decode()
    assert official_by_invite(old) is None
    assert world.client("city").post(url).status_code == 200


def test_an_applied_sheet_keeps_no_personal_data(world: World) -> None:
    upload = sheet_upload(
        by=world.users["ward"], name="a.xlsx", data=xlsx(good_rows(world)), ctx=None
    )
    sheet_apply(by=world.users["ward"], upload=upload)
    upload.refresh_from_db()
    assert bytes(upload.data) == b"" and upload.applied_at is not None
    response = world.client("ward").get(reverse("rollout:sheet", args=[upload.pk]))
    assert response["Location"] == reverse("rollout:officials")
