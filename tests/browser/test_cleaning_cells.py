"""A cell secretary uploads a file that lists members of several cells: the rows of other cells
are held, each cell name is placed (or skipped) in one step, the counts follow an inline fix
without a reload, and the commit is confirmed."""

import pytest
from playwright.sync_api import expect

from cleaning.models import Batch
from conftest import World
from members.models import Member
from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser

HEADER = "STT,Họ và tên,Số CCCD,Giới tính,Ngày sinh,Ngày vào Đảng,Ngày chính thức,Chi bộ\n"
ROWS = [
    "1,Nguyễn Thị Hoà,079185000201,Nữ,25/03/1985,19/05/2010,19/05/2011,Chi bộ Giáo viên 1",
    "2,Trần Văn Bảo,,Nam,14/02/1980,13/02/2005,13/02/2006,Chi bộ Giáo viên 1",
    "3,Lê Thị Cúc,079188000203,Nữ,16/06/1988,20/07/2012,20/07/2013,CB Giáo viên 1",
    "4,Phạm Văn Dũng,079075000204,Nam,17/08/1975,21/09/2000,21/09/2001,CB Giáo viên 1",
    "5,Võ Thị Em,079190000205,Nữ,18/10/1990,22/11/2015,22/11/2016,Chi bộ Giáo viên 2",
    "6,Đỗ Văn Giang,079082000206,Nam,19/12/1982,23/01/2008,23/01/2009,Chi bộ Giáo viên 2",
]


def test_a_secretary_places_the_cells_of_a_file_and_confirms_the_commit(
    page, live_world: World, tmp_path
) -> None:
    cell = live_world.cell
    upload = tmp_path / "danh-sach-nhieu-chi-bo.csv"
    upload.write_text("DANH SÁCH ĐẢNG VIÊN\n" + HEADER + "\n".join(ROWS) + "\n", encoding="utf-8")
    login(page, "secretary")
    page.goto(f"/orgs/{cell.code}/imports/")
    page.set_input_files("input[type=file]", str(upload))
    page.click("button:has-text('Tải lên và kiểm tra')")
    page.wait_for_selector("#cell-names")

    # The rows that name other cells are held, not put in the secretary's cell.
    panel = page.locator("#cell-names")
    other = panel.locator('tr[data-cell-name="Chi bộ Giáo viên 2"]')
    short = panel.locator('tr[data-cell-name="CB Giáo viên 1"]')
    expect(other).to_contain_text("2 dòng đang giữ lại")
    expect(short).to_contain_text("2 dòng đang giữ lại")
    expect(panel.locator('tr[data-cell-name="Chi bộ Giáo viên 1"]')).to_contain_text(
        f"→ {cell.name}"
    )
    expect(page.locator('#rules tr[data-rule="cell.unknown"]')).to_contain_text("4")
    assert page.locator("#commit").is_disabled()
    shot(page, "cleaning-cells")

    # "CB Giáo viên 1" is the secretary's own cell, written short: its two rows in one step.
    short.locator("select").select_option(cell.code)
    short.locator("button:has-text('Xếp')").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã xếp 2 dòng")
    expect(page.locator('tr[data-cell-name="CB Giáo viên 1"]')).to_contain_text(f"→ {cell.name}")
    # "Chi bộ Giáo viên 2" is another cell's list: its rows are skipped, also in one step.
    other = page.locator('tr[data-cell-name="Chi bộ Giáo viên 2"]')
    other.locator("select").select_option("_skip")
    other.locator("button:has-text('Xếp')").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã bỏ qua 2 dòng")
    expect(page.locator('#rules tr[data-rule="cell.unknown"]')).to_have_count(0)

    # One row still lacks its CCCD: fixed in place, and the counts follow without a reload.
    expect(page.locator("#row-totals")).to_contain_text("Dòng có lỗi: 1")
    page.evaluate("window.stillTheSamePage = true")
    row = page.locator("#rows tr", has_text="Trần Văn Bảo")
    row.locator("input[name=value]").first.fill("079080000202")
    row.locator("button:has-text('Sửa')").first.click()
    expect(page.locator("#row-totals")).to_contain_text("Dòng có lỗi: 0")
    expect(page.locator('#rules tr[data-rule="required.cccd"]')).to_have_count(0)
    expect(page.locator("#blockers")).to_contain_text("Không còn lỗi chặn")
    expect(page.locator("a#commit")).to_be_visible()
    assert page.evaluate("window.stillTheSamePage") is True

    # The commit says what it will write and asks to confirm.
    page.click("#commit")
    expect(page.locator("#commit-preview")).to_contain_text("4 đảng viên được thêm mới")
    expect(page.locator("#commit-preview")).to_contain_text("2 dòng bỏ qua")
    shot(page, "cleaning-confirm")
    page.check("#confirm")
    page.click("#commit-submit")
    page.wait_for_selector("text=Đã ghi vào hồ sơ")
    batch = Batch.objects.get()
    assert batch.status == "committed" and batch.commit_summary["created"] == 4
    names = [r.split(",")[1] for r in ROWS]
    placed = dict(Member.objects.filter(full_name__in=names).values_list("full_name", "org_id"))
    assert placed == dict.fromkeys(names[:4], cell.id)
