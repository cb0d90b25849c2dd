"""Every export writes text a spreadsheet would run as a formula neutralised (a leading
apostrophe), and keeps E.164 phones and negative numbers exactly (lib.cleaning.export)."""

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from campaigns.services import campaign_create
from cleaning import services
from cleaning.annotated import ORIGINAL, PROPOSED, annotated_workbook, apply_annotated, field_label
from conftest import World
from core.tick import tick
from lib.cleaning.shown import shown_value
from orgs.models import Org

LINK = '=HYPERLINK("http://x.example","bấm vào đây")'
SUM = "@SUM(1)"
CMD = "+cmd|' /C calc'!A0"
PHONE = "+84912345678"


def _rows(content: bytes, sheet: int = 0) -> list[list[object]]:
    book = load_workbook(io.BytesIO(content))
    return [list(r) for r in book.worksheets[sheet].iter_rows(values_only=True)]


def test_the_annotated_workbook_neutralises_typed_and_proposed_text(world: World) -> None:
    header = "STT,Họ và tên,Số CCCD,Giới tính,Ngày sinh,Ngày vào Đảng,Điện thoại,Nơi ở hiện nay,Ghi chú\n"
    line = f'1,Nguyễn Thị Hoà,079185000101,Nữ,12/03/1985,19/05/2010,{PHONE},"{LINK.replace('"', '""')}",{SUM}\n'
    batch = services.batch_create(
        org=world.cell,
        uploads=[SimpleUploadedFile("chibo.csv", (header + line).encode())],
        by=world.users["secretary"],
    )
    content = annotated_workbook(batch)
    names, row = _rows(content)[:2]
    assert row[names.index("Ghi chú" + ORIGINAL)] == "'" + SUM
    assert row[names.index("Nơi ở hiện nay" + ORIGINAL)] == "'" + LINK
    assert row[names.index(field_label("residence") + PROPOSED)] == "'" + LINK
    # A phone is proposed as officials write it (0912 345 678), never with an apostrophe.
    assert row[names.index(field_label("phone") + PROPOSED)] == shown_value("phone", PHONE)
    # Taken back unchanged, the neutralised proposals are what they were: nothing changed.
    upload = SimpleUploadedFile("sua.xlsx", content)
    assert apply_annotated(batch=batch, upload=upload) == 0


def test_the_campaign_export_neutralises_names_typed_by_people(world: World) -> None:
    today = timezone.localdate()
    campaign = campaign_create(
        root=world.city,
        name="Đợt",
        starts_on=today - timedelta(days=10),
        ends_on=today + timedelta(days=10),
        milestones=[(SUM, today - timedelta(days=1), "submitted")],
    )
    Org.objects.filter(pk=world.ward.pk).update(name=CMD, contact_name=LINK, contact_phone=PHONE)
    tick()
    response = world.client("city").get(f"/campaigns/{campaign.pk}/{world.city.code}/export.xlsx")
    progress = _rows(response.content, 0)
    assert f"'{SUM} · đơn vị" in progress[0]
    assert ["'" + CMD, world.ward.code] in [r[:2] for r in progress]
    late = {r[1]: r for r in _rows(response.content, 1)}
    assert late[world.ward.code][0] == "'" + CMD
    assert late[world.ward.code][2] == "'" + SUM
    assert late[world.ward.code][3] == 1  # days late: a number
    assert late[world.ward.code][4:6] == ["'" + LINK, PHONE]
