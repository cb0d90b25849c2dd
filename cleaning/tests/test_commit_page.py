"""Committing from the batch page: a confirmation that says what will be written, and counts
that follow each inline fix."""

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from cleaning import services
from cleaning.models import Batch, BatchRow
from conftest import World
from members.models import Member

HEADER = "STT,Họ và tên,Số CCCD,Giới tính,Ngày sinh,Ngày vào Đảng,Ngày chính thức,Điện thoại\n"
NEW = [
    "1,Nguyễn Thị Hoà,079185000101,Nữ,25/03/1985,19/05/2010,19/05/2011,0903123456",
    "2,Trần Văn Bảo,079080000102,Nam,13/02/1980,13/02/2005,13/02/2006,0903123457",
]


def _upload(world: World, *lines: str) -> Batch:
    content = (HEADER + "\n".join(lines) + "\n").encode()
    return services.batch_create(
        org=world.cell,
        uploads=[SimpleUploadedFile("chibo.csv", content)],
        by=world.users["secretary"],
    )


def _known(world: World) -> str:
    """A member of the cell as typed again, with a new phone: an update."""
    m = world.members[1]
    sex = "Nam" if m.sex == "M" else "Nữ"
    official = f"{m.official_date:%d/%m/%Y}" if m.official_date else ""
    return f"3,{m.full_name},{m.cccd},{sex},{m.birth_date:%d/%m/%Y},{m.admission_date:%d/%m/%Y},{official},0987654321"


def test_the_commit_says_what_it_will_write_and_asks_to_confirm(world: World) -> None:
    batch = _upload(world, *NEW, _known(world))
    assert services.open_blockers(batch) == (0, 0)
    client = world.client("secretary")
    url = reverse("cleaning:commit", args=[batch.pk])
    # The batch page's button leads to the confirmation, it does not commit.
    page = client.get(reverse("cleaning:batch", args=[batch.pk])).content.decode()
    assert f'href="{url}" id="commit"' in page
    confirm = client.get(url).content.decode()
    preview = confirm.split('id="commit-preview"')[1].split("</ul>")[0]
    assert "<strong>2</strong> đảng viên được thêm mới" in preview
    assert "<strong>1</strong> hồ sơ được cập nhật" in preview
    assert "đồng ý ghi 3 đảng viên vào hồ sơ" in confirm and 'name="confirm"' in confirm
    with translation.override("vi"):
        english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<strong>2</strong> members added" in english and "1</strong> record updated" in english
    # Not confirmed: nothing happens, and the page says why.
    refused = client.post(url, {})
    assert refused.status_code == 200 and "Hãy đánh dấu ô xác nhận" in refused.content.decode()
    assert Batch.objects.get(pk=batch.pk).status == "review"
    assert not Member.objects.filter(cccd="079185000101").exists()
    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == "committed" and batch.commit_summary["created"] == 2
    assert batch.commit_summary["updated"] == 1


def test_a_batch_that_cannot_be_committed_says_why_on_its_confirmation(world: World) -> None:
    batch = _upload(world, NEW[0], "2,Lê Văn Cường,,Nam,01/01/1990,01/01/2020,,")
    client = world.client("secretary")
    page = client.get(reverse("cleaning:commit", args=[batch.pk])).content.decode()
    assert 'id="commit-blocked"' in page and 'name="confirm"' not in page
    assert "Còn 1 dòng có lỗi" in page
    client.post(reverse("cleaning:commit", args=[batch.pk]), {"confirm": "1"}, follow=True)
    assert Batch.objects.get(pk=batch.pk).status == "review"
    # Who may only read the batch has no such page.
    assert (
        world.client("viewer").get(reverse("cleaning:commit", args=[batch.pk])).status_code == 404
    )


def test_an_inline_fix_updates_the_counts_and_the_button_without_a_reload(world: World) -> None:
    batch = _upload(world, NEW[0], "2,Lê Văn Cường,,Nam,01/01/1990,01/01/2020,,")
    row = BatchRow.objects.get(batch=batch, row_number=3)
    client = world.client("secretary")
    page = client.get(reverse("cleaning:batch", args=[batch.pk])).content.decode()
    assert 'data-rule="required.cccd"' in page.split('id="review-summary"')[1]
    response = client.post(
        reverse("cleaning:row_edit", args=[batch.pk, row.pk]),
        {"field": "cccd", "value": "079090000103"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    # The row itself, for its own swap.
    assert response.lstrip().startswith(f'<tr id="row-{row.pk}"')
    # Out of band: the counts per rule and the totals, and the commit button now enabled.
    summary = re.search(
        r'<div id="review-summary" hx-swap-oob="true">(.*?)</div>\s*<span', response, re.S
    )
    assert summary, response
    assert 'data-rule="required.cccd"' not in summary[1]
    assert "Dòng có lỗi: 0" in summary[1] and "Không còn lỗi chặn" in summary[1]
    action = re.search(r'<span id="commit-action" hx-swap-oob="true">(.*?)</span>', response, re.S)
    assert action and f'href="{reverse("cleaning:commit", args=[batch.pk])}"' in action[1]
    assert "disabled" not in action[1]
