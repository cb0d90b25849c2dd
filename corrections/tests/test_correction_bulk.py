"""Corrections for many members from a spreadsheet: a dry run with a message per row, then all
the requests filed in one transaction, or none."""

import io
from collections.abc import Sequence

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from conftest import World
from corrections.models import Request

pytestmark = pytest.mark.django_db


def _sheet(rows: Sequence[Sequence[object]]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Số CCCD", "Thông tin", "Giá trị đúng", "Lý do"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("dinh-chinh.xlsx", buffer.getvalue())


def test_a_dry_run_names_each_bad_row_and_files_nothing(world: World) -> None:
    good, other = world.members[1], world.members[2]
    rows: list[list[object]] = [
        # Excel dropped the leading zero: the import's own reading puts it back.
        [int(good.cccd), "Điện thoại", "0912000111", "Số mới"],
        [other.cccd, "Tôn giáo", "Phật giáo", "sai"],
        [world.stranger.cccd, "Điện thoại", "0912000222", "Số mới"],
        [other.cccd, "Ngày sinh", "31/02/1970", "Giấy khai sinh"],
    ]
    url = reverse("corrections:import", args=[world.ward.code])
    page = world.client("ward").post(url, {"file": _sheet(rows), "apply": "on"}).content.decode()
    assert "3 dòng có lỗi" in page
    assert "không đính chính qua yêu cầu" in page
    assert "Không có đảng viên có số CCCD này trong đơn vị" in page
    assert not Request.objects.exists()


def test_a_clean_file_is_filed_at_once(world: World) -> None:
    rows: list[list[object]] = [
        [world.members[1].cccd, "Điện thoại", "0912000111", "Số mới"],
        [world.members[2].cccd, "Thư điện tử", "binh@example.vn", "Bổ sung"],
    ]
    url = reverse("corrections:import", args=[world.ward.code])
    page = world.client("ward").post(url, {"file": _sheet(rows)}).content.decode()
    assert "Mọi dòng hợp lệ" in page and not Request.objects.exists()
    response = world.client("ward").post(url, {"file": _sheet(rows), "apply": "on"})
    assert response.status_code == 302
    assert Request.objects.count() == 2


def test_a_file_that_is_not_a_spreadsheet_is_refused(world: World) -> None:
    url = reverse("corrections:import", args=[world.ward.code])
    upload = SimpleUploadedFile("dinh-chinh.xlsx", b"MZ not a workbook")
    page = world.client("ward").post(url, {"file": upload}).content.decode()
    assert "dinh-chinh.xlsx" in page and "text-danger" in page
