"""The file's cell column: rows of cells the uploader does not hold are held, and each name the
file uses is mapped to a cell of the unit in one step."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from cleaning import services
from cleaning.commit import batch_commit
from cleaning.models import Batch, BatchRow
from cleaning.selectors import cell_names
from conftest import World
from members.models import Member
from orgs.models import Kind
from orgs.services import org_create

HEADER = "STT,Họ và tên,Số CCCD,Giới tính,Ngày sinh,Ngày vào Đảng,Chi bộ\n"


GIVEN = ["An", "Bình", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Khánh", "Lan", "Mai"]


def _person(n: int, cell: str) -> str:
    """A valid row of a woman born in 1985, unlike every other row (no duplicate pairs)."""
    name = f"{['Trần', 'Lê', 'Phạm', 'Võ'][n // 10 % 4]} Thị {GIVEN[n % 10]}"
    born = f"{13 + n % 16}/{1 + n // 16:02d}/1985"
    return f"{n},{name},07918500{n:04d},Nữ,{born},19/05/2010,{cell}"


def _upload(world: World, org, cells: list[str], by: str = "secretary") -> Batch:
    lines = [_person(n, cell) for n, cell in enumerate(cells, 1)]
    content = (HEADER + "\n".join(lines) + "\n").encode()
    return services.batch_create(
        org=org, uploads=[SimpleUploadedFile("ds.csv", content)], by=world.users[by]
    )


def _rows(batch: Batch) -> dict[int, BatchRow]:
    return {r.row_number: r for r in BatchRow.objects.filter(batch=batch)}


def test_a_cells_upload_holds_the_rows_that_name_another_cell(world: World) -> None:
    batch = _upload(
        world,
        world.cell,
        [
            world.cell.name,
            world.cell.code,
            "",
            world.other_cell.name,
            "Chi bộ 3",
            "chi bo giao vien 1",
        ],
    )
    rows = _rows(batch)
    for n in (2, 3, 4, 7):  # its own name, its code, nothing, its name without diacritics
        assert rows[n].values["cell"] == world.cell.code and rows[n].errors == 0, n
    for n in (5, 6):  # another ward's cell, a cell nobody has
        assert rows[n].values["cell"] == "" and rows[n].errors == 1, n
        assert [p["code"] for p in rows[n].problems] == ["cell.unknown"]
        assert "được giữ lại" in rows[n].problems[0]["vi"]
    assert batch.summary == {"cell.unknown": 2}
    assert services.open_blockers(batch) == (2, 0)
    with pytest.raises(ValidationError):
        batch_commit(batch=batch, by=None)
    assert not Member.objects.filter(cccd__startswith="07918500").exists()


@pytest.fixture
def second_cell(world: World):
    return org_create(
        code="79.26734.002", name="Chi bộ Khu phố 2", kind=Kind.GRASSROOTS_CELL, parent=world.ward
    )


def test_each_name_of_a_file_is_put_in_a_cell_for_all_its_rows_at_once(
    world: World, second_cell
) -> None:
    batch = _upload(world, world.ward, ["CB Giáo viên 1"] * 3 + ["KP2"] * 2, by="ward")
    assert batch.summary == {"cell.unknown": 5}
    names = {c.text: c for c in cell_names(batch)}
    assert (names["CB Giáo viên 1"].rows, names["CB Giáo viên 1"].held) == (3, 3)
    assert (names["KP2"].rows, names["KP2"].held, names["KP2"].cell) == (2, 2, None)
    client = world.client("ward")
    url = reverse("cleaning:cells", args=[batch.pk])
    response = client.post(url, {"text": "CB Giáo viên 1", "cell": world.cell.code}, follow=True)
    assert "Đã xếp 3 dòng" in response.content.decode()
    batch.refresh_from_db()
    assert batch.summary == {"cell.unknown": 2}
    rows = _rows(batch)
    for n in (2, 3, 4):
        assert rows[n].values["cell"] == world.cell.code and rows[n].errors == 0
        # What the file said stays, as typed.
        assert rows[n].typed["cell"] == "CB Giáo viên 1" and rows[n].edits == {
            "cell": world.cell.code
        }
    assert rows[5].errors == 1
    names = {c.text: c for c in cell_names(batch)}
    assert names["CB Giáo viên 1"].held == 0 and names["CB Giáo viên 1"].cell == world.cell
    assert AuditEvent.objects.filter(action="batch.cells", object_id=str(batch.pk)).count() == 1
    client.post(url, {"text": "KP2", "cell": second_cell.code})
    batch.refresh_from_db()
    assert batch.summary == {} and services.open_blockers(batch) == (0, 0)
    # Cleaning a row again (an edit of another field) keeps the cell it was put in.
    rows[5].refresh_from_db()
    services.batch_row_edit(row=rows[5], field="full_name", value="Trần Thị Năm", by=None)
    rows[5].refresh_from_db()
    assert rows[5].values["cell"] == second_cell.code and rows[5].errors == 0
    assert batch_commit(batch=Batch.objects.get(pk=batch.pk), by=None)["created"] == 5
    assert Member.objects.filter(org=world.cell, cccd__startswith="07918500").count() == 3
    assert Member.objects.filter(org=second_cell).count() == 2


def test_the_rows_of_a_name_can_be_skipped_at_once(world: World) -> None:
    batch = _upload(world, world.cell, ["", world.other_cell.name, world.other_cell.name])
    world.client("secretary").post(
        reverse("cleaning:cells", args=[batch.pk]),
        {"text": world.other_cell.name, "cell": "_skip"},
    )
    batch.refresh_from_db()
    assert batch.summary == {} and services.open_blockers(batch) == (0, 0)
    assert batch_commit(batch=batch, by=None)["created"] == 1


def test_only_a_cell_of_the_unit_can_be_picked(world: World) -> None:
    batch = _upload(world, world.ward, ["Khu phố 1"], by="ward")
    url = reverse("cleaning:cells", args=[batch.pk])
    # The other ward's cell: not in the ward admin's reach, and not in the ward for the city's.
    for persona in ("ward", "city"):
        world.client(persona).post(url, {"text": "Khu phố 1", "cell": world.other_cell.code})
    with pytest.raises(ValidationError):
        services.batch_cells_assign(batch=batch, text="Khu phố 1", cell=world.other_cell)
    with pytest.raises(ValidationError):  # not a cell
        services.batch_cells_assign(batch=batch, text="Khu phố 1", cell=world.grassroots)
    assert _rows(batch)[2].errors == 1 and _rows(batch)[2].edits == {}
    # Who may only read the batch may not map it.
    assert (
        world.client("viewer").post(url, {"text": "Khu phố 1", "cell": world.cell.code}).status_code
        == 404
    )
    assert _rows(batch)[2].errors == 1


def test_a_unit_with_many_cells_finds_the_cell_by_its_name(
    world: World, second_cell, monkeypatch
) -> None:
    from cleaning import selectors

    batch = _upload(world, world.ward, ["KP2"], by="ward")
    url = reverse("cleaning:batch", args=[batch.pk])
    page = world.client("ward").get(url).content.decode()
    assert f'<option value="{second_cell.code}"' in page and 'name="cell_query"' not in page
    monkeypatch.setattr(selectors, "CELL_PICKER_LIMIT", 1)
    page = world.client("ward").get(url).content.decode()
    assert 'name="cell_query"' in page and f'<option value="{second_cell.code}"' not in page
    world.client("ward").post(
        reverse("cleaning:cells", args=[batch.pk]), {"text": "KP2", "cell_query": "khu pho 2"}
    )
    assert _rows(batch)[2].values["cell"] == second_cell.code


def test_the_page_lists_the_names_of_the_file_with_their_rows(world: World) -> None:
    batch = _upload(
        world, world.cell, ["", world.other_cell.name, world.other_cell.name, "Chi bộ 3"]
    )
    page = (
        world.client("secretary").get(reverse("cleaning:batch", args=[batch.pk])).content.decode()
    )
    panel = page.split('id="cell-names"')[1].split("</table>")[0]
    assert world.other_cell.name in panel and "2 dòng đang giữ lại" in panel
    assert "Chi bộ 3" in panel and "(để trống)" in panel and f"→ {world.cell.name}" in panel
    # The viewer sees the names, without the forms.
    page = world.client("viewer").get(reverse("cleaning:batch", args=[batch.pk])).content.decode()
    assert 'id="cell-names"' in page and reverse("cleaning:cells", args=[batch.pk]) not in page


def test_putting_a_name_in_a_cell_costs_the_same_queries_for_2_rows_or_40(world: World) -> None:
    def queries(n: int) -> int:
        batch = _upload(world, world.cell, ["Khu phố 1"] * n)
        with CaptureQueriesContext(connection) as seen:
            services.batch_cells_assign(batch=batch, text="Khu phố 1", cell=world.cell)
        assert Batch.objects.get(pk=batch.pk).summary == {}
        return len(seen)

    assert queries(2) == queries(40)


def test_reading_the_cell_column_costs_no_query_per_row(world: World) -> None:
    def queries(n: int) -> int:
        with CaptureQueriesContext(connection) as seen:
            batch = _upload(world, world.cell, ["Khu phố 1", world.cell.name] * (n // 2))
        assert Batch.objects.get(pk=batch.pk).summary == {"cell.unknown": n // 2}
        return len(seen)

    assert queries(2) == queries(40)
